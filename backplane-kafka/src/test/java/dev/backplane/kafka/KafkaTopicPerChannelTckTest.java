package dev.backplane.kafka;

import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;

/** The Kafka backplane with one topic per channel against the whole transport kit and a real KRaft broker. */
@LeaveOutByDefault(value = {"t17_", "t44_"},
        because = "outages go through the same connection code as with one topic, which the plain kit runs")
class KafkaTopicPerChannelTckTest extends KafkaBackplaneTckTest {

    @Override
    protected Map<String, String> extraOptions() {
        return Map.of(KafkaSettings.TOPIC_PER_CHANNEL, "true");
    }
}

package dev.backplane.kafka;

import dev.backplane.brokers.LeaveOutByDefault;
import java.util.Map;

/** The Kafka backplane with one topic per channel against the whole transport kit and a real KRaft broker. */
@LeaveOutByDefault(value = {"t17_", "t26_", "t28_", "t43_", "t44_", "t47_", "t51_", "t52_"},
        because = "acknowledgement timers, flow control, connection events and outages go through the same code as with "
                + "one topic, which the plain kit runs; T18, T20 and T45 cover a restart with a topic per channel")
class KafkaTopicPerChannelTckTest extends KafkaBackplaneTckTest {

    @Override
    protected Map<String, String> extraOptions() {
        return Map.of(KafkaSettings.TOPIC_PER_CHANNEL, "true");
    }
}

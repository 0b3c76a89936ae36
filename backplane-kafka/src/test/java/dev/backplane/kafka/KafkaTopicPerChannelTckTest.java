package dev.backplane.kafka;

import java.util.Map;

/** The Kafka backplane with one topic per channel against the whole transport kit and a real KRaft broker. */
class KafkaTopicPerChannelTckTest extends KafkaBackplaneTckTest {

    @Override
    protected Map<String, String> extraOptions() {
        return Map.of(KafkaSettings.TOPIC_PER_CHANNEL, "true");
    }
}

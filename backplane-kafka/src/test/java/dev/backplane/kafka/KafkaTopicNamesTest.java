package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Channels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

/** How channels become topic names and partitions; pure functions, no broker. */
class KafkaTopicNamesTest {

    private final TopicMapping perChannel = TopicMapping.perChannel("app");

    @Test
    void singleTopicMappingPutsEveryChannelInTheOneTopic() {
        TopicMapping single = TopicMapping.singleTopic("shared", 4);
        assertThat(List.of("a", "room:1", "user@x")).allSatisfy(c -> assertThat(single.topic(c)).isEqualTo("shared"));
        assertThat(single.partitionsToCreate()).isEqualTo(4);
        assertThat(single.sharedTopic()).isTrue();
    }

    @Test
    void topicPerChannelEscapesWhatKafkaRefusesAndKeepsTheRest() {
        assertThat(perChannel.topic("room-1")).isEqualTo("app.room-1");
        assertThat(perChannel.topic("room:1")).isEqualTo("app.room_3A1");
        assertThat(perChannel.topic("a.b")).isEqualTo("app.a_2Eb");
        assertThat(perChannel.topic("a_b")).isEqualTo("app.a_5Fb");
        assertThat(perChannel.topic("u@x=y+z")).isEqualTo("app.u_40x_3Dy_2Bz");
        assertThat(perChannel.partitionsToCreate()).isEqualTo(1);
        assertThat(perChannel.sharedTopic()).isFalse();
    }

    @Test
    void topicPerChannelGivesDistinctLegalNamesThatKafkaDoesNotConsiderColliding() {
        List<String> channels = new ArrayList<>(List.of("a", "A", "a.b", "a_b", "a-b", "a:b", "a@b", "a=b", "a+b",
                "a_2Eb", "a.2Eb", "a_5Fb", "_", "__", "x.y.z", "x_y_z", "x:y:z"));
        channels.add("c".repeat(Channels.MAX_CHANNEL_LENGTH));
        channels.add("c".repeat(Channels.MAX_CHANNEL_LENGTH - 1) + "d");
        channels.add(":".repeat(Channels.MAX_CHANNEL_LENGTH));
        channels.add(":".repeat(Channels.MAX_CHANNEL_LENGTH - 1) + "@");
        Set<String> unified = new HashSet<>();
        for (String channel : channels) {
            Channels.requireValid(channel);
            String topic = perChannel.topic(channel);
            assertThat(Topic.isValid(topic)).as("'%s' for channel '%s' is a legal topic name", topic, channel).isTrue();
            assertThat(topic.length()).isLessThanOrEqualTo(TopicMapping.MAX_TOPIC_LENGTH);
            // Kafka refuses a topic whose name equals another's once '.' and '_' are made the same.
            assertThat(unified.add(Topic.unifyCollisionChars(topic)))
                    .as("topic '%s' of channel '%s' collides with another channel's", topic, channel).isTrue();
        }
    }

    @Test
    void aChannelAlwaysMapsToOnePartitionAsKafkasKeyedPartitioningWould() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int partition = TopicMapping.partition("channel-" + i, 8);
            assertThat(partition).isBetween(0, 7).isEqualTo(TopicMapping.partition("channel-" + i, 8));
            used.add(partition);
        }
        assertThat(used).as("partitions used by 100 channels over 8 partitions").hasSizeGreaterThan(4);
        assertThat(TopicMapping.partition("anything", 1)).isZero();
    }
}

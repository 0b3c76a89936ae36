package dev.backplane.kafka;

import static dev.backplane.kafka.KafkaTestBackplanes.await;
import static dev.backplane.kafka.KafkaTestBackplanes.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.brokers.Brokers;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which topics and partitions the Kafka backplane uses, creates or refuses, on a real broker. */
class KafkaTopicMappingTest extends KafkaBrokerTest {


    @BeforeAll
    static void openBroker() {
        broker = Brokers.kafka();
    }

    @Test
    void byDefaultEveryChannelOfAPrefixSharesOneTopicNamedAfterThePrefix() throws Exception {
        Backplane a = kit.open("");
        Backplane b = kit.open("");
        List<String> channels = List.of("all", "room:1", "user@x", "a.b");
        List<Recorder> recorders = new ArrayList<>();
        for (String channel : channels) {
            recorders.add(kit.subscribe(b, channel));
        }
        for (String channel : channels) {
            publish(a, channel, "to " + channel);
        }
        for (int i = 0; i < channels.size(); i++) {
            assertThat(recorders.get(i).awaitCount(1)).extracting(Recorder.Received::text)
                    .containsExactly("to " + channels.get(i));
        }
        assertThat(kit.topicsOfThisTest()).containsExactly(kit.prefix());
        assertThat(a.capabilities().cheapChannels()).isTrue();

        // The channel travels as key and header, the prefix as a header; it is in its key's partition.
        List<ConsumerRecord<String, byte[]>> records = readAll(kit.prefix(), channels.size());
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(channels);
        assertThat(records).allSatisfy(r -> assertThat(r.partition())
                .isEqualTo(TopicMapping.partition(r.key(), KafkaSettings.DEFAULT_PARTITIONS)));
        for (ConsumerRecord<String, byte[]> r : records) {
            assertThat(header(r, KafkaBackplane.CHANNEL_HEADER)).isEqualTo(r.key());
            assertThat(header(r, KafkaBackplane.PREFIX_HEADER)).isEqualTo(kit.prefix());
        }
    }

    @Test
    void topicOptionNamesTheSharedTopicAndPrefixesSharingItStayApart() {
        String topic = kit.prefix() + "-shared";
        Backplane mine = kit.open("topic=" + topic);
        KafkaTestBackplanes other = new KafkaTestBackplanes(broker);
        try {
            Backplane theirs = other.open("topic=" + topic);
            Recorder mineSees = kit.subscribe(mine, "news");
            Recorder theySee = other.subscribe(theirs, "news");
            publish(mine, "news", "mine");
            publish(theirs, "news", "theirs");
            mineSees.awaitCount(1);
            theySee.awaitCount(1);
            assertThat(mineSees.settle()).isEqualTo(1);
            assertThat(mineSees.texts()).containsExactly("mine");
            assertThat(theySee.texts()).containsExactly("theirs");
            assertThat(kit.topicsOfThisTest()).containsExactly(topic);
        } finally {
            other.close();
        }
    }

    @Test
    void topicPerChannelGivesEachChannelATopicOfItsOwn() {
        Backplane a = kit.open("topicPerChannel=true");
        Backplane b = kit.open("topicPerChannel=true");
        assertThat(a.capabilities().cheapChannels()).isFalse();
        Recorder room = kit.subscribe(b, "room:1");
        Recorder dotted = kit.subscribe(b, "a.b");
        Position first = publish(a, "room:1", "r1");
        publish(a, "a.b", "d1");
        publish(a, "room:1", "r2");
        assertThat(room.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("r1", "r2");
        assertThat(dotted.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("d1");
        // A channel only published to gets its topic too.
        publish(a, "lonely", "nobody listens");
        assertThat(kit.topicsOfThisTest()).containsExactlyInAnyOrder(
                kit.prefix() + ".room_3A1", kit.prefix() + ".a_2Eb", kit.prefix() + ".lonely");
        assertThat(first.value()).as("offsets count per channel topic").isEqualTo("0");

        Recorder replayed = kit.subscribe(b, "room:1", first);
        assertThat(replayed.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("r2");
    }

    @Test
    void channelsSpreadOverPartitionsAndEachKeepsItsOrderAndPositions() throws Exception {
        Backplane a = kit.open("partitions=3");
        Backplane b = kit.open("partitions=3");
        List<String> channels = new ArrayList<>();
        Set<Integer> partitions = new HashSet<>();
        for (int i = 0; partitions.size() < 3; i++) {
            channels.add("c" + i);
            partitions.add(TopicMapping.partition("c" + i, 3));
        }
        Map<String, Recorder> recorders = new HashMap<>();
        for (String channel : channels) {
            recorders.put(channel, kit.subscribe(b, channel));
        }
        Map<String, List<Position>> positions = new HashMap<>();
        for (int n = 0; n < 20; n++) {
            for (String channel : channels) {
                positions.computeIfAbsent(channel, c -> new ArrayList<>()).add(publish(a, channel, channel + "-" + n));
            }
        }
        for (String channel : channels) {
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                expected.add(channel + "-" + n);
            }
            assertThat(recorders.get(channel).awaitCount(20)).extracting(Recorder.Received::text)
                    .containsExactlyElementsOf(expected);
            assertThat(recorders.get(channel).received()).extracting(Recorder.Received::position)
                    .containsExactlyElementsOf(positions.get(channel));
        }
        TopicDescription description = kit.admin().describeTopics(List.of(kit.prefix())).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(kit.prefix());
        assertThat(description.partitions()).hasSize(3);

        String last = channels.get(channels.size() - 1);
        Recorder replayed = kit.subscribe(a, last, positions.get(last).get(17));
        assertThat(replayed.awaitCount(2)).extracting(Recorder.Received::text).containsExactly(last + "-18", last + "-19");
        assertThat(replayed.settle()).isEqualTo(2);
    }

    @Test
    void missingTopicWithCreationOffIsAClearErrorAtOpen() {
        String topic = kit.prefix() + "-missing";
        Throwable thrown = catchThrowable(() -> kit.open("createTopics=false&topic=" + topic));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("'" + topic + "' does not exist")
                .hasMessageContaining("createTopics");
        assertThat(kit.topicsOfThisTest()).isEmpty();
    }

    @Test
    void missingChannelTopicWithCreationOffFailsThatSubscribeAndPublishClearly() {
        Backplane a = kit.open("topicPerChannel=true&createTopics=false");
        Throwable subscribe = catchThrowable(() -> await(a.subscribe("absent", new Recorder("absent", kit.failures, true))));
        assertThat(subscribe).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("'" + kit.prefix() + ".absent' does not exist");
        Throwable publish = catchThrowable(() -> await(a.publish("absent", new byte[] {1})));
        assertThat(publish).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("'" + kit.prefix() + ".absent' does not exist");
        assertThat(kit.topicsOfThisTest()).isEmpty();
    }

    @Test
    void existingTopicIsUsedAsItIsWhenCreationIsOff() throws Exception {
        String topic = kit.prefix() + "-existing";
        kit.admin().createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        Backplane a = kit.open("createTopics=false&topic=" + topic);
        Backplane b = kit.open("createTopics=false&topic=" + topic);
        Recorder r = kit.subscribe(b, "x");
        publish(a, "x", "hello");
        assertThat(r.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("hello");
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, TopicMapping.partition("x", 2), 1);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("x");
    }

    @Test
    void createdTopicGetsTheConfiguredPartitionsAndRetention() throws Exception {
        kit.open("partitions=2&retention=PT2H");
        TopicDescription description = kit.admin().describeTopics(List.of(kit.prefix())).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(kit.prefix());
        assertThat(description.partitions()).hasSize(2);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, kit.prefix());
        ConfigEntry retention = kit.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                .get(resource).get("retention.ms");
        assertThat(retention.value()).isEqualTo(Long.toString(Duration.ofHours(2).toMillis()));
    }

    @Test
    void replayFromBeforeWhatIsRetainedReportsTheGapThenDeliversTheRest() throws Exception {
        Backplane a = kit.open("");
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            positions.add(publish(a, "history", "h" + i));
        }
        // What retention does, done at once: the records before offset 3 are deleted.
        long firstKept = Long.parseLong(positions.get(3).value());
        kit.admin().deleteRecords(Map.of(partitionOf("history"), RecordsToDelete.beforeOffset(firstKept)))
                .all().get(30, TimeUnit.SECONDS);

        Recorder fromFirst = kit.subscribe(a, "history", positions.get(0));
        assertThat(fromFirst.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("h3", "h4");
        Gap gap = fromFirst.awaitGap();
        assertThat(gap.channel()).isEqualTo("history");
        assertThat(gap.after()).isEqualTo(positions.get(0));
        assertThat(gap.resumedAt()).isEqualTo(positions.get(3));
        assertThat(gap.reason()).contains("retention");

        Recorder fromEarliest = kit.subscribe(a, "history", Position.EARLIEST);
        assertThat(fromEarliest.awaitCount(2)).extracting(Recorder.Received::text).containsExactly("h3", "h4");
        assertThat(fromEarliest.awaitGap().after()).isEqualTo(Position.EARLIEST);

        Recorder fromKept = kit.subscribe(a, "history", positions.get(3));
        assertThat(fromKept.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("h4");
        assertThat(fromKept.settle()).isEqualTo(1);
        assertThat(fromKept.gaps()).isEmpty();
    }

    @Test
    void recordsDeletedBeforeALaggingSubscriptionReadThemAreReportedAsAGap() throws Exception {
        Backplane a = kit.open("");
        // A subscription that may hold two unacknowledged deliveries: holding m0 and m1, it reads no further.
        Backplane lagging = kit.open(BackplaneConfig.MAX_UNACKNOWLEDGED + "=2");
        List<Delivery> held = new CopyOnWriteArrayList<>();
        Recorder r = new Recorder("lag", kit.failures, false);
        await(lagging.subscribe("lag", new Subscriber() {
            @Override
            public void onMessage(Delivery delivery) {
                held.add(delivery);
                r.onMessage(delivery);
            }

            @Override
            public void onGap(Gap gap) {
                r.onGap(gap);
            }
        }));
        List<Position> positions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            positions.add(publish(a, "lag", "m" + i));
        }
        r.awaitCount(2);
        // What retention does, done at once: every record before m9 is deleted while the subscription lags.
        long firstKept = Long.parseLong(positions.get(9).value());
        kit.admin().deleteRecords(Map.of(partitionOf("lag"), RecordsToDelete.beforeOffset(firstKept)))
                .all().get(30, TimeUnit.SECONDS);
        held.forEach(Delivery::ack);

        Gap gap = r.awaitGap();
        assertThat(gap.after()).as("the last position read before the gap").isEqualTo(positions.get(1));
        assertThat(gap.resumedAt()).as("first position after the gap").isEqualTo(positions.get(9));
        assertThat(gap.reason()).contains("retention");
        assertThat(r.awaitCount(3)).extracting(Recorder.Received::text).containsExactly("m0", "m1", "m9");
    }

    @Test
    void maxPayloadAboveWhatTheTopicAcceptsIsAClearErrorAtOpen() {
        Throwable thrown = catchThrowable(() -> kit.open("maxPayload=2000000"));
        assertThat(thrown).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("max.message.bytes")
                .hasMessageContaining("maxPayload");
        assertThat(kit.open("").capabilities().maxPayloadBytes()).isEqualTo(KafkaSettings.DEFAULT_MAX_PAYLOAD);
    }

    @Test
    void maxPayloadOptionSetsTheLimitAndSuchAPayloadArrivesWhereTheTopicTakesIt() throws Exception {
        String topic = kit.prefix() + "-large";
        kit.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                .configs(Map.of("max.message.bytes", "3000000")))).all().get(30, TimeUnit.SECONDS);
        Backplane a = kit.open("maxPayload=2000000&topic=" + topic);
        Backplane b = kit.open("maxPayload=2000000&topic=" + topic);
        assertThat(a.capabilities().maxPayloadBytes()).isEqualTo(2_000_000);
        Recorder r = kit.subscribe(b, "big");
        byte[] payload = new byte[2_000_000];
        new java.util.Random(7).nextBytes(payload);
        await(a.publish("big", payload));
        assertThat(r.awaitCount(1).get(0).payload()).isEqualTo(payload);
        Throwable refused = catchThrowable(() -> a.publish("big", new byte[2_000_001]));
        assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2000000");
    }

    /** The partition of the test's shared topic that holds {@code channel}, as the backplane created it. */
    private TopicPartition partitionOf(String channel) {
        return new TopicPartition(kit.prefix(), TopicMapping.partition(channel, KafkaSettings.DEFAULT_PARTITIONS));
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic, int partition, int count) {
        return read(List.of(new TopicPartition(topic, partition)), count);
    }

    /** {@code count} records of every partition of {@code topic}. */
    private List<ConsumerRecord<String, byte[]>> readAll(String topic, int count) throws Exception {
        int partitions = kit.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().size();
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(topic, p));
        }
        return read(all, count);
    }

    private List<ConsumerRecord<String, byte[]>> read(List<TopicPartition> partitions, int count) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.address());
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return Optional.ofNullable(record.headers().lastHeader(name))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).orElse(null);
    }
}

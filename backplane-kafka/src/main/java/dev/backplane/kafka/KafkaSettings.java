package dev.backplane.kafka;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.spi.TlsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One reading of a {@code kafka[s]://[user:password@]host:port[,host2:port2][?options]} URI and its options
 * (security: {@link ClientSecurity}), checked
 * before anything connects. Every refusal is a {@link BackplaneConfigurationException} naming the
 * option or the part of the URI and what would be accepted.
 */
final class KafkaSettings {

    static final String TOPIC = "topic";
    static final String TOPIC_PER_CHANNEL = "topicPerChannel";
    static final String PARTITIONS = "partitions";
    static final String CREATE_TOPICS = "createTopics";
    static final String REPLICATION_FACTOR = "replicationFactor";
    static final String MIN_INSYNC_REPLICAS = "minInsyncReplicas";
    static final String RETENTION = "retention";
    static final String MAX_PAYLOAD = "maxPayload";

    /** The options of this transport beyond {@link BackplaneConfig#COMMON_OPTIONS}: its own, TLS and SASL. */
    static final Set<String> OPTIONS = Stream.of(
            Set.of(TOPIC, TOPIC_PER_CHANNEL, PARTITIONS, CREATE_TOPICS, REPLICATION_FACTOR, MIN_INSYNC_REPLICAS,
                    RETENTION, MAX_PAYLOAD),
            TlsSettings.OPTIONS, Set.of(SaslLogin.MECHANISM, SaslLogin.USER, SaslLogin.PASSWORD))
            .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    static final int DEFAULT_PORT = 9092;
    /**
     * Below the broker's default {@code message.max.bytes} (1048588) by enough for the record
     * batch header, the key and the two headers, whose longest forms take under 1 KiB.
     */
    static final int DEFAULT_MAX_PAYLOAD = 1_000_000;
    /**
     * Partitions of a shared topic the backplane creates: a prefix's traffic spread over up to
     * four brokers, and a subscription that falls behind makes the consumer read a quarter of it
     * again when it catches up, for four partitions of the cluster per prefix.
     */
    static final int DEFAULT_PARTITIONS = 4;

    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\]");

    final BackplaneConfig config;
    final String bootstrapServers;
    final ClientSecurity security;
    final TopicMapping mapping;
    final boolean createTopics;
    final Optional<Short> replicationFactor;
    final Optional<Integer> minInsyncReplicas;
    final Optional<Duration> retention;
    final int maxPayload;
    final long outboxBytes;

    private KafkaSettings(BackplaneConfig config) {
        this.config = config;
        this.bootstrapServers = bootstrapServers(config);
        this.security = ClientSecurity.of(config);
        this.mapping = mapping(config);
        this.createTopics = config.booleanOption(CREATE_TOPICS, true);
        this.replicationFactor = config.options().containsKey(REPLICATION_FACTOR)
                ? Optional.of((short) config.longOption(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE))
                : Optional.empty();
        this.minInsyncReplicas = minInsyncReplicas(config, replicationFactor);
        this.retention = config.options().containsKey(RETENTION)
                ? Optional.of(config.duration(RETENTION, Duration.ZERO))
                : Optional.empty();
        this.maxPayload = (int) config.longOption(MAX_PAYLOAD, DEFAULT_MAX_PAYLOAD, 1, 100L * 1024 * 1024);
        this.outboxBytes = config.outboxBytes();
        if (outboxBytes < maxPayload + 64L * 1024) {
            throw new BackplaneConfigurationException("option '" + BackplaneConfig.OUTBOX_BYTES + "' (" + outboxBytes
                    + ") in " + config.redactedUri() + " must leave room for one message of " + MAX_PAYLOAD + " ("
                    + maxPayload + ") bytes plus 64 KiB; raise " + BackplaneConfig.OUTBOX_BYTES + " or lower "
                    + MAX_PAYLOAD);
        }
    }

    /**
     * Reads and checks everything.
     *
     * @throws BackplaneConfigurationException for an option or URI part that cannot be used
     */
    static KafkaSettings of(BackplaneConfig config) {
        config.requireKnownOptions(KafkaBackplaneProvider.NAME, OPTIONS);
        return new KafkaSettings(config);
    }

    /** The broker address list as the URI gives it, for messages. */
    String brokers() {
        return bootstrapServers;
    }

    /**
     * {@code min.insync.replicas} of the topics the backplane creates: at least 1, and at most the
     * replication factor when that is given too (more could never be in sync, and every publish
     * would fail). A topic that exists keeps its own.
     */
    private static Optional<Integer> minInsyncReplicas(BackplaneConfig config, Optional<Short> replicationFactor) {
        if (!config.options().containsKey(MIN_INSYNC_REPLICAS)) {
            return Optional.empty();
        }
        int min = (int) config.longOption(MIN_INSYNC_REPLICAS, 1, 1, Short.MAX_VALUE);
        if (replicationFactor.isPresent() && min > replicationFactor.get()) {
            throw new BackplaneConfigurationException("option '" + MIN_INSYNC_REPLICAS + "' (" + min + ") in "
                    + config.redactedUri() + " exceeds option '" + REPLICATION_FACTOR + "' (" + replicationFactor.get()
                    + "): no more replicas than a partition has can be in sync, so every publish would fail; give "
                    + MIN_INSYNC_REPLICAS + " from 1 to " + replicationFactor.get() + " (2 of 3 replicas is usual)");
        }
        return Optional.of(min);
    }

    private static String bootstrapServers(BackplaneConfig config) {
        String uri = config.redactedUri();
        String path = config.uri().getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            throw new BackplaneConfigurationException("the Kafka URI " + uri + " has a path '" + path
                    + "', which means nothing here; write kafka://host:port[,host2:port2][?options]");
        }
        String authority = config.rawHosts(); // the credentials before them: see SaslLogin
        if (authority.isBlank()) {
            throw new BackplaneConfigurationException("the Kafka URI " + uri
                    + " names no broker; write kafka://host:port[,host2:port2][?options]");
        }
        List<String> servers = new ArrayList<>();
        for (String server : authority.split(",", -1)) {
            servers.add(server(server.trim(), uri));
        }
        return String.join(",", servers);
    }

    private static String server(String server, String uri) {
        int colon = server.lastIndexOf(':');
        boolean hasPort = colon > server.lastIndexOf(']');
        String host = hasPort ? server.substring(0, colon) : server;
        if (host.isEmpty() || !HOST_NAME.matcher(host).matches()) {
            throw new BackplaneConfigurationException("broker '" + server + "' in " + uri
                    + " is not a host name or address; write host:port, several separated by commas");
        }
        int port = DEFAULT_PORT;
        if (hasPort) {
            String raw = server.substring(colon + 1);
            try {
                port = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new BackplaneConfigurationException("broker '" + server + "' in " + uri
                        + " has port '" + raw + "'; expected a number from 1 to 65535");
            }
        }
        return host + ":" + port;
    }

    private static TopicMapping mapping(BackplaneConfig config) {
        boolean perChannel = config.booleanOption(TOPIC_PER_CHANNEL, false);
        if (perChannel) {
            for (String singleTopicOption : List.of(TOPIC, PARTITIONS)) {
                if (config.options().containsKey(singleTopicOption)) {
                    throw new BackplaneConfigurationException("option '" + singleTopicOption + "' in "
                            + config.redactedUri() + " applies to the single-topic mapping and cannot be combined with "
                            + TOPIC_PER_CHANNEL + "=true, where each channel has a topic of one partition; remove one of them");
                }
            }
            return TopicMapping.perChannel(config.prefix());
        }
        String topic = config.option(TOPIC, config.prefix());
        if (!TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new BackplaneConfigurationException("option '" + TOPIC + "' has value '" + topic + "' in "
                    + config.redactedUri() + "; a Kafka topic name is 1 to 249 characters from A-Z a-z 0-9 . _ - "
                    + "and not '.' or '..'");
        }
        int partitions = (int) config.longOption(PARTITIONS, DEFAULT_PARTITIONS, 1, 10_000);
        return TopicMapping.singleTopic(topic, partitions);
    }
}

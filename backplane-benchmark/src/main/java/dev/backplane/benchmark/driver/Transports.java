package dev.backplane.benchmark.driver;

import dev.backplane.benchmark.brokers.BenchBrokers.Endpoint;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;

/**
 * The transports the benchmark knows: for each, the broker it needs, how its backplane is opened
 * and which raw client is its baseline.
 */
public final class Transports {

    /** Every transport run by default, in report order. */
    public static final List<String> ALL = List.of("mem", "redis", "redis-streams", "nats", "jetstream", "kafka");

    /**
     * Redis pub/sub on a Redis Cluster of one and of three masters (private, no replicas), run only
     * when named: {@code --transports redis-cluster-1,redis-cluster-3} (the {@code shards} suite).
     */
    public static final List<String> CLUSTERS = List.of("redis-cluster-1", "redis-cluster-3");

    /** Every transport {@code --transports} accepts, in report order. */
    public static final List<String> KNOWN = java.util.stream.Stream.concat(ALL.stream(), CLUSTERS.stream()).toList();

    /** The prefix of every backplane channel the benchmark uses. */
    static final String PREFIX = "bench";

    /** Opening and subscribing may wait this long: on a loaded machine the 5 s default is short, and setup is not measured. */
    static final String CONNECT_TIMEOUT = "30s";

    private Transports() {
    }

    /** The broker family a transport runs on: {@code redis}, {@code nats}, {@code kafka}, or null for {@code mem}. */
    public static String family(String transport) {
        return switch (transport) {
            case "mem" -> null;
            case "redis", "redis-streams" -> "redis";
            case "nats", "jetstream" -> "nats";
            case "kafka" -> "kafka";
            case "redis-cluster-1", "redis-cluster-3" -> transport;
            default -> throw unknown(transport);
        };
    }

    /** The backplane of a transport on {@code broker} (null for {@code mem}). */
    public static BackplaneDriver backplane(String transport, Endpoint broker) {
        return switch (transport) {
            // retain: a subscription behind the publisher catches up from what mem retains, and the workloads let it
            // fall up to their window (at most 1,000) behind: twice that, where the default 10,000 a channel would
            // hold 640 MB of 64 KiB payloads in the heap.
            case "mem" -> new BackplaneDriver(URI.create("mem://bench"), Map.of("retain", "2048", "connectTimeout", CONNECT_TIMEOUT), channels -> { });
            case "redis" -> new BackplaneDriver(uri("redis", broker), Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT), channels -> { });
            case "redis-streams" -> new BackplaneDriver(uri("redis-streams", broker), Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT),
                    channels -> deleteKeys(broker, PREFIX + ":", channels));
            case "nats" -> new BackplaneDriver(uri("nats", broker), Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT), channels -> { });
            case "jetstream" -> new BackplaneDriver(uri("jetstream", broker), Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT),
                    channels -> purgeStream(broker, PREFIX));
            case "kafka" -> new BackplaneDriver(uri("kafka", broker), Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT), channels -> { });
            case "redis-cluster-1", "redis-cluster-3" -> new BackplaneDriver(uri("redis-cluster", broker),
                    Map.of("prefix", PREFIX, "connectTimeout", CONNECT_TIMEOUT), channels -> { });
            default -> throw unknown(transport);
        };
    }

    /** The raw-client baseline of a transport on {@code broker} (null for {@code mem}). */
    public static Driver raw(String transport, Endpoint broker) {
        return switch (transport) {
            case "mem" -> new RawMemoryDriver();
            case "redis" -> new RawRedisPubSubDriver(broker.host(), broker.port());
            case "redis-streams" -> new RawRedisStreamsDriver(broker.host(), broker.port());
            case "nats" -> new RawNatsDriver("nats://" + broker.address());
            case "jetstream" -> new RawJetStreamDriver("nats://" + broker.address());
            case "kafka" -> new RawKafkaDriver(broker.address());
            case "redis-cluster-1", "redis-cluster-3" -> new RawRedisClusterDriver(broker.host(), broker.port());
            default -> throw unknown(transport);
        };
    }

    private static URI uri(String scheme, Endpoint broker) {
        return URI.create(scheme + "://" + broker.address());
    }

    private static void deleteKeys(Endpoint broker, String keyPrefix, List<String> channels) {
        try (Jedis jedis = new Jedis(broker.host(), broker.port())) {
            for (String channel : channels) {
                jedis.del(keyPrefix + channel);
            }
        }
    }

    private static void purgeStream(Endpoint broker, String stream) throws Exception {
        try (Connection nc = RawNatsDriver.connect("nats://" + broker.address(), "bench-cleaner")) {
            nc.jetStreamManagement().purgeStream(stream);
        } catch (JetStreamApiException notThere) {
            // the backplane has not created its stream yet
        }
    }

    private static IllegalArgumentException unknown(String transport) {
        return new IllegalArgumentException("no transport '" + transport + "'; known: " + String.join(", ", ALL));
    }
}

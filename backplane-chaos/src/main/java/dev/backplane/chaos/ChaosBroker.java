package dev.backplane.chaos;

import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.brokers.ClusterRedis;
import dev.backplane.brokers.kafka.KafkaBrokers;
import java.time.Duration;
import java.util.UUID;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The broker of a chaos run, private to it, on an ephemeral loopback port: killed with SIGKILL
 * and started again on the same address and data, as a crash and a restart, or paused with SIGSTOP
 * and resumed, as a hang.
 */
interface ChaosBroker extends AutoCloseable {

    /** The backplane URI of {@code transport} on this broker, with {@code prefix}. */
    String uri(String transport, String prefix);

    /** Its {@code host:port}. */
    String address();

    /** SIGKILL; returns once the port refuses connections. */
    void kill();

    /** Starts it again; returns once it accepts clients. */
    void start();

    /** Pauses it with SIGSTOP: a hung broker, sockets open, nothing answered. */
    void pause();

    /** Resumes it with SIGCONT. */
    void resume();

    String description();

    @Override
    void close();

    /** The broker a transport needs. */
    static ChaosBroker forTransport(String transport) {
        return switch (transport) {
            case "redis" -> new Fixture(Brokers.redis());
            // Synced on every write: with "everysec" a SIGKILL loses writes Redis had acknowledged (up to two
            // seconds of them), which no client of Redis can prevent.
            case "redis-streams" -> new Fixture(Brokers.redis("always"));
            case "nats", "jetstream" -> new Fixture(Brokers.nats());
            case "kafka" -> new Fixture(KafkaBrokers.process());
            case "redis-cluster", "redis-cluster-streams" -> new Cluster(ClusterRedis.start());
            default -> throw new IllegalArgumentException("unknown transport '" + transport
                    + "'; known: redis, redis-streams, nats, jetstream, kafka, redis-cluster, redis-cluster-streams");
        };
    }

    /** A private redis-server, nats-server or Kafka broker (a JVM of its own) from the test fixtures. */
    final class Fixture implements ChaosBroker {
        private final Broker broker;

        Fixture(Broker broker) {
            if (!broker.controllable()) {
                broker.close();
                throw new IllegalStateException("chaos runs kill their broker, so they need one of their own, not "
                        + broker.description() + "; unset BACKPLANE_TEST_REDIS / BACKPLANE_TEST_NATS");
            }
            this.broker = broker;
        }

        @Override
        public String uri(String transport, String prefix) {
            return transport + "://" + broker.address() + "?prefix=" + prefix;
        }

        @Override
        public String address() {
            return broker.address();
        }


        @Override
        public void kill() {
            broker.kill();
        }

        @Override
        public void pause() {
            broker.pause();
        }

        @Override
        public void resume() {
            broker.resume();
        }

        @Override
        public void start() {
            broker.start();
        }

        @Override
        public String description() {
            return broker.description();
        }

        @Override
        public void close() {
            broker.close();
        }
    }

    /**
     * A private Redis Cluster of three masters with a replica each ({@link ClusterRedis}): a fault
     * strikes one member, the master that owns the slot of the hash tag {@code {prefix}} (for
     * Streams, the master of every stream of the run; for pub/sub, a third of the hub's channels).
     * A killed master is started again only once its replica was promoted, so it returns as a
     * replica (the nodes keep no data on disk); a paused one is demoted by the cluster while it
     * sleeps, if it sleeps past the node timeout (1 s). Streams publishes wait for one replica
     * ({@code waitReplicas=1}), so that a failover loses nothing that was acknowledged.
     */
    final class Cluster implements ChaosBroker {
        private final ClusterRedis cluster;
        private volatile int slot;
        private volatile HostAndPort struck;

        Cluster(ClusterRedis cluster) {
            this.cluster = cluster;
        }

        @Override
        public String uri(String transport, String prefix) {
            slot = JedisClusterCRC16.getSlot("{" + prefix + "}");
            String options = transport.endsWith("-streams") ? "&waitReplicas=1&waitTimeout=1s" : "";
            return cluster.uri(transport) + "?prefix=" + prefix + options;
        }

        @Override
        public String address() {
            return cluster.seed().toString();
        }

        @Override
        public void kill() {
            struck = cluster.masterOf(slot);
            cluster.killMaster(struck);
        }

        @Override
        public void start() {
            cluster.awaitPromotion(struck, slot, Duration.ofSeconds(60));
            cluster.restart(struck);
        }

        @Override
        public void pause() {
            struck = cluster.masterOf(slot);
            cluster.pause(struck);
        }

        @Override
        public void resume() {
            cluster.resume(struck);
        }

        @Override
        public String description() {
            return cluster.description() + " (3 masters, 3 replicas; faults strike the master of the run's prefix slot)";
        }

        @Override
        public void close() {
            cluster.close();
        }
    }

    /** A name no other run uses, for the prefix. */
    static String runId() {
        return "chaos" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
    }
}

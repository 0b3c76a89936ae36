package dev.backplane.benchmark.brokers;

import dev.backplane.brokers.ClusterRedis;
import dev.backplane.fixture.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import redis.clients.jedis.HostAndPort;

/**
 * The brokers of one benchmark run: the ones given on the command line, used as they are and never
 * stopped, and private ones this class starts on ephemeral loopback ports (never a default port)
 * and stops on {@link #close}: {@code redis-server} without persistence, {@code nats-server} with
 * JetStream in a store directory of its own, a Kafka KRaft broker in a child JVM, and for the
 * shard comparison Redis Clusters of one and of three masters ({@link ClusterRedis}, no replicas).
 */
public final class BenchBrokers implements AutoCloseable {

    /**
     * Where one broker is and what it is.
     *
     * @param host the host clients connect to
     * @param port its port
     * @param version the server's version, as it reports it
     * @param origin {@code "private process, pid 1234"} or {@code "given: redis://..."}
     */
    public record Endpoint(String host, int port, String version, String origin) {
        public String address() {
            return host + ":" + port;
        }
    }

    private final List<BrokerProcess> started = new ArrayList<>();
    private final List<ClusterRedis> clusters = new ArrayList<>();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();

    /**
     * Starts or records the brokers of {@code families} ({@code redis}, {@code nats}, {@code kafka}).
     *
     * @param given addresses from the command line, by family; a family given is not started
     */
    public static BenchBrokers start(List<String> families, Map<String, URI> given) {
        BenchBrokers brokers = new BenchBrokers();
        try {
            for (String family : families) {
                URI uri = given.get(family);
                brokers.endpoints.put(family, uri != null ? given(family, uri) : brokers.startPrivate(family));
            }
            return brokers;
        } catch (RuntimeException e) {
            brokers.close();
            throw e;
        }
    }

    /** The broker of a family, if this run has one. */
    public Optional<Endpoint> endpoint(String family) {
        return Optional.ofNullable(endpoints.get(family));
    }

    public Map<String, Endpoint> endpoints() {
        return Map.copyOf(endpoints);
    }

    private static Endpoint given(String family, URI uri) {
        int defaultPort = switch (family) {
            case "redis" -> 6379;
            case "nats" -> 4222;
            default -> 9092;
        };
        return new Endpoint(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : defaultPort, "(not asked)", "given: " + uri);
    }

    private Endpoint startPrivate(String family) {
        return switch (family) {
            case "redis" -> {
                String exe = executable("redis-server");
                int port = LoopbackPorts.freePort();
                BrokerProcess p = BrokerProcess.listening("redis-server", port, dir -> List.of(exe,
                        "--port", Integer.toString(port), "--bind", LoopbackPorts.LOOPBACK, "--save", "",
                        "--appendonly", "no", "--dir", dir.toString()));
                started.add(p);
                yield new Endpoint(LoopbackPorts.LOOPBACK, port, version(exe), "private process, pid " + p.pid());
            }
            case "nats" -> {
                String exe = executable("nats-server");
                int port = LoopbackPorts.freePort();
                BrokerProcess p = BrokerProcess.listening("nats-server", port, dir -> List.of(exe,
                        "-a", LoopbackPorts.LOOPBACK, "-p", Integer.toString(port), "-js",
                        "-sd", dir.resolve("jetstream").toString()));
                started.add(p);
                yield new Endpoint(LoopbackPorts.LOOPBACK, port, version(exe), "private process, pid " + p.pid());
            }
            case "kafka" -> {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                String[] line = new String[1];
                BrokerProcess p = BrokerProcess.announcing("kafka", List.of(java, "-Xmx1g",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "-cp", absoluteClassPath(), KafkaBrokerMain.class.getName()), line);
                started.add(p);
                String[] parts = line[0].split(" ");
                if (parts.length < 3 || !parts[0].equals("READY")) {
                    throw new IllegalStateException("the Kafka broker process printed '" + line[0] + "' instead of READY");
                }
                URI address = URI.create("tcp://" + parts[1]);
                yield new Endpoint(address.getHost(), address.getPort(), "Kafka " + parts[2] + " (KRaft)",
                        "private JVM, pid " + p.pid());
            }
            case "redis-cluster-1", "redis-cluster-3" -> {
                int masters = family.equals("redis-cluster-1") ? 1 : 3;
                ClusterRedis cluster = ClusterRedis.start(masters, 0);
                clusters.add(cluster);
                HostAndPort seed = cluster.seed();
                yield new Endpoint(seed.getHost(), seed.getPort(), version(executable("redis-server")) + ", cluster of "
                        + masters + " master(s), no replica", "private processes, " + cluster.description());
            }
            default -> throw new IllegalArgumentException("no broker family '" + family + "'");
        };
    }

    /** This JVM's class path with every entry absolute: the child runs in a directory of its own. */
    private static String absoluteClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(e -> Path.of(e).toAbsolutePath().toString()).collect(java.util.stream.Collectors.joining(File.pathSeparator));
    }

    private static String executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin" + File.pathSeparator + "/usr/bin";
        return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("no " + name + " on the PATH: install it (apt-get install -y "
                        + name + ", or .ci/install-brokers), or point the benchmark at a running broker with --"
                        + (name.startsWith("redis") ? "redis redis://HOST:PORT" : "nats nats://HOST:PORT")));
    }

    private static String version(String executable) {
        try {
            Process p = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out.lines().findFirst().orElse("(unknown)");
        } catch (IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(unknown)";
        }
    }

    /** Stops every broker this run started, newest first. Given brokers are left alone. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        started.clear();
        clusters.forEach(ClusterRedis::close);
        clusters.clear();
    }
}

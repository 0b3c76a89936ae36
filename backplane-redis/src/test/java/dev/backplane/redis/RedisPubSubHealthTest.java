package dev.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Health;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health when Redis hangs rather than dies: frozen with SIGSTOP, it keeps its sockets open and
 * answers nothing, so only the subscriber connection's ping can tell; DOWN within twice
 * {@code connectTimeout} (the default ping interval), UP again once it answers.
 */
class RedisPubSubHealthTest extends RedisBrokerTest {

    private final PubSubTestSupport support = new PubSubTestSupport(broker, "h");
    private ProcessHandle frozen;

    @AfterEach
    void thawAndClose() throws Exception {
        try {
            if (frozen != null) {
                signal("CONT", frozen);
            }
        } finally {
            support.close();
        }
    }

    /**
     * The private redis-server of this class, found by its port in its process title
     * ({@code redis-server 127.0.0.1:PORT}): a process this test class started.
     */
    private ProcessHandle redisProcess() {
        String address = "127.0.0.1:" + broker.port();
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                String title = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(p.pid()),
                        "cmdline")).replace('\0', ' ');
                return title.contains("redis-server") && title.contains(address + " ");
            } catch (java.io.IOException | RuntimeException e) {
                return false;
            }
        }).findFirst().orElseThrow(() -> new AssertionError("no redis-server process at " + address));
    }

    private static void signal(String signal, ProcessHandle process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, process.pid()).isZero();
    }

    private static Duration await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > within.toNanos()) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void aRedisThatStopsAnsweringIsDownWithinTwiceConnectTimeoutAndUpOnceItAnswersAgain() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(broker.controllable(), "needs a private redis-server");
        Backplane backplane = support.open(Map.of("connectTimeout", "1s"));
        await(() -> backplane.health().status() == Health.Status.UP, Duration.ofSeconds(10), "UP at first");
        frozen = redisProcess();
        signal("STOP", frozen);
        Duration toDown = await(() -> backplane.health().status() == Health.Status.DOWN, Duration.ofMillis(2500),
                "DOWN within twice connectTimeout (1 s) + grace of Redis freezing");
        assertThat(backplane.health().details().get("lastError").toString()).as("the last error").isNotBlank();
        signal("CONT", frozen);
        frozen = null;
        Duration toUp = await(() -> backplane.health().status() == Health.Status.UP, Duration.ofSeconds(5),
                "UP again once Redis answers");
        System.out.printf("frozen Redis: DOWN %d ms after SIGSTOP, UP %d ms after SIGCONT%n", toDown.toMillis(),
                toUp.toMillis());
    }
}

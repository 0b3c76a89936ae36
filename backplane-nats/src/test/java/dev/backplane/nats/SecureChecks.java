package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.backplane.Backplane;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** What the TLS, credentials and permission tests check again and again. */
final class SecureChecks {

    /** The connect timeout the failing opens are given; they must fail well within it plus a grace. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private SecureChecks() {
    }

    /**
     * Two backplanes on {@code uri}: one subscribes, the other publishes, and the message arrives.
     * Returns the publish's position (a stream sequence on JetStream).
     */
    static void assertRoundTrip(Opened opened, String uri, Map<String, String> options) {
        AsyncFailures failures = new AsyncFailures();
        Backplane subscriber = opened.open(uri, options);
        Backplane publisher = opened.open(uri, options);
        Recorder recorder = new Recorder("secure", failures, true);
        await(subscriber.subscribe("secure", recorder));
        await(publisher.publish("secure", "over the wire".getBytes(StandardCharsets.UTF_8)));
        assertThat(recorder.awaitCount(1).get(0).text()).isEqualTo("over the wire");
        failures.rethrow();
    }

    /**
     * Opens {@code uri} expecting a failure, and returns it, asserting it came within the connect
     * timeout (and a second for the JVM): no retry loop hides the cause.
     */
    static Throwable openFailure(Opened opened, String uri, Map<String, String> options) {
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> opened.open(uri, options));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(failure).as("opening " + uri).isNotNull();
        assertThat(took).as("time to fail; " + failure).isLessThan(CONNECT_TIMEOUT.plusSeconds(1));
        return failure;
    }
}

package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.awaitCondition;
import static dev.backplane.redis.streams.StreamsTestSupport.watchFor;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.tck.KitTimeouts;
import dev.backplane.tck.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/**
 * Entries that no backplane wrote (another program's {@code XADD} without the payload field) on a
 * subscribed stream: skipped once each by moving past them, counted, and logged once per stretch,
 * never read again and again.
 */
class RedisStreamsForeignEntriesTest extends RedisStreamsBrokerTest {

    // Held here: java.util.logging keeps loggers only weakly.
    private final Logger moduleLogger = Logger.getLogger("dev.backplane.redis.streams");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        moduleLogger.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        moduleLogger.removeHandler(capture);
    }

    private List<String> messages(Level level, String containing) {
        return records.stream().filter(r -> r.getLevel().equals(level) && r.getMessage().contains(containing))
                .map(LogRecord::getMessage).toList();
    }

    private StreamEntryID addForeign(String channel) {
        try (Jedis redis = support.redis()) {
            return redis.xadd(support.stream(channel), StreamEntryID.NEW_ENTRY, Map.of("other", "program"));
        }
    }

    @Test
    void aForeignEntryOnAQuietChannelIsReadOnceNotAgainAndAgain() {
        Backplane backplane = support.open();
        Recorder recorder = new Recorder("quiet", failures, true);
        await(backplane.subscribe("quiet", recorder));

        StreamEntryID foreign = addForeign("quiet");
        awaitCondition(() -> !messages(Level.WARNING, "has no field 'p'").isEmpty(), "the foreign entry is reported");
        long before = support.calls("xread");
        // Reading it again would log it again: watch long enough for a loaded machine to do so.
        Duration watch = KitTimeouts.quiet().multipliedBy(3);
        watchFor(watch);
        long reads = support.calls("xread") - before;

        assertThat(messages(Level.WARNING, "has no field 'p'")).as("warnings in %s: one per read of the entry", watch)
                .hasSize(1).first().asString()
                .contains(foreign.toString()).contains(support.stream("quiet"));
        assertThat(reads).as("XREADs in %s on a quiet channel after one foreign entry (blocking reads of 2 s)", watch)
                .isLessThanOrEqualTo(3);
        await(backplane.publish("quiet", utf8("valid")));
        assertThat(recorder.awaitCount(1)).extracting(Recorder.Received::text).containsExactly("valid");
    }

    @Test
    void foreignEntriesAreCountedOnceEachAndLoggedOncePerStretch() {
        RedisStreamsBackplane backplane = (RedisStreamsBackplane) support.open();
        Recorder one = new Recorder("mixed", failures, true);
        Recorder two = new Recorder("mixed", failures, true);
        await(backplane.subscribe("mixed", one));
        await(backplane.subscribe("mixed", two));

        for (int i = 0; i < 3; i++) {
            addForeign("mixed");
        }
        awaitCondition(() -> backplane.foreignEntriesSkipped() == 3, () -> "3 foreign entries counted; counted "
                + backplane.foreignEntriesSkipped());
        await(backplane.publish("mixed", utf8("m1")));
        one.awaitCount(1);
        two.awaitCount(1);
        awaitCondition(() -> !messages(Level.INFO, "were skipped").isEmpty(), "the end of the stretch is logged");
        assertThat(messages(Level.INFO, "were skipped")).singleElement().asString().startsWith("3 entries");

        addForeign("mixed");
        await(backplane.publish("mixed", utf8("m2")));
        one.awaitCount(2);
        two.awaitCount(2);
        assertThat(backplane.foreignEntriesSkipped()).as("each counted once, though two subscriptions passed it")
                .isEqualTo(4);
        assertThat(messages(Level.WARNING, "has no field 'p'")).as("one warning per stretch").hasSize(2);
        assertThat(one.texts()).containsExactly("m1", "m2");
        assertThat(two.texts()).containsExactly("m1", "m2");
    }
}

package dev.backplane.redis.streams;

import static dev.backplane.redis.streams.StreamsTestSupport.await;
import static dev.backplane.redis.streams.StreamsTestSupport.quietPeriod;
import static dev.backplane.redis.streams.StreamsTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A replay from a well-formed entry id after the stream's newest one (Redis lost the data it came
 * from, or it came from another prefix or server) reports a gap first, then replays everything
 * retained, then live messages. Entry ids are times: such a position compares with the stream's
 * last generated id when the subscription starts, before new entries overtake it.
 */
class RedisStreamsReplayBeyondTheEndTest extends RedisStreamsBrokerTest {

    /** Messages and gaps in the order the subscriber saw them. */
    private static final class Events implements Subscriber {
        final List<Object> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(Delivery delivery) {
            seen.add(new String(delivery.payload(), StandardCharsets.UTF_8));
            delivery.ack();
        }

        @Override
        public void onGap(Gap gap) {
            seen.add(gap);
        }

        List<Object> await(int count) {
            StreamsTestSupport.awaitCondition(() -> seen.size() >= count, () -> count + " events; saw " + seen);
            return List.copyOf(seen);
        }
    }

    @Test
    void aPositionFromAStreamThatLostItsDataReportsAGapThenDeliversWhatIsPublishedAfter() {
        Backplane backplane = support.open();
        Position stored = null;
        for (int i = 0; i < 3; i++) {
            stored = await(backplane.publish("lost", utf8("before-" + i)));
        }
        try (Jedis redis = support.redis()) {
            redis.del(support.stream("lost")); // what a Redis without persistence has after a restart
        }
        Events events = new Events();
        await(backplane.subscribe("lost", stored, events));
        await(backplane.publish("lost", utf8("after")));

        List<Object> seen = events.await(2);
        assertThat(seen.get(0)).as("first event").isInstanceOf(Gap.class);
        Gap gap = (Gap) seen.get(0);
        assertThat(gap.channel()).isEqualTo("lost");
        assertThat(gap.after()).isEqualTo(stored);
        assertThat(gap.resumedAt()).as("nothing was retained").isEqualTo(Position.NONE);
        assertThat(gap.reason()).contains("beyond the end").contains(support.stream("lost"));
        assertThat(seen.get(1)).isEqualTo("after");
    }

    @Test
    void aPositionFromAnotherPrefixReportsAGapThenReplaysEverythingRetainedThenLive() {
        Backplane here = support.open();
        Backplane elsewhere = support.open("prefix", support.prefix() + "x");
        Position first = await(here.publish("c", utf8("retained-0")));
        await(here.publish("c", utf8("retained-1")));
        // Ids are (millisecond, sequence) per stream: two streams written in one millisecond give the
        // same ids. More entries elsewhere than here, added later, end after the newest id here.
        Position beyond = null;
        for (int i = 0; i < 3; i++) {
            beyond = await(elsewhere.publish("c", utf8("elsewhere-" + i)));
        }

        Events events = new Events();
        await(here.subscribe("c", beyond, events));
        await(here.publish("c", utf8("live")));

        List<Object> seen = events.await(4);
        assertThat(seen.get(0)).isInstanceOf(Gap.class);
        Gap gap = (Gap) seen.get(0);
        assertThat(gap.after()).isEqualTo(beyond);
        assertThat(gap.resumedAt()).as("the oldest retained entry").isEqualTo(first);
        assertThat(seen.subList(1, 4)).containsExactly("retained-0", "retained-1", "live");
        quietPeriod();
        assertThat(events.seen).as("each once, one gap").hasSize(4);
    }

    @Test
    void aPositionFarInTheFutureOfATrimmedStreamReportsOneGapThenTheRetainedTail() {
        Backplane backplane = support.open("maxLen", "10");
        for (int i = 0; i < 300; i++) {
            backplane.publish("trimmed", utf8("m" + i));
        }
        await(backplane.publish("trimmed", utf8("m300")));
        Events events = new Events();
        await(backplane.subscribe("trimmed", Position.of("99999999999999-0"), events));

        StreamsTestSupport.awaitCondition(() -> events.seen.contains("m300"), () -> "the newest message; saw " + events.seen);
        quietPeriod();
        List<Object> seen = List.copyOf(events.seen);
        assertThat(seen.get(0)).isInstanceOf(Gap.class);
        assertThat(seen.stream().filter(Gap.class::isInstance)).as("gaps: the one for the position covers the "
                + "trimmed entries too").hasSize(1);
        List<Integer> numbers = seen.subList(1, seen.size()).stream()
                .map(t -> Integer.parseInt(((String) t).substring(1))).toList();
        assertThat(numbers).as("the retained tail, in order, each once").isEqualTo(
                java.util.stream.IntStream.rangeClosed(numbers.get(0), 300).boxed().toList());
    }

    @Test
    void aPositionAtTheEndIsNotBeyondIt() {
        Backplane backplane = support.open();
        await(backplane.publish("end", utf8("old")));
        Position newest = await(backplane.publish("end", utf8("newest")));
        Events events = new Events();
        await(backplane.subscribe("end", newest, events));
        await(backplane.publish("end", utf8("live")));

        assertThat(events.await(1)).containsExactly("live");
        quietPeriod();
        assertThat(events.seen).as("no gap, nothing replayed").containsExactly("live");
    }
}

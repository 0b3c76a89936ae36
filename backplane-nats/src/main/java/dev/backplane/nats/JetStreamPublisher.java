package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.Position;
import dev.backplane.spi.Completions;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import dev.backplane.spi.Ticker;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.NUID;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JetStream publishing: every publish goes through the {@link PublishOutbox} (bounded, settled
 * at its deadline) and is written by the {@link OutboxWriter} in call order with a
 * {@code Nats-Msg-Id} and a reply subject of this publisher's inbox, where JetStream's
 * acknowledgement comes back. The acknowledgement settles the publish through the outbox, so the
 * caller's future completes on the callback executor, never on the client's thread that read it.
 *
 * <h2>Order across trouble</h2>
 * Publishes go out on a connection of their own ({@link PublishLink}), which drops what it still
 * held when it breaks. Publishes written on a connection that broke before they were acknowledged
 * are written again, in their order and before anything newer, on the connection that replaces
 * it: the writer writes nothing else while one of them waits. The message id makes the server
 * store a resent message once. A publish that no stream answered ({@code 503}, no responders: the stream
 * is missing or not yet restored) goes back to the head of the queue together with every publish
 * written after it, and nothing is written for a short pause. The one case this cannot keep in
 * order: a stream that answers again between two publishes already written, the first with no
 * responders, the second stored; the first is then stored after the second.
 */
final class JetStreamPublisher {

    private static final String MSG_ID = "Nats-Msg-Id";
    private static final long NO_RESPONDERS_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final NatsLink link;
    private final Subjects subjects;
    private final String stream;
    private final ScheduledExecutorService scheduler;
    private final PublishOutbox outbox;
    private final OutboxWriter writer;
    private final PublishLink connection;
    private final String inbox;
    // Written and unanswered, by send id: the order they were written in.
    private final ConcurrentSkipListMap<Long, PendingPublish> inFlight = new ConcurrentSkipListMap<>();
    private final AtomicLong sendIds = new AtomicLong();
    // The send id of the earliest publish no stream answered, to be written again with those after it.
    private final AtomicLong resendFrom = new AtomicLong(Long.MAX_VALUE);
    private volatile long pausedUntil = System.nanoTime();
    private volatile boolean noRespondersReported;
    private final AtomicLong noResponders = new AtomicLong();

    JetStreamPublisher(BackplaneConfig config, Completions completions, dev.backplane.spi.BackplaneMonitor monitor, NatsLink link, Subjects subjects,
            StreamSettings settings) {
        this.link = link;
        this.subjects = subjects;
        this.stream = settings.stream();
        this.scheduler = config.resources().scheduler();
        this.outbox = new PublishOutbox("JetStream stream '" + stream + "' on NATS at " + link.description(), config,
                completions, scheduler, Ticker.SYSTEM, monitor);
        this.writer = new OutboxWriter(outbox, this::mayWrite, this::write, scheduler, link::execute);
        writer.beforeWrites(this::takeBackUnanswered);
        this.inbox = link.connection().createInbox();
        this.connection = new PublishLink(link, inbox, this::onAcknowledgement, () -> {
            outbox.unavailable(null);
            writer.drain();
        }, () -> outbox.unavailable("the connection to NATS at " + link.description() + " is down"));
        link.onPublishRefused(this::refused);
    }

    CompletableFuture<Position> publish(String channel, byte[] payload) {
        PendingPublish publish = outbox.submit(channel, payload);
        writer.drain();
        return publish.future();
    }

    /** What a publish keeps between its attempts. */
    private static final class Attempt {
        final String messageId = NUID.nextGlobal();
        final String subject;
        volatile long epoch;

        Attempt(String subject) {
            this.subject = subject;
        }
    }

    private boolean mayWrite() {
        if (!connection.connected() || System.nanoTime() - pausedUntil < 0) {
            return false;
        }
        // The oldest unanswered one tells: those of an earlier connection come first.
        for (Map.Entry<Long, PendingPublish> e = inFlight.firstEntry(); e != null; e = inFlight.higherEntry(e.getKey())) {
            if (!e.getValue().isSettled()) {
                return ((Attempt) e.getValue().attachment()).epoch == connection.epoch();
            }
        }
        return true;
    }

    private OutboxWriter.Result write(PendingPublish publish) {
        Attempt attempt = publish.attachment();
        if (attempt == null) {
            attempt = new Attempt(subjects.subject(publish.channel()));
            publish.attach(attempt);
        }
        long id = sendIds.incrementAndGet();
        attempt.epoch = connection.epoch();
        inFlight.put(id, publish); // before the write: the acknowledgement may come at once
        Connection nats = connection.connection();
        try {
            nats.publish(attempt.subject, inbox + "." + id, new Headers().put(MSG_ID, attempt.messageId),
                    publish.payload());
            return OutboxWriter.Result.WRITTEN;
        } catch (IllegalStateException e) {
            inFlight.remove(id);
            // Broken (it is being replaced) or its write queue stayed full: nothing was queued.
            return OutboxWriter.Result.REFUSED;
        } catch (IllegalArgumentException e) {
            inFlight.remove(id);
            outbox.fail(publish, e);
            return OutboxWriter.Result.SETTLED;
        }
    }

    /**
     * On the writing thread, before it writes: publishes that must go out again are put back at
     * the head of the outbox in their order (those of a connection that broke, and those written
     * from one that no stream answered on), so that nothing newer overtakes them.
     */
    private void takeBackUnanswered() {
        forgetSettled();
        long current = connection.epoch();
        if (connection.connected()) {
            // Written in order and epochs only grow: those of earlier connections come first.
            List<PendingPublish> lost = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (Map.Entry<Long, PendingPublish> e : inFlight.entrySet()) {
                if (((Attempt) e.getValue().attachment()).epoch == current) {
                    break;
                }
                lost.add(e.getValue());
                ids.add(e.getKey());
            }
            if (!lost.isEmpty()) {
                outbox.requeue(lost); // first: until they are out of inFlight nothing else is written
                ids.forEach(inFlight::remove);
            }
        }
        long from = resendFrom.getAndSet(Long.MAX_VALUE);
        if (from != Long.MAX_VALUE) {
            ConcurrentNavigableMap<Long, PendingPublish> after = inFlight.tailMap(from, true);
            PendingPublish unanswered = after.get(from);
            List<PendingPublish> later = new ArrayList<>(after.values());
            later.remove(unanswered);
            outbox.requeue(later);
            if (unanswered != null) {
                outbox.requeueNotWritten(unanswered); // it reached no stream: still not published, ahead of the rest
            }
            after.clear();
        }
    }

    private void forgetSettled() {
        for (Map.Entry<Long, PendingPublish> e = inFlight.firstEntry(); e != null && e.getValue().isSettled();
                e = inFlight.firstEntry()) {
            inFlight.remove(e.getKey());
        }
    }

    /** On the acknowledgement dispatcher's thread. */
    private void onAcknowledgement(Message message) {
        long id;
        try {
            id = Long.parseLong(message.getSubject().substring(inbox.length() + 1));
        } catch (RuntimeException e) {
            return;
        }
        PendingPublish publish = inFlight.get(id);
        if (publish == null) {
            return; // an earlier attempt of a publish written again, or one already settled
        }
        if (message.isStatusMessage()) {
            if (message.getStatus().getCode() == 503) {
                noResponders(id, publish);
            }
            return; // anything else is no answer: the deadline settles it
        }
        inFlight.remove(id);
        try {
            long sequence = JetStreamReplies.acknowledgedSequence(message.getData());
            if (sequence < 0) {
                sequence = new PublishAck(message).getSeqno(); // an error answer throws here
            }
            if (noRespondersReported) {
                noRespondersReported = false;
                outbox.unavailable(null);
            }
            outbox.succeed(publish, JetStreamBackplane.position(sequence));
        } catch (JetStreamApiException e) {
            outbox.fail(publish, new BackplaneException("JetStream on NATS at " + link.description()
                    + " refused the publish to '" + subjects.subject(publish.channel()) + "': " + e.getErrorDescription()
                    + " (code " + e.getApiErrorCode() + ")", e));
        } catch (IOException e) {
            outbox.fail(publish, new BackplaneException("JetStream on NATS at " + link.description()
                    + " answered the publish to '" + subjects.subject(publish.channel())
                    + "' with something that is not an acknowledgement: " + e.getMessage(), e));
        }
    }

    private void noResponders(long id, PendingPublish publish) {
        noResponders.incrementAndGet();
        noRespondersReported = true;
        outbox.unavailable("no JetStream stream took publishes to '" + subjects.subject(publish.channel())
                + "' (no responders): does stream '" + stream + "' still exist on NATS at " + link.description() + "?");
        pausedUntil = System.nanoTime() + NO_RESPONDERS_PAUSE_NANOS;
        resendFrom.accumulateAndGet(id, Math::min);
        writer.drain(); // takes them back now; writes again after the pause
        LaterOnIo.run(scheduler, link::execute, NO_RESPONDERS_PAUSE_NANOS, TimeUnit.NANOSECONDS, writer::drain);
    }

    /** The server refused publishing to {@code subject} (permissions): the publishes written to it fail now. */
    private void refused(String subject) {
        inFlight.forEach((id, p) -> {
            if (((Attempt) p.attachment()).subject.equals(subject) && inFlight.remove(id, p)) {
                outbox.fail(p, new BackplaneConfigurationException("NATS at " + link.description()
                        + " refused the publish to '" + subject
                        + "' (Permissions Violation); allow this user to publish to the prefix's subjects"));
            }
        });
    }

    /** Publishes written and not answered yet, for the module's tests. */
    int unanswered() {
        forgetSettled();
        return inFlight.size();
    }

    /** How many answers said that no stream took a publish, for the module's tests. */
    long noRespondersAnswers() {
        return noResponders.get();
    }

    /** Whether the publishing connection is up, for the module's tests. */
    boolean connected() {
        return connection.connected();
    }

    /** Lets publishes already made settle, at most {@code grace}, then fails the rest. */
    void close(Duration grace) {
        outbox.awaitSettled(grace);
        outbox.close();
        inFlight.clear();
        connection.close();
    }
}

package dev.backplane.redis.streams;

import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;
import dev.backplane.redis.RedisConnections;
import dev.backplane.spi.Backoff;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * One Redis connection and one thread that send every command of a backplane instance except the
 * blocking reads: the publishes of the instance's {@link PublishOutbox}, and the backplane's own
 * commands ({@link OwnCommand}: look-ups of subscribe, wake-ups of the reader).
 *
 * <p>The thread takes whatever has queued up and sends it as one pipeline, so a busy publisher
 * needs one round trip per batch, not per message, and one publisher's messages reach Redis in
 * the order of its calls. It only reports outcomes: the outbox completes publish futures on the
 * callback executor, so no caller's code ever runs here and a callback that publishes and waits
 * cannot stall this thread.
 *
 * <p>While Redis is unreachable the thread reconnects with a growing pause, and what arrives waits
 * in the outbox (at most {@code maxPendingPublishes} publishes and {@code outboxBytes} bytes) or
 * in the queue of own commands (at most {@value #OWN_CAPACITY}). Publishes written on a connection
 * that broke before Redis answered are looked for in their stream after reconnecting
 * ({@link PublishedEntries#find}): completed with their entry id if Redis added them, sent again if
 * it surely did not, and failed with {@code PublishOutcomeUnknownException} where the look-up
 * cannot tell (trimmed since, or the connection only timed out, so Redis may still execute them).
 * Every publish and own command is settled within {@code publishTimeout} of its submission,
 * whatever the connection does.
 */
final class CommandPipeline implements AutoCloseable {

    /** How many own commands may wait for Redis at once; one more fails at once. */
    static final int OWN_CAPACITY = 4096;

    private static final System.Logger LOG = System.getLogger(CommandPipeline.class.getName());
    private static final int MAX_BATCH = 1024;
    // Submitters unpark the thread; the timeout is only a safety net.
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    // A connection unused this long is checked before commands are sent on it: had it died while
    // idle, a failure after sending could not tell whether Redis executed the commands.
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Supplier<Jedis> connector;
    private final BooleanSupplier masterMoved;
    private final RedisFailures failures;
    private final PublishOutbox outbox;
    private final PublishedEntries entries;
    private final ScheduledExecutorService scheduler;
    private final long timeoutNanos;
    private final int waitReplicas;
    private final long waitTimeoutMillis;
    private final ArrayBlockingQueue<OwnCommand<?>> ownQueue = new ArrayBlockingQueue<>(OWN_CAPACITY);
    private final Thread thread;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private volatile boolean closing;
    private volatile boolean suspect;
    private volatile boolean parked;
    // Why the last attempt to connect failed, for the messages of own commands that time out waiting.
    private volatile String connectFailure = "";
    // Owned by the thread: taken and not yet written, written on a broken connection, own commands.
    private final List<PendingPublish> toWrite = new ArrayList<>();
    private final List<PendingPublish> toLookUp = new ArrayList<>();
    private final List<OwnCommand<?>> own = new ArrayList<>();
    private Jedis jedis;
    private long lastAnswer;
    // An own command reached a replica (READONLY) in the last pipeline: reconnect before the next.
    private boolean movedOwn;

    /**
     * @param connected a connection already open, or null
     * @param connector opens a new connection and checks that Redis serves commands; throws if not
     * @param masterMoved whether the sentinels named another master since the connection was made
     *     (always false without Sentinel): then it is made again before more is sent
     * @param waitReplicas how many replicas must confirm each batch of publishes ({@code WAIT}); 0 for none
     * @param waitTimeout how long {@code WAIT} waits for them
     * @param timeout how long an own command may wait for Redis from its submission
     */
    CommandPipeline(Jedis connected, Supplier<Jedis> connector, BooleanSupplier masterMoved, RedisFailures failures,
            PublishOutbox outbox, PublishedEntries entries, int waitReplicas, Duration waitTimeout,
            ScheduledExecutorService scheduler, Duration timeout, String threadName) {
        this.jedis = connected;
        this.lastAnswer = System.nanoTime();
        this.connector = connector;
        this.masterMoved = masterMoved;
        this.waitReplicas = waitReplicas;
        this.waitTimeoutMillis = waitTimeout.toMillis();
        this.failures = failures;
        this.outbox = outbox;
        this.entries = entries;
        this.scheduler = scheduler;
        this.timeoutNanos = timeout.toNanos();
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Tells the thread that the outbox has a publish for it. Cheap when the thread is busy. */
    void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Queues an own command.
     *
     * @param send puts the command(s) on the pipeline and returns how to read the answer
     * @return completes with the answer (on this pipeline's thread, or on the scheduler at the
     *     deadline): chain only short, non-blocking steps of the backplane on it
     */
    <T> CompletableFuture<T> submit(String command, String key, Function<Pipeline, Supplier<T>> send) {
        OwnCommand<T> c = new OwnCommand<>(command, key, send);
        if (closing) {
            c.fail(new BrokerUnavailableException("the backplane is closing; " + command + " on '" + key
                    + "' was not sent"));
            return c.future;
        }
        if (!ownQueue.offer(c)) {
            c.fail(new BrokerUnavailableException(OWN_CAPACITY + " subscribes and other commands are already waiting "
                    + "for Redis at " + failures.address() + "; " + command + " on '" + key + "' was not sent. Redis is "
                    + "down or slower than the callers"));
            return c.future;
        }
        c.deadline(scheduler.schedule(() -> c.expire(failures.address(), timeoutNanos, connectFailure), timeoutNanos,
                TimeUnit.NANOSECONDS));
        wake();
        return c.future;
    }

    /**
     * Says that another connection to Redis just broke, so that this one is checked before more
     * is sent on it: Redis going away is then noticed before sending rather than after.
     */
    void suspectConnection() {
        suspect = true;
    }

    /**
     * Stops taking commands, lets the thread send what is queued while Redis answers within the
     * deadlines, then fails whatever is left. Returns within about the publish timeout.
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        outbox.close();
        for (OwnCommand<?> c; (c = ownQueue.poll()) != null; ) {
            c.fail(new BrokerUnavailableException("the backplane was closed before " + c.command + " on '" + c.key
                    + "' was sent to Redis at " + failures.address()));
        }
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                toWrite.removeIf(PendingPublish::isSettled);
                toLookUp.removeIf(PendingPublish::isSettled);
                own.removeIf(OwnCommand::isSettled);
                if (toWrite.isEmpty() && toLookUp.isEmpty() && own.isEmpty() && !take()) {
                    if (closing) {
                        break;
                    }
                    park();
                    continue;
                }
                if ((jedis == null || !checkIdle()) && !reconnect()) {
                    backoff.pause();
                    continue;
                }
                if (!toLookUp.isEmpty() && !lookUp()) {
                    continue;
                }
                send();
            }
        } finally {
            disconnect();
        }
    }

    /** Takes what is queued, own commands first; false if nothing is. */
    private boolean take() {
        ownQueue.drainTo(own, MAX_BATCH);
        outbox.drainTo(toWrite, MAX_BATCH);
        return !toWrite.isEmpty() || !own.isEmpty();
    }

    private void park() {
        parked = true;
        try {
            // Checked again after announcing the park: a publish queued in between unparks us.
            if (outbox.nothingQueued() && ownQueue.isEmpty() && !closing) {
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
        } finally {
            parked = false;
        }
    }

    /**
     * Settles the publishes written on a broken connection that Redis added, and puts the ones it
     * surely did not add back at the head of the outbox, before anything taken later. Returns false
     * if the connection broke again meanwhile.
     */
    private boolean lookUp() {
        List<PendingPublish> again = new ArrayList<>();
        for (PendingPublish p : toLookUp) {
            if (p.isSettled()) {
                continue;
            }
            PublishedEntries.LookUp found;
            try {
                found = entries.find(jedis, p);
            } catch (RuntimeException e) {
                if (RedisFailures.isConnectionFailure(e)) {
                    disconnect();
                    return false;
                }
                outbox.lost(p, "the connection to Redis broke before it answered, and looking for the entry failed ("
                        + failures.translate(e, "XREVRANGE", null).getMessage() + ")", e);
                continue;
            }
            switch (found.found()) {
                case ADDED -> outbox.succeed(p, found.position());
                case NOT_ADDED -> again.add(p);
                case CANNOT_TELL -> outbox.lost(p, "the connection to Redis broke before it answered, and the stream "
                        + "was trimmed since, so whether Redis added it cannot be told", null);
            }
        }
        toLookUp.clear();
        lastAnswer = System.nanoTime();
        if (!again.isEmpty()) {
            again.addAll(toWrite);
            toWrite.clear();
            outbox.requeue(again);
            outbox.drainTo(toWrite, MAX_BATCH);
        }
        return true;
    }

    /** True if the connection is fresh or answers; drops it otherwise. */
    private boolean checkIdle() {
        if (masterMoved.getAsBoolean()) {
            disconnect();
            return false;
        }
        if (!suspect && System.nanoTime() - lastAnswer < IDLE_CHECK_NANOS) {
            return true;
        }
        suspect = false;
        try {
            jedis.ping();
        } catch (RuntimeException e) {
            if (RedisFailures.isConnectionFailure(e)) {
                disconnect();
                return false;
            }
            // Any answer, even a refusal (a user without PING), shows the connection is alive.
        }
        lastAnswer = System.nanoTime();
        return true;
    }

    private boolean reconnect() {
        try {
            jedis = connector.get();
            lastAnswer = System.nanoTime();
            backoff.reset();
            connectFailure = "";
            outbox.unavailable(null);
            return true;
        } catch (RuntimeException e) {
            connectFailure = " (" + e.getMessage() + ")";
            outbox.unavailable(e.getMessage());
            LOG.log(System.Logger.Level.DEBUG, () -> "Redis at " + failures.address() + " is unreachable: " + e);
            return false;
        }
    }

    /** Sends the own commands and the publishes taken, as one pipeline, and reports what Redis answered. */
    private void send() {
        List<OwnCommand<?>> ownSent = new ArrayList<>(own.size());
        List<Supplier<?>> ownAnswers = new ArrayList<>(own.size());
        List<PendingPublish> written = new ArrayList<>(toWrite.size());
        List<Response<byte[]>> ids = new ArrayList<>(toWrite.size());
        Response<Long> replicated = null;
        int handled = 0;
        try {
            Pipeline pipeline = jedis.pipelined();
            for (OwnCommand<?> c : own) {
                if (!c.isSettled()) {
                    ownSent.add(c);
                    ownAnswers.add(c.sendOn(pipeline));
                }
            }
            for (PendingPublish p : toWrite) {
                handled++;
                // Refused if it expired meanwhile: then it is not sent at all.
                if (outbox.markWritten(p)) {
                    written.add(p);
                    ids.add(entries.write(pipeline, p));
                }
            }
            // WAIT answers once the replicas have everything this connection wrote before it.
            replicated = waitReplicas > 0 && !written.isEmpty()
                    ? pipeline.waitReplicas(waitReplicas, waitTimeoutMillis) : null;
            pipeline.sync();
        } catch (RuntimeException e) {
            // A long pipeline writes to the socket as it fills: what was not reached stays to be written.
            toWrite.subList(0, handled).clear();
            broken(e, written);
            return;
        }
        toWrite.clear();
        lastAnswer = System.nanoTime();
        own.clear();
        boolean tryAgain = answerOwn(ownSent, ownAnswers);
        String notReplicated = notReplicated(replicated);
        List<PendingPublish> again = new ArrayList<>();
        List<PendingPublish> refusedByReplica = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            PendingPublish p = written.get(i);
            try {
                Position position = entries.added(p, ids.get(i).get());
                if (notReplicated == null) {
                    outbox.succeed(p, position);
                } else {
                    outbox.lost(p, notReplicated, null);
                }
            } catch (RuntimeException e) {
                if (RedisFailures.isTryAgain(e)) {
                    again.add(p);
                } else if (RedisFailures.isMasterMoved(e)) {
                    refusedByReplica.add(p);
                } else {
                    outbox.fail(p, failures.translate(e, "XADD", entries.key(p)));
                }
            }
        }
        if (!again.isEmpty()) {
            // Refused for now (Redis is loading its data, or busy with a script): sent again first.
            outbox.requeue(again);
        }
        if (!refusedByReplica.isEmpty() || movedOwn) {
            // The server is a replica now: nothing was executed. Back to the head of the queue, in
            // order, for the master the sentinels name next.
            for (int i = refusedByReplica.size() - 1; i >= 0; i--) {
                outbox.requeueNotWritten(refusedByReplica.get(i));
            }
            movedOwn = false;
            disconnect();
            backoff.pause();
        } else if (tryAgain || !again.isEmpty()) {
            backoff.pause();
        }
    }

    /** Null if no WAIT was sent or enough replicas confirmed; else why the publishes cannot be called replicated. */
    private String notReplicated(Response<Long> replicated) {
        if (replicated == null) {
            return null;
        }
        long confirmed;
        try {
            confirmed = replicated.get();
        } catch (RuntimeException e) {
            return "Redis added it, but WAIT failed (" + failures.translate(e, "WAIT", null).getMessage() + ")";
        }
        return confirmed >= waitReplicas ? null : "Redis added it on the master, but only " + confirmed + " of the "
                + waitReplicas + " replica(s) asked for (option waitReplicas) confirmed it within " + waitTimeoutMillis
                + " ms (option waitTimeout), so a failover could lose it";
    }

    /** Settles the own commands with Redis's answers; true if one must be sent again later. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private boolean answerOwn(List<OwnCommand<?>> sent, List<Supplier<?>> answers) {
        boolean tryAgain = false;
        for (int i = 0; i < sent.size(); i++) {
            OwnCommand c = sent.get(i);
            try {
                c.succeed(answers.get(i).get());
            } catch (RuntimeException e) {
                if (RedisFailures.isTryAgain(e)) {
                    own.add(c);
                    tryAgain = true;
                } else if (RedisFailures.isMasterMoved(e)) {
                    own.add(c);
                    movedOwn = true;
                } else {
                    c.fail(failures.translate(e, c.command, c.key));
                }
            }
        }
        return tryAgain;
    }

    /**
     * The connection broke while a pipeline was sent or answered: own commands go again, written
     * publishes are looked up after reconnecting, or, if Redis only stopped answering (it may
     * still execute them), fail with an unknown outcome.
     */
    private void broken(RuntimeException e, List<PendingPublish> written) {
        disconnect();
        if (!RedisFailures.isConnectionFailure(e)) {
            // Not Redis's answer nor the connection's: the client failed (it should not, for these commands).
            RuntimeException error = failures.translate(e, "a pipeline of " + (own.size() + written.size())
                    + " command(s)", null);
            own.forEach(c -> c.fail(error));
            own.clear();
            outbox.lost(written, error.getMessage(), e);
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "lost Redis at " + failures.address() + " with " + written.size()
                + " publish(es) unanswered: " + e);
        if (RedisFailures.hasCause(e, SocketTimeoutException.class)) {
            outbox.lost(written, "Redis did not answer within the socket timeout (publishTimeout)", e);
        } else {
            toLookUp.addAll(written);
        }
        backoff.pause();
    }

    private void disconnect() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                // already broken
            }
            jedis = null;
        }
    }
}

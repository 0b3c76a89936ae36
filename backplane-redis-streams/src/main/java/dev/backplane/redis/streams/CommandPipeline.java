package dev.backplane.redis.streams;

import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.redis.RedisConnections;
import dev.backplane.spi.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * One Redis connection and one thread that send every command of a backplane instance except the
 * blocking reads: publishes and the look-ups of subscribe, in the order they were submitted.
 *
 * <p>Submitted commands wait in a bounded outbox; the thread takes whatever has queued up and
 * sends it as one pipeline, so a busy publisher needs one round trip per batch, not per message,
 * and one publisher's messages reach Redis in the order of its calls. While Redis is unreachable
 * the thread reconnects with a growing pause and the outbox holds what arrives. When the
 * connection breaks after commands were sent, they are not failed: after reconnecting, a command
 * that has a check ({@code verify}) is looked for in Redis and answered from there if it took
 * effect, and every other one is sent again. Every command has a deadline of {@code timeout}
 * from its submission: a sweep fails it then if Redis has not answered, so no caller waits
 * longer, whatever the connection does.
 */
final class CommandPipeline implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CommandPipeline.class.getName());
    private static final int MAX_BATCH = 1024;
    private static final long SWEEP_MILLIS = 20;
    // A connection unused this long is checked before commands are sent on it: had it died while
    // idle, a failure after sending could not tell whether Redis executed the commands.
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Supplier<Jedis> connector;
    private final RedisFailures failures;
    private final long timeoutNanos;
    private final int capacity;
    private final LinkedBlockingQueue<Command<?>> outbox;
    // Every unsettled command in submission order, which is deadline order: the sweep stops at
    // the first command that is not due.
    private final ConcurrentLinkedQueue<Command<?>> byDeadline = new ConcurrentLinkedQueue<>();
    private final ScheduledFuture<?> sweeper;
    private final Thread thread;
    private final Backoff backoff = RedisConnections.reconnectBackoff();
    private volatile boolean closing;
    private volatile boolean suspect;
    // Why the last attempt to connect failed, for the messages of commands that time out waiting.
    private volatile String connectFailure = "";
    private Jedis jedis;
    private long lastAnswer;

    /**
     * @param connected a connection already open, or null
     * @param connector opens and checks a new connection; throws if Redis cannot be reached
     * @param timeout how long a command may wait for Redis from its submission
     */
    CommandPipeline(Jedis connected, Supplier<Jedis> connector, RedisFailures failures, Duration timeout,
            int capacity, ScheduledExecutorService timer, String threadName) {
        this.jedis = connected;
        this.lastAnswer = System.nanoTime();
        this.connector = connector;
        this.failures = failures;
        this.timeoutNanos = timeout.toNanos();
        this.capacity = capacity;
        this.outbox = new LinkedBlockingQueue<>(capacity);
        this.sweeper = timer.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a command.
     *
     * @param command what it is, for messages ({@code "XADD"})
     * @param key the key it works on, for messages
     * @param send puts the command(s) on the pipeline and returns how to read the answer once the
     *     pipeline is synced; that reader may throw what Jedis throws for an error reply
     * @param verify for a command that must not run twice: after a broken connection, finds out on
     *     the new connection whether it took effect, and its answer if it did; null for a command
     *     that may simply be sent again
     * @return completes with the answer, or fails with a {@link BackplaneException} within the timeout
     */
    <T> CompletableFuture<T> submit(String command, String key, Function<Pipeline, Supplier<T>> send,
            Function<Jedis, Optional<T>> verify) {
        Command<T> c = new Command<>(command, key, send, verify, System.nanoTime() + timeoutNanos);
        if (closing) {
            c.fail(new BrokerUnavailableException("the backplane is closing; " + command + " on '" + key + "' was not sent"));
            return c.future;
        }
        byDeadline.add(c);
        if (!outbox.offer(c)) {
            c.fail(new BrokerUnavailableException(capacity + " commands are already waiting for Redis at "
                    + failures.address() + " (option " + StreamsSettings.OUTBOX_CAPACITY + "); " + command + " on '"
                    + key + "' was not sent. Redis is down or slower than the publishers."));
        }
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
     * commands' deadlines, then fails whatever is left. Returns within about the timeout.
     */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        sweeper.cancel(false);
        for (Command<?> c; (c = byDeadline.poll()) != null; ) {
            c.fail(new BrokerUnavailableException("the backplane was closed before Redis at " + failures.address()
                    + " answered " + c.command + " on '" + c.key + "'" + c.sentNote()));
        }
    }

    private void run() {
        List<Command<?>> batch = new ArrayList<>();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (batch.isEmpty()) {
                    if (closing && outbox.isEmpty()) {
                        break;
                    }
                    Command<?> first = outbox.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    outbox.drainTo(batch, MAX_BATCH - 1);
                }
                batch.removeIf(Command::isSettled);
                if (batch.isEmpty()) {
                    continue;
                }
                if ((jedis == null || !checkIdle()) && !reconnect()) {
                    backoff.pause();
                    continue;
                }
                if (!verify(batch)) {
                    continue;
                }
                List<Command<?>> again = send(batch);
                batch.clear();
                if (!again.isEmpty()) {
                    // The connection broke, or Redis refused for now (still loading its data):
                    // the same commands go first again.
                    batch.addAll(again);
                    backoff.pause();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            disconnect();
        }
    }

    /**
     * Settles the commands of the batch that took effect before the connection broke; the rest
     * are sent again. Returns false if the connection broke again meanwhile.
     */
    private boolean verify(List<Command<?>> batch) {
        for (Command<?> c : batch) {
            if (c.uncertain && !c.isSettled()) {
                try {
                    c.settleIfDone(jedis);
                } catch (RuntimeException e) {
                    if (RedisFailures.isConnectionFailure(e)) {
                        disconnect();
                        return false;
                    }
                    c.fail(failures.translate(e, c.command, c.key));
                }
            }
        }
        batch.removeIf(Command::isSettled);
        return true;
    }

    /** True if the connection is fresh or answers; drops it otherwise. */
    private boolean checkIdle() {
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
            return true;
        } catch (RuntimeException e) {
            connectFailure = " (" + e.getMessage() + ")";
            LOG.log(System.Logger.Level.DEBUG, () -> "Redis at " + failures.address() + " is unreachable: " + e);
            return false;
        }
    }

    /** Sends a batch; returns the commands Redis asked to send again later. */
    private List<Command<?>> send(List<Command<?>> batch) {
        List<Command<?>> sent = new ArrayList<>(batch.size());
        List<Supplier<?>> answers = new ArrayList<>(batch.size());
        Pipeline pipeline = jedis.pipelined();
        for (Command<?> c : batch) {
            if (c.markSent()) {
                Supplier<?> answer;
                try {
                    answer = c.send.apply(pipeline);
                } catch (RuntimeException e) {
                    // Refused by the client before anything was written for it.
                    c.fail(failures.translate(e, c.command, c.key));
                    continue;
                }
                sent.add(c);
                answers.add(answer);
            }
        }
        try {
            pipeline.sync();
        } catch (RuntimeException e) {
            disconnect();
            LOG.log(System.Logger.Level.DEBUG, () -> "lost Redis at " + failures.address() + " with " + sent.size()
                    + " command(s) unanswered; they are checked and sent again after reconnecting: " + e);
            List<Command<?>> again = new ArrayList<>();
            for (Command<?> c : sent) {
                if (c.requeueUncertain()) {
                    again.add(c);
                }
            }
            return again;
        }
        lastAnswer = System.nanoTime();
        List<Command<?>> again = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            if (!sent.get(i).answer(answers.get(i), failures)) {
                again.add(sent.get(i));
            }
        }
        return again;
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

    private void sweep() {
        // A little early rather than late: the caller must hear within the timeout.
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SWEEP_MILLIS);
        for (Command<?> head = byDeadline.peek(); head != null; head = byDeadline.peek()) {
            if (head.isSettled()) {
                byDeadline.poll();
            } else if (head.deadline - due <= 0) {
                byDeadline.poll();
                head.expire(failures.address(), timeoutNanos, connectFailure);
            } else {
                return;
            }
        }
    }

    /** One submitted command and its outcome. */
    private static final class Command<T> {
        private static final int QUEUED = 0;
        private static final int SENT = 1;
        private static final int SETTLED = 2;

        final String command;
        final String key;
        final Function<Pipeline, Supplier<T>> send;
        final Function<Jedis, Optional<T>> verify;
        final long deadline;
        final CompletableFuture<T> future = new CompletableFuture<>();
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        // Sent on a connection that broke before Redis answered: it may have taken effect.
        volatile boolean uncertain;

        Command(String command, String key, Function<Pipeline, Supplier<T>> send, Function<Jedis, Optional<T>> verify,
                long deadline) {
            this.command = command;
            this.key = key;
            this.send = send;
            this.verify = verify;
            this.deadline = deadline;
        }

        /** Back to the queue after a broken connection; false if the deadline settled it already. */
        boolean requeueUncertain() {
            uncertain = true;
            return state.compareAndSet(SENT, QUEUED);
        }

        /** On a new connection: settles the command if it took effect, else leaves it to be sent again. */
        void settleIfDone(Jedis jedis) {
            if (verify != null) {
                Optional<T> done = verify.apply(jedis);
                if (done.isPresent() && state.compareAndSet(QUEUED, SETTLED)) {
                    future.complete(done.get());
                    return;
                }
            }
            uncertain = false;
        }

        boolean markSent() {
            return state.compareAndSet(QUEUED, SENT);
        }

        boolean isSettled() {
            return state.get() == SETTLED;
        }

        /** Settles the command with Redis's answer; false if Redis asked to try again later. */
        @SuppressWarnings("unchecked")
        boolean answer(Supplier<?> answer, RedisFailures failures) {
            try {
                T value = (T) answer.get();
                state.set(SETTLED);
                future.complete(value);
            } catch (RuntimeException e) {
                if (RedisFailures.isTryAgain(e) && state.compareAndSet(SENT, QUEUED)) {
                    return false;
                }
                fail(failures.translate(e, command, key));
            }
            return true;
        }

        void fail(Throwable failure) {
            state.set(SETTLED);
            future.completeExceptionally(failure);
        }

        void expire(String address, long timeoutNanos, String connectFailure) {
            while (true) {
                int s = state.get();
                if (s == SETTLED) {
                    return;
                }
                if (state.compareAndSet(s, SETTLED)) {
                    String timeout = TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms";
                    future.completeExceptionally(new BrokerUnavailableException(s == QUEUED && !uncertain
                            ? "Redis at " + address + " could not be reached within " + timeout + " (publishTimeout)"
                                    + connectFailure + "; " + command + " on '" + key + "' was not sent"
                            : "Redis at " + address + " did not answer " + command + " on '" + key + "' within "
                                    + timeout + " (publishTimeout); it may or may not have executed it"));
                    return;
                }
            }
        }

        String sentNote() {
            return state.get() == SENT || uncertain ? "; it was sent, so Redis may or may not have executed it"
                    : "; it was not sent";
        }
    }
}

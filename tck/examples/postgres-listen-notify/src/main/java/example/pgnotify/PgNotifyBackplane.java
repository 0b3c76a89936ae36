package example.pgnotify;

import dev.backplane.BackplaneConfig;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Capabilities;
import dev.backplane.DeliveryGuarantee;
import dev.backplane.Gap;
import dev.backplane.Position;
import dev.backplane.Subscriber;
import dev.backplane.Subscription;
import dev.backplane.spi.AbstractBackplane;
import dev.backplane.spi.DaemonThreads;
import dev.backplane.spi.SubscriberDispatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A backplane on PostgreSQL's LISTEN/NOTIFY: at most once, no replay, in order per publisher.
 * Every channel of a prefix travels on one PostgreSQL channel (named after a hash of the prefix);
 * a notification's payload is the logical channel, a newline, and the payload in Base64.
 */
final class PgNotifyBackplane extends AbstractBackplane {

    /** NOTIFY takes payloads below 8000 bytes: 200 characters of channel, a sequence number, Base64 of this. */
    static final int MAX_PAYLOAD = 5000;
    static final String MAX_SUBSCRIBER_BACKLOG = "maxSubscriberBacklog";
    private static final int MAX_PENDING_PUBLISHES = 10_000;

    private final String jdbcUrl;
    private final Properties login;
    private final String pgChannel;
    private final int maxBacklog;
    private final Capabilities capabilities;
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(new DaemonThreads("pgnotify-publish"));
    private final ExecutorService deliveries = Executors.newCachedThreadPool(new DaemonThreads("pgnotify-deliver"));
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<String, Set<PgSubscription>> subscriptions = new ConcurrentHashMap<>();
    private final Thread listener;
    private volatile CompletableFuture<Void> listening = new CompletableFuture<>();
    private volatile Connection listenConnection;
    private final java.util.Queue<Outgoing> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();
    private Connection publishConnection; // publisher thread only

    PgNotifyBackplane(BackplaneConfig config) {
        super(config);
        String authority = config.uri().getRawAuthority();
        String path = config.uri().getRawPath();
        this.jdbcUrl = "jdbc:postgresql://" + authority + (path == null || path.isEmpty() ? "/postgres" : path);
        this.login = new Properties();
        login.setProperty("user", config.option("user", "postgres"));
        String password = config.option("password", null);
        if (password != null) {
            login.setProperty("password", password);
        }
        login.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        this.pgChannel = "bp_" + hash(config.prefix());
        this.maxBacklog = (int) config.longOption(MAX_SUBSCRIBER_BACKLOG, 10_000, 1, 1_000_000);
        this.capabilities = new Capabilities("pgnotify", DeliveryGuarantee.AT_MOST_ONCE, false, true, MAX_PAYLOAD, true);
        this.listener = new DaemonThreads("pgnotify-listen").newThread(this::listen);
        listener.start();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ---------------------------------------------------------------- publishing

    @Override
    protected CompletableFuture<Position> doPublish(String channel, byte[] payload) {
        long deadline = System.nanoTime() + config.publishTimeout().toNanos();
        if (pending.incrementAndGet() > MAX_PENDING_PUBLISHES) {
            pending.decrementAndGet();
            return CompletableFuture.failedFuture(new BrokerUnavailableException(MAX_PENDING_PUBLISHES
                    + " publishes are already waiting for PostgreSQL"));
        }
        // The sequence number keeps every notification text unique: PostgreSQL folds identical
        // notifications of one transaction into one, and a batch is one transaction.
        String text = channel + "\n" + sequence.incrementAndGet() + "\n" + Base64.getEncoder().encodeToString(payload);
        Outgoing outgoing = new Outgoing(text, deadline, new CompletableFuture<>());
        queue.add(outgoing);
        try {
            publisher.execute(this::flush);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (queue.remove(outgoing)) {
                pending.decrementAndGet();
                outgoing.result.completeExceptionally(new BrokerUnavailableException("the backplane is closing"));
            }
        }
        return outgoing.result;
    }

    /** A notification waiting for the publisher thread. */
    private record Outgoing(String text, long deadline, CompletableFuture<Position> result) {
    }

    /** Sends what is queued, up to 500 notifications in one transaction. Publisher thread only. */
    private void flush() {
        List<Outgoing> batch = new ArrayList<>();
        for (Outgoing o = queue.poll(); o != null; o = batch.size() < 500 ? queue.poll() : null) {
            batch.add(o);
        }
        if (batch.isEmpty()) {
            return;
        }
        SQLException last = null;
        while (!batch.isEmpty()) {
            long now = System.nanoTime();
            batch.removeIf(o -> {
                if (now - o.deadline < 0) {
                    return false;
                }
                pending.decrementAndGet();
                o.result.completeExceptionally(new BrokerUnavailableException("PostgreSQL at " + jdbcUrl
                        + " did not take a notification within " + config.publishTimeout()));
                return true;
            });
            if (batch.isEmpty()) {
                return;
            }
            try {
                send(batch);
                batch.forEach(o -> {
                    pending.decrementAndGet();
                    o.result.complete(Position.NONE);
                });
                return;
            } catch (SQLException e) {
                last = e;
                closeQuietly(publishConnection);
                publishConnection = null;
                sleep(100);
            }
        }
    }

    private void send(List<Outgoing> batch) throws SQLException {
        if (publishConnection == null) {
            publishConnection = DriverManager.getConnection(jdbcUrl, login);
            publishConnection.setAutoCommit(false);
        }
        try (PreparedStatement notify = publishConnection.prepareStatement("SELECT pg_notify(?, ?)")) {
            for (Outgoing o : batch) {
                notify.setString(1, pgChannel);
                notify.setString(2, o.text);
                notify.addBatch();
            }
            notify.executeBatch();
        }
        publishConnection.commit();
    }

    // ---------------------------------------------------------------- subscribing

    @Override
    protected CompletableFuture<Subscription> doSubscribe(String channel, Position from, Subscriber subscriber) {
        PgSubscription subscription = new PgSubscription(channel, subscriber);
        subscriptions.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(subscription);
        return listening.orTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, failure) -> {
                    if (failure != null) {
                        subscription.close();
                        throw new BrokerUnavailableException("PostgreSQL at " + jdbcUrl + " is not listening: "
                                + (failure instanceof TimeoutException ? "no connection within "
                                + config.connectTimeout() : failure.getMessage()), failure);
                    }
                    return subscription;
                });
    }

    /** The listener thread: LISTEN, then hand every notification to the subscriptions of its channel. */
    private void listen() {
        boolean reconnected = false;
        while (!isClosed()) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, login)) {
                listenConnection = connection;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + pgChannel);
                }
                listening.complete(null);
                if (reconnected) {
                    subscriptions.values().forEach(set -> set.forEach(s -> s.dispatch.gap(new Gap(s.channel,
                            Position.NONE, Position.NONE, "the connection to PostgreSQL was lost"))));
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (!isClosed()) {
                    PGNotification[] notifications = pg.getNotifications(250);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            dispatch(n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (listening.isDone()) {
                    listening = new CompletableFuture<>();
                }
                reconnected = true;
                sleep(200);
            }
        }
    }

    private void dispatch(String text) {
        int newline = text.indexOf('\n');
        int second = newline < 0 ? -1 : text.indexOf('\n', newline + 1);
        if (second < 0) {
            return;
        }
        Set<PgSubscription> of = subscriptions.get(text.substring(0, newline));
        if (of == null || of.isEmpty()) {
            return;
        }
        byte[] payload = Base64.getDecoder().decode(text.substring(second + 1));
        for (PgSubscription s : of) {
            s.dispatch.offer(payload.clone());
        }
    }

    private final class PgSubscription implements Subscription {
        final String channel;
        final SubscriberDispatch dispatch;

        PgSubscription(String channel, Subscriber subscriber) {
            this.channel = channel;
            this.dispatch = SubscriberDispatch.atMostOnce(channel, subscriber, deliveries, maxBacklog,
                    MAX_SUBSCRIBER_BACKLOG);
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void close() {
            dispatch.close();
            Set<PgSubscription> of = subscriptions.get(channel);
            if (of != null) {
                of.remove(this);
            }
        }
    }

    // ---------------------------------------------------------------- closing

    @Override
    protected void doClose() {
        subscriptions.values().forEach(set -> set.forEach(PgSubscription::close));
        publisher.shutdown();
        try {
            publisher.awaitTermination(config.publishTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        publisher.shutdownNow();
        // The publisher thread is gone: its connection can be closed from here.
        closeQuietly(publishConnection);
        closeQuietly(listenConnection);
        listener.interrupt();
        try {
            listener.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliveries.shutdown();
        listening.completeExceptionally(new IllegalStateException("closed"));
    }

    private static String hash(String prefix) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(prefix.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already gone
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

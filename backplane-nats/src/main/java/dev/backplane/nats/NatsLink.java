package dev.backplane.nats;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.spi.DaemonThreads;
import io.nats.client.AuthenticationException;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ServerInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One jnats connection, set up the way both NATS backplanes need it: unlimited reconnects with a
 * bounded wait, no client-side reconnect buffer (publishes made while the connection is down are
 * refused by jnats, so none is sent later behind the caller's back; the backplane's outbox holds
 * them instead), daemon threads, and events handed to the backplane.
 *
 * <p>jnats' event callbacks run on a single thread this class owns, so that
 * {@link #awaitCallbacks} can wait until every event queued before a point has been seen; the
 * backplane uses that to learn of a permission refusal before it confirms an operation.
 */
final class NatsLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(NatsLink.class.getName());

    private final NatsSettings settings;
    private final String transport;
    private final ExecutorService callbacks;
    private final ExecutorService executor;
    private final ExecutorService connectExecutor;
    private final ScheduledExecutorService scheduler;
    private final PermissionViolations violations = new PermissionViolations();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> disconnectListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> slowConsumerListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<String>> publishRefusedListeners = new CopyOnWriteArrayList<>();
    private volatile Connection connection;

    private NatsLink(NatsSettings settings, String transport) {
        this.settings = settings;
        this.transport = transport;
        this.callbacks = Executors.newSingleThreadExecutor(new DaemonThreads("backplane-" + transport + "-events"));
        this.executor = Executors.newCachedThreadPool(new DaemonThreads("backplane-" + transport + "-client"));
        // Ours, not a thread factory: jnats does not shut down a connect executor made from a factory.
        this.connectExecutor = Executors.newSingleThreadExecutor(new DaemonThreads("backplane-" + transport + "-connect"));
        this.scheduler = Executors.newScheduledThreadPool(1, new DaemonThreads("backplane-" + transport + "-client-timer"));
    }

    /**
     * Connects, waiting at most the connect timeout.
     *
     * @throws BackplaneConfigurationException if the host is unknown or the credentials are refused
     * @throws BrokerUnavailableException if no server answered in time
     */
    static NatsLink open(NatsSettings settings, String transport) {
        NatsLink link = new NatsLink(settings, transport);
        try {
            link.connect();
            return link;
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }

    private void connect() {
        ServerErrors errors = new ServerErrors();
        connection = connect(options(settings.connectionName(), new ConnectionEvents(), errors).build(), errors);
    }

    /**
     * A further connection to the same servers, on this link's threads and with its error
     * handling, that never reconnects by itself: when it breaks, jnats closes it and drops what it
     * had not written yet, so nothing goes out later on a new connection behind the owner's back.
     * Connecting waits at most the connect timeout; failures are reported as for {@link #open}.
     *
     * @param role added to the connection's name, for the server's monitoring
     * @param events told of the connection's events (on the event thread)
     */
    Connection openCompanion(String role, ConnectionListener events) {
        ServerErrors errors = new ServerErrors();
        return connect(options(settings.connectionName() + "-" + role, events, errors).noReconnect().build(), errors);
    }

    private Connection connect(Options options, ServerErrors errors) {
        Duration timeout = settings.connectTimeout();
        CompletableFuture<Connection> attempt = CompletableFuture.supplyAsync(() -> {
            try {
                return Nats.connect(options);
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, executor);
        try {
            // jnats waits out the connect timeout for a PONG even after the server refused the
            // credentials; the refusal it reports to the error listener ends the wait at once.
            Object first = CompletableFuture.anyOf(attempt, errors.refusedCredentials)
                    .get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            if (first instanceof Connection connected) {
                errors.connecting = false;
                return connected;
            }
            attempt.thenAccept(NatsLink::closeQuietly);
            throw refusedCredentials(String.valueOf(first), null);
        } catch (TimeoutException e) {
            // jnats may still succeed later: close what it opens, nobody will use it.
            attempt.thenAccept(NatsLink::closeQuietly);
            throw unreachable("no answer within connectTimeout=" + timeout, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            attempt.thenAccept(NatsLink::closeQuietly);
            throw new BrokerUnavailableException("interrupted while connecting to NATS at " + settings.description(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw connectFailure(cause, errors);
        }
    }

    private BackplaneConfigurationException refusedCredentials(String why, Throwable cause) {
        return new BackplaneConfigurationException("NATS at " + settings.description()
                + " refused " + settings.credentials().method() + " (" + why + "); give the "
                + "credentials the server's authorization has for this user (user:password@ or token@ in the URI, "
                + NatsCredentials.NKEY_SEED_FILE + " or " + NatsCredentials.CREDS_FILE + ")", cause);
    }

    private RuntimeException connectFailure(Throwable cause, ServerErrors errors) {
        if (cause instanceof AuthenticationException) {
            return refusedCredentials(cause.getMessage(), cause);
        }
        try {
            awaitCallbacks(Duration.ofMillis(200)); // the reason jnats reported to the error listener
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tls = tlsFailure(cause, errors);
        if (tls != null) {
            return new BackplaneConfigurationException("TLS to NATS at " + settings.description() + " failed: " + tls,
                    cause);
        }
        String unknownHost = unknownHost();
        if (unknownHost != null) {
            return new BackplaneConfigurationException("unknown host '" + unknownHost + "' in NATS URI "
                    + settings.description() + "; check the host name", cause);
        }
        return unreachable(cause.getMessage(), cause);
    }

    /** What TLS says about a failed connect, from what jnats reported, or by asking the server; null if TLS had no part. */
    private String tlsFailure(Throwable cause, ServerErrors errors) {
        for (Exception reported : errors.reported) {
            String why = TlsFailures.describe(reported);
            if (why != null) {
                return why;
            }
        }
        String why = TlsFailures.describe(cause);
        if (why != null || settings.tls() == null) {
            return why;
        }
        return TlsFailures.describe(TlsRefusalProbe.refusal(settings.tls(), settings.servers().get(0),
                Duration.ofMillis(Math.min(500, settings.connectTimeout().toMillis()))));
    }

    private BrokerUnavailableException unreachable(String why, Throwable cause) {
        return new BrokerUnavailableException("cannot connect to NATS at " + settings.description() + " (" + why
                + "); check host and port, and that nats-server is running and reachable", cause);
    }

    /** The first configured host that does not resolve, if any; bounded by a short wait. */
    private String unknownHost() {
        for (String server : settings.servers()) {
            String host = URI.create(server).getHost();
            CompletableFuture<Boolean> lookup = CompletableFuture.supplyAsync(() -> {
                try {
                    InetAddress.getAllByName(host);
                    return true;
                } catch (UnknownHostException e) {
                    return false;
                }
            }, executor);
            try {
                if (!lookup.get(1, TimeUnit.SECONDS)) {
                    return host;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException | TimeoutException e) {
                return null;
            }
        }
        return null;
    }

    private Options.Builder options(String name, ConnectionListener events, ServerErrors errors) {
        Options.Builder builder = new Options.Builder()
                .servers(settings.servers().toArray(String[]::new))
                .connectionName(name)
                .connectionTimeout(settings.connectTimeout())
                .maxReconnects(-1)
                .reconnectWait(settings.reconnectWait())
                // Zero: jnats refuses publishes while disconnected instead of sending them later.
                .reconnectBufferSize(0)
                .pingInterval(settings.pingInterval())
                // A large client queue: a publish finds it full only when the network cannot keep
                // up, and then waits at most jnats' push timeout before it stays in the outbox.
                .maxMessagesInOutgoingQueue(65_536)
                .executor(executor)
                .scheduledExecutor(scheduler)
                .callbackExecutor(callbacks)
                .connectExecutor(connectExecutor)
                .readerThreadFactory(new DaemonThreads("backplane-" + transport + "-reader"))
                .writerThreadFactory(new DaemonThreads("backplane-" + transport + "-writer"))
                .connectionListener(events)
                .errorListener(errors);
        settings.credentials().applyTo(builder);
        builder.inboxPrefix(settings.inboxPrefix());
        if (settings.tls() != null) {
            builder.sslContext(settings.tls()).dataPortType(PromptlyClosingTlsDataPort.class.getName());
        }
        return builder;
    }

    Connection connection() {
        return connection;
    }

    /** What the link connects to, for messages. */
    String description() {
        return settings.description();
    }

    NatsSettings settings() {
        return settings;
    }

    /** Whether the connection is up right now. */
    boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    /**
     * Waits until the connection is up, at most until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @return whether it is up
     */
    boolean awaitConnected(long deadlineNanos) throws InterruptedException {
        while (!connected()) {
            if (System.nanoTime() - deadlineNanos >= 0 || connection.getStatus() == Connection.Status.CLOSED) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Which server connection the client is on now, from the server's greeting (its id and the
     * client id it gave this connection): a new connection, also to the same server, has another.
     * Read when it matters (around a write, after a PONG); jnats' reconnect count is no use for
     * that, as it changes only after the new connection already carries traffic.
     */
    ServerInfo serverConnection() {
        return connection.getServerInfo();
    }

    /** Whether two readings of {@link #serverConnection()} are of the same connection. */
    static boolean sameConnection(ServerInfo a, ServerInfo b) {
        return a == b || (a != null && b != null && a.getClientId() == b.getClientId()
                && java.util.Objects.equals(a.getServerId(), b.getServerId()));
    }

    PermissionViolations violations() {
        return violations;
    }

    /** Runs {@code task} on one of the client's I/O threads (never user code). */
    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Runs {@code listener} on the event thread after every reconnect; it must not block for long. */
    void onReconnected(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** Runs {@code listener} on the event thread each time jnats reports the connection dropped; it must not block. */
    void onDisconnected(Runnable listener) {
        disconnectListeners.add(listener);
    }

    /** Runs {@code listener} on the event thread when jnats dropped messages for a slow consumer. */
    void onSlowConsumer(Runnable listener) {
        slowConsumerListeners.add(listener);
    }

    /** Runs {@code listener} with the subject on the event thread when the server refuses a publish (permissions). */
    void onPublishRefused(java.util.function.Consumer<String> listener) {
        publishRefusedListeners.add(listener);
    }

    /** Waits until the event callbacks queued so far have run. */
    void awaitCallbacks(Duration timeout) throws InterruptedException {
        try {
            callbacks.submit(() -> { }).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            // A busy or closed event thread: the caller goes on with what has been recorded.
        }
    }

    @Override
    public void close() {
        closeQuietly(connection);
        callbacks.shutdownNow();
        connectExecutor.shutdownNow();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a NATS connection failed", e);
        }
    }

    private final class ConnectionEvents implements ConnectionListener {
        @Override
        @SuppressWarnings("deprecation")
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            // jnats calls the four-argument form, whose default lands here.
            if (connection == null) {
                return; // events of the first connect attempts; open() reports how those went
            }
            switch (type) {
                // No log line here: the backplane's monitor logs each change of the connection once.
                case DISCONNECTED -> disconnectListeners.forEach(NatsLink::runQuietly);
                case RECONNECTED -> reconnectListeners.forEach(NatsLink::runQuietly);
                default -> {
                }
            }
        }
    }

    private final class ServerErrors implements ErrorListener {
        /** The exceptions jnats reported on this connection while connecting: what made the attempt fail. */
        final List<Exception> reported = new CopyOnWriteArrayList<>();
        /** Completed with the server's error when it refuses the credentials while connecting. */
        final CompletableFuture<String> refusedCredentials = new CompletableFuture<>();
        volatile boolean connecting = true;

        @Override
        public void errorOccurred(Connection conn, String error) {
            if (connecting && isAuthenticationError(error)) {
                refusedCredentials.complete(error);
            }
            PermissionViolations.Refusal refusal = violations.record(error);
            LOG.log(System.Logger.Level.WARNING, "NATS at {0} reported: {1}{2}", settings.description(), error,
                    refusal != null ? " (grant the permission in the server's authorization for this user)" : "");
            if (refusal != null && refusal.kind() == PermissionViolations.Kind.PUBLISH) {
                publishRefusedListeners.forEach(l -> runQuietly(() -> l.accept(refusal.subject())));
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            if (connecting && reported.size() < 16) {
                reported.add(exp);
            }
            LOG.log(System.Logger.Level.DEBUG, "NATS client exception on " + settings.description(), exp);
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            LOG.log(System.Logger.Level.WARNING, "the NATS client dropped messages for a slow subscriber on {0}",
                    settings.description());
            slowConsumerListeners.forEach(NatsLink::runQuietly);
        }
    }

    /** What jnats itself counts as a refusal of the credentials (its {@code isAuthenticationError}). */
    private static boolean isAuthenticationError(String error) {
        String e = error == null ? "" : error.toLowerCase(java.util.Locale.ROOT);
        return e.contains("user authentication") || e.contains("authorization violation")
                || e.contains("authentication expired") || e.contains("authentication revoked");
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a NATS event listener failed", e);
        }
    }
}

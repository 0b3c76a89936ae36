package dev.backplane.spi;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneEvent;
import dev.backplane.BackplaneListener;
import dev.backplane.BackplaneMetrics;
import dev.backplane.Delivery;
import dev.backplane.Gap;
import dev.backplane.Health;
import dev.backplane.PublishFailure;
import dev.backplane.Registration;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * What one backplane knows about its own operation, in one place: the state of its broker
 * connection, its counters, and its events. {@link AbstractBackplane} creates one per backplane;
 * its {@code health()}, {@code metrics()} and {@code addListener} are views of it.
 *
 * <h2>What a transport calls</h2>
 * Only {@link #connected()} where its broker connection comes up (the first time and after every
 * loss) and {@link #connectionLost(String)} where it drops (and where a reconnect attempt fails).
 * Both may be called from any thread, as often as convenient: only changes of state count, so a
 * transport can report from every place it learns the truth. Everything else is reported by the
 * SPI's own parts: publishes by {@link PublishOutbox} (given this monitor), deliveries and gaps by
 * the subscriber {@link AbstractBackplane} hands to {@code doSubscribe}, backlogs by
 * {@link SubscriberDispatch} made with that subscriber.
 *
 * <h2>Cost</h2>
 * Counting is a {@link LongAdder} increment; the publish and delivery path allocate nothing here.
 * Events are built only when someone listens, and only for state changes and failures.
 *
 * <h2>Logs</h2>
 * One line per change of the connection's state, through {@link System.Logger} (route it to SLF4J
 * as the README says): INFO when connected and restored, WARNING when lost, with the broker and
 * the cause. Nothing per message.
 */
public final class BackplaneMonitor implements BackplaneMetrics {

    private static final System.Logger LOG = System.getLogger(BackplaneMonitor.class.getName());

    /** The state of the broker connection. */
    public enum ConnectionState {
        /** No connection was made yet. */
        CONNECTING,
        CONNECTED,
        /** The connection was lost; the transport reconnects. */
        DISCONNECTED,
        CLOSED
    }

    private final java.util.function.Supplier<BackplaneEvent.Source> sourceOf;
    private volatile BackplaneEvent.Source source;
    // Named by the URI's scheme until the transport can name itself (its constructor is still running).
    private BackplaneEvent.Source provisional;
    private final EventDispatcher<BackplaneEvent> own;
    private final EventDispatcher<BackplaneEvent> shared;
    private final Ticker ticker;

    private final LongAdder publishes = new LongAdder();
    private final LongAdder[] failures = new LongAdder[PublishFailure.values().length];
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder redeliveries = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder reconnects = new LongAdder();
    private final CopyOnWriteArrayList<PublishOutbox> outboxes = new CopyOnWriteArrayList<>();
    private final Set<SubscriberDispatch> dispatches = ConcurrentHashMap.newKeySet();
    private final LatencyRecorders latencyRecorders = new LatencyRecorders();
    private volatile long lastDeliveryNanos;
    private volatile boolean delivered;

    // Connection state, guarded by this.
    private ConnectionState state = ConnectionState.CONNECTING;
    private Instant since = Instant.now();
    private long sinceNanos;
    private String lastError;
    private Instant lastErrorAt;

    /**
     * @param transport the transport's short name, as in its capabilities
     * @param config the backplane's configuration: its prefix, broker URI and resources
     */
    public BackplaneMonitor(String transport, BackplaneConfig config) {
        this(() -> transport, config);
    }

    /**
     * As {@link #BackplaneMonitor(String, BackplaneConfig)}, with the transport's name asked for
     * when first needed (a transport's capabilities may not be set while its constructor runs).
     */
    public BackplaneMonitor(java.util.function.Supplier<String> transport, BackplaneConfig config) {
        this(() -> {
            String name = transport.get();
            return name == null ? null : new BackplaneEvent.Source(name, config.prefix(), broker(config.uri()));
        }, config.resources().callbackExecutor(), config.resources().events(), Ticker.SYSTEM);
        this.provisional = new BackplaneEvent.Source(config.uri().getScheme(), config.prefix(), broker(config.uri()));
    }

    /** As the other constructors, with every part given (for tests). */
    public BackplaneMonitor(java.util.function.Supplier<BackplaneEvent.Source> source,
            java.util.concurrent.Executor callbackExecutor, EventDispatcher<BackplaneEvent> shared, Ticker ticker) {
        this.sourceOf = Objects.requireNonNull(source, "source");
        this.own = new EventDispatcher<>(callbackExecutor);
        this.shared = Objects.requireNonNull(shared, "shared");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sinceNanos = ticker.nanoTime();
        for (int i = 0; i < failures.length; i++) {
            failures[i] = new LongAdder();
        }
    }

    /** The URI's scheme, host and port (no user, password, path or query): what tags and messages name. */
    static String broker(URI uri) {
        String authority = uri.getRawAuthority();
        if (authority != null && authority.contains("@")) {
            authority = authority.substring(authority.lastIndexOf('@') + 1);
        }
        return uri.getScheme() + "://" + (authority == null ? "" : authority);
    }

    /** Which backplane this is, as events and tags name it. */
    @Override
    public BackplaneEvent.Source source() {
        BackplaneEvent.Source s = source;
        if (s == null) {
            s = sourceOf.get();
            if (s == null) {
                return provisional;
            }
            source = s;
        }
        return s;
    }

    // ------------------------------------------------------------------ connection state (transports)

    /**
     * The broker connection is up: the first time raises {@link BackplaneEvent.Connected}, after a
     * loss {@link BackplaneEvent.ConnectionRestored}. Calls while connected change nothing.
     */
    public void connected() {
        BackplaneEvent event;
        synchronized (this) {
            if (state == ConnectionState.CONNECTED || state == ConnectionState.CLOSED) {
                return;
            }
            Instant now = Instant.now();
            long nanos = ticker.nanoTime();
            if (state == ConnectionState.CONNECTING) {
                event = new BackplaneEvent.Connected(source(), now);
                LOG.log(System.Logger.Level.INFO, () -> "backplane " + source() + " connected");
            } else {
                Duration downtime = Duration.ofNanos(nanos - sinceNanos);
                reconnects.increment();
                event = new BackplaneEvent.ConnectionRestored(source(), now, downtime);
                LOG.log(System.Logger.Level.INFO, () -> "backplane " + source() + " restored its connection after "
                        + downtime.toMillis() + " ms");
            }
            state = ConnectionState.CONNECTED;
            since = now;
            sinceNanos = nanos;
        }
        raise(event);
    }

    /**
     * The broker connection dropped, or an attempt to make or remake it failed, because of
     * {@code cause}. The first call after {@link #connected()} raises
     * {@link BackplaneEvent.ConnectionLost}; later calls (failed reconnect attempts) only keep the
     * newest cause as the last error.
     */
    public void connectionLost(String cause) {
        String why = cause == null || cause.isBlank() ? "unknown cause" : cause;
        BackplaneEvent event = null;
        synchronized (this) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            Instant now = Instant.now();
            lastError = why;
            lastErrorAt = now;
            if (state == ConnectionState.CONNECTED) {
                state = ConnectionState.DISCONNECTED;
                since = now;
                sinceNanos = ticker.nanoTime();
                event = new BackplaneEvent.ConnectionLost(source(), now, why);
                LOG.log(System.Logger.Level.WARNING, () -> "backplane " + source() + " lost its connection (" + why
                        + "); reconnecting");
            }
        }
        if (event != null) {
            raise(event);
        }
    }

    /** The backplane is closed: DOWN from now on, and no event after this. */
    public synchronized void closed() {
        state = ConnectionState.CLOSED;
        since = Instant.now();
        sinceNanos = ticker.nanoTime();
    }

    /** The connection's state now. */
    public synchronized ConnectionState state() {
        return state;
    }

    // ------------------------------------------------------------------ reports from the SPI's parts

    /** A publish the broker accepted, {@code nanos} after its call. */
    void published(long nanos) {
        publishes.increment();
        latencyRecorders.record(nanos);
    }

    void publishFailed(String channel, PublishFailure cause, Throwable error) {
        failures[cause.ordinal()].increment();
        if (hasListeners()) {
            raise(new BackplaneEvent.PublishFailed(source(), Instant.now(), channel, cause, String.valueOf(
                    error.getMessage())));
        }
    }

    void outboxFilling(PublishOutbox outbox) {
        if (hasListeners()) {
            raise(new BackplaneEvent.OutboxFilling(source(), Instant.now(), outbox.pending(), outbox.maxPending(),
                    outbox.pendingBytes(), outbox.maxBytes()));
        }
    }

    void outboxDrained(PublishOutbox outbox) {
        if (hasListeners()) {
            raise(new BackplaneEvent.OutboxDrained(source(), Instant.now(), outbox.pending(), outbox.maxPending()));
        }
    }

    void delivered(String channel, Delivery delivery) {
        deliveries.increment();
        lastDeliveryNanos = ticker.nanoTime();
        if (!delivered) {
            delivered = true;
        }
        if (delivery.redelivered()) {
            redeliveries.increment();
            if (hasListeners()) {
                raise(new BackplaneEvent.Redelivered(source(), Instant.now(), channel, delivery.position()));
            }
        }
    }

    void gap(Gap gap) {
        gaps.increment();
        if (hasListeners()) {
            raise(new BackplaneEvent.GapReported(source(), Instant.now(), gap.channel(), gap.reason()));
        }
    }

    void backlogFull(String channel, int limit, String option) {
        if (hasListeners()) {
            raise(new BackplaneEvent.SubscriberBacklogFull(source(), Instant.now(), channel, limit, option));
        }
    }

    void register(PublishOutbox outbox) {
        outboxes.addIfAbsent(outbox);
    }

    void register(SubscriberDispatch dispatch) {
        dispatches.add(dispatch);
    }

    void unregister(SubscriberDispatch dispatch) {
        dispatches.remove(dispatch);
    }

    /** The subscriber a transport gets in place of {@code subscriber}: it counts what it is handed. */
    dev.backplane.Subscriber observe(String channel, dev.backplane.Subscriber subscriber) {
        return new MonitoredSubscriber(channel, subscriber, this);
    }

    // ------------------------------------------------------------------ events

    /** Makes {@code listener} hear this backplane's events. */
    public Registration addListener(BackplaneListener listener) {
        Objects.requireNonNull(listener, "listener");
        return own.add(listener::onEvent);
    }

    private boolean hasListeners() {
        return own.hasListeners() || shared.hasListeners();
    }

    private void raise(BackplaneEvent event) {
        own.publish(event);
        shared.publish(event);
    }

    // ------------------------------------------------------------------ health

    /** The health now: see {@link dev.backplane.Backplane#health()}. */
    public Health health() {
        ConnectionState s;
        Instant at;
        String error;
        Instant errorAt;
        synchronized (this) {
            s = state;
            at = since;
            error = lastError;
            errorAt = lastErrorAt;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("transport", source().transport());
        details.put("prefix", source().prefix());
        details.put("broker", source().broker());
        details.put("connected", s == ConnectionState.CONNECTED);
        details.put("state", s.name().toLowerCase(java.util.Locale.ROOT));
        details.put("since", at.toString());
        if (error != null) {
            details.put("lastError", error);
            details.put("lastErrorAt", errorAt.toString());
        }
        double fill = outboxFill();
        details.put("outboxPending", outboxDepth());
        details.put("outboxFill", Math.round(fill * 1000) / 1000.0);
        details.put("unacknowledged", unacknowledged());
        details.put("subscriberBacklog", subscriberBacklog());
        int atBound = subscriptionsAtBound();
        details.put("subscriptionsAtBound", atBound);
        if (delivered) {
            details.put("lastDeliveryAgeMillis", Duration.ofNanos(ticker.nanoTime() - lastDeliveryNanos).toMillis());
        }
        details.put("reconnects", reconnects.sum());
        Health.Status status = s != ConnectionState.CONNECTED ? Health.Status.DOWN
                : fill > BackplaneEvent.OutboxFilling.THRESHOLD || atBound > 0 ? Health.Status.DEGRADED
                : Health.Status.UP;
        return Health.of(status, details);
    }

    /** The fullest outbox's fill, by count or by bytes, from 0 to 1. */
    private double outboxFill() {
        double fill = 0;
        for (PublishOutbox o : outboxes) {
            fill = Math.max(fill, o.fill());
        }
        return fill;
    }

    private int subscriptionsAtBound() {
        int n = 0;
        for (SubscriberDispatch d : dispatches) {
            if (d.atBound()) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ BackplaneMetrics

    @Override
    public long publishes() {
        return publishes.sum();
    }

    @Override
    public long publishFailures(PublishFailure cause) {
        return failures[cause.ordinal()].sum();
    }

    @Override
    public long deliveries() {
        return deliveries.sum();
    }

    @Override
    public long redeliveries() {
        return redeliveries.sum();
    }

    @Override
    public long gaps() {
        return gaps.sum();
    }

    @Override
    public long reconnects() {
        return reconnects.sum();
    }

    @Override
    public int outboxDepth() {
        int n = 0;
        for (PublishOutbox o : outboxes) {
            n += o.pending();
        }
        return n;
    }

    @Override
    public long outboxBytes() {
        long n = 0;
        for (PublishOutbox o : outboxes) {
            n += o.pendingBytes();
        }
        return n;
    }

    @Override
    public int subscriberBacklog() {
        int n = 0;
        for (SubscriberDispatch d : dispatches) {
            n += d.backlog();
        }
        return n;
    }

    @Override
    public int unacknowledged() {
        int n = 0;
        for (SubscriberDispatch d : dispatches) {
            n += d.unacknowledgedOrZero();
        }
        return n;
    }

    @Override
    public synchronized boolean isConnected() {
        return state == ConnectionState.CONNECTED;
    }

    @Override
    public Registration onPublishLatency(LongConsumer recorder) {
        return latencyRecorders.add(recorder);
    }

    @Override
    public String toString() {
        return "BackplaneMonitor[" + source() + ", " + state() + "]";
    }
}

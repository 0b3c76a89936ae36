package dev.backplane.signalr;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a SignalR endpoint treats its connections. Start from {@link #defaults()} and adjust with the
 * {@code with...} methods.
 *
 * @param transports the transports offered at negotiate and accepted (default all three)
 * @param keepAliveInterval a Ping goes to a client that was sent nothing for this long (default 15 s,
 *     what the official clients expect)
 * @param clientTimeout a client silent for this long is dropped (default 30 s, twice the clients' ping interval)
 * @param handshakeTimeout a connection without a handshake this long after it was opened is closed (default 15 s)
 * @param maxMessageSize the largest frame or request body a client may send (default 32 KiB); a larger one
 *     closes the connection with an error saying so
 * @param longPollTimeout how long a long poll waits for data before it returns empty (default 90 s)
 * @param maxPendingInvocations invocations of one connection waiting for their turn (default 1024); a
 *     client that sends more is closed with an error
 * @param maxPendingWrites frames written to one connection's transport and not yet sent (default 4096); a
 *     client that does not read them is closed as a slow client
 * @param statefulReconnectBufferSize bytes of sent messages kept for a client that asked for stateful
 *     reconnect until it acknowledges them (default 1,000,000)
 * @param reconnectWindow how long a connection with stateful reconnect waits for its client to come back
 *     after its transport dropped (default 30 s)
 * @param clientResultTimeout the wait of {@link SingleClientProxy#invoke} callers who give none (default 30 s)
 * @param detailedErrors whether error completions carry the exception's type and message (default false)
 * @param authenticator who a request is from (default anonymous)
 */
public record SignalROptions(Set<TransportType> transports, Duration keepAliveInterval, Duration clientTimeout,
        Duration handshakeTimeout, int maxMessageSize, Duration longPollTimeout, int maxPendingInvocations,
        int maxPendingWrites, int statefulReconnectBufferSize, Duration reconnectWindow,
        Duration clientResultTimeout, boolean detailedErrors, Authenticator authenticator) {

    public SignalROptions {
        transports = Set.copyOf(Objects.requireNonNull(transports, "transports"));
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("at least one transport must be enabled");
        }
        positive(keepAliveInterval, "keepAliveInterval");
        positive(clientTimeout, "clientTimeout");
        positive(handshakeTimeout, "handshakeTimeout");
        positive(longPollTimeout, "longPollTimeout");
        positive(reconnectWindow, "reconnectWindow");
        positive(clientResultTimeout, "clientResultTimeout");
        atLeast(maxMessageSize, 64, "maxMessageSize");
        atLeast(maxPendingInvocations, 1, "maxPendingInvocations");
        atLeast(maxPendingWrites, 1, "maxPendingWrites");
        atLeast(statefulReconnectBufferSize, 1024, "statefulReconnectBufferSize");
        Objects.requireNonNull(authenticator, "authenticator");
    }

    public static SignalROptions defaults() {
        return new SignalROptions(EnumSet.allOf(TransportType.class), Duration.ofSeconds(15), Duration.ofSeconds(30),
                Duration.ofSeconds(15), 32 * 1024, Duration.ofSeconds(90), 1024, 4096, 1_000_000,
                Duration.ofSeconds(30), Duration.ofSeconds(30), false, Authenticator.ANONYMOUS);
    }

    public SignalROptions withTransports(Set<TransportType> value) {
        return new SignalROptions(value, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    /** Sets the ping interval and the client timeout together (the timeout should be about twice the interval). */
    public SignalROptions withKeepAlive(Duration interval, Duration timeout) {
        return new SignalROptions(transports, interval, timeout, handshakeTimeout, maxMessageSize, longPollTimeout,
                maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    public SignalROptions withHandshakeTimeout(Duration value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, value, maxMessageSize, longPollTimeout,
                maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    public SignalROptions withMaxMessageSize(int value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, value,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    public SignalROptions withLongPollTimeout(Duration value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                value, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    public SignalROptions withMaxPendingInvocations(int value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, value, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    public SignalROptions withMaxPendingWrites(int value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, value, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, authenticator);
    }

    /** Sets the replay buffer of stateful reconnect and how long a dropped client may take to come back. */
    public SignalROptions withStatefulReconnect(int bufferSize, Duration window) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, bufferSize, window, clientResultTimeout,
                detailedErrors, authenticator);
    }

    public SignalROptions withClientResultTimeout(Duration value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                value, detailedErrors, authenticator);
    }

    public SignalROptions withDetailedErrors(boolean value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, value, authenticator);
    }

    public SignalROptions withAuthenticator(Authenticator value) {
        return new SignalROptions(transports, keepAliveInterval, clientTimeout, handshakeTimeout, maxMessageSize,
                longPollTimeout, maxPendingInvocations, maxPendingWrites, statefulReconnectBufferSize, reconnectWindow,
                clientResultTimeout, detailedErrors, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    private static void atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }
}

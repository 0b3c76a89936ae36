package dev.backplane.hub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A one-way message for a client: the client method to call and its arguments as a JSON array,
 * serialized once by the sender. One instance, with one array, is handed to every local recipient
 * of a send: write it to the client as it is and never modify the array.
 *
 * <p>An endpoint that frames the message for its clients (a wire protocol, a compression) asks
 * {@link #encoded} for the frame: it is made once per format for the whole send, by the first
 * recipient that needs it, and shared by the others.
 */
public final class HubMessage {

    private final String method;
    private final byte[] argumentsJson;
    // Created on first use: most sends are framed in one or two formats.
    private volatile ConcurrentHashMap<Object, Object> encodings;

    /**
     * @param method the client-side method name (SignalR's "target")
     * @param argumentsJson the arguments as UTF-8 JSON array text, e.g. {@code ["alice","hi"]}
     */
    public HubMessage(String method, byte[] argumentsJson) {
        this.method = Objects.requireNonNull(method, "method");
        this.argumentsJson = Objects.requireNonNull(argumentsJson, "argumentsJson");
    }

    /** The client-side method name. */
    public String method() {
        return method;
    }

    /** The arguments as UTF-8 JSON array text; shared by every recipient, never modify it. */
    public byte[] argumentsJson() {
        return argumentsJson;
    }

    /** The arguments as text, for logs and tests. */
    public String argumentsText() {
        return new String(argumentsJson, StandardCharsets.UTF_8);
    }

    /**
     * This message encoded in {@code format}: {@code encoder} runs at most once per format per
     * message (concurrent callers for one format wait for the first), and every later call for
     * that format returns the same object. {@code format} is compared with {@code equals}; the
     * result must be treated as immutable, since every recipient gets it. Callable from any thread.
     *
     * @throws NullPointerException if {@code encoder} returns null
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Object format, Function<? super HubMessage, ? extends T> encoder) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(encoder, "encoder");
        ConcurrentHashMap<Object, Object> map = encodings;
        if (map == null) {
            synchronized (this) {
                map = encodings;
                if (map == null) {
                    map = new ConcurrentHashMap<>(4);
                    encodings = map;
                }
            }
        }
        return (T) map.computeIfAbsent(format, f -> Objects.requireNonNull(encoder.apply(this),
                "encoder returned null for format " + f));
    }

    /** Equal when method and argument bytes are equal; cached encodings do not count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HubMessage other && method.equals(other.method)
                && Arrays.equals(argumentsJson, other.argumentsJson);
    }

    @Override
    public int hashCode() {
        return 31 * method.hashCode() + Arrays.hashCode(argumentsJson);
    }

    @Override
    public String toString() {
        return "HubMessage[" + method + argumentsText() + "]";
    }
}

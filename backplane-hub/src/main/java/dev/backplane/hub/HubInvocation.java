package dev.backplane.hub;

import java.nio.charset.StandardCharsets;

/**
 * A request for a result from one client ({@link HubContext#invoke}). Exactly one of
 * {@link #complete}, {@link #completeJson} or {@link #fail} should be called; later calls are
 * ignored and return false.
 */
public final class HubInvocation {

    private final HubNode node;
    private final String connectionId;
    private final String invocationId;
    private final String method;
    private final byte[] argumentsJson;

    HubInvocation(HubNode node, String connectionId, String invocationId, String method, byte[] argumentsJson) {
        this.node = node;
        this.connectionId = connectionId;
        this.invocationId = invocationId;
        this.method = method;
        this.argumentsJson = argumentsJson;
    }

    public String connectionId() {
        return connectionId;
    }

    /** The id to put in the client's invocation message and to answer with. */
    public String invocationId() {
        return invocationId;
    }

    public String method() {
        return method;
    }

    /** The arguments as a UTF-8 JSON array; never modify it. */
    public byte[] argumentsJson() {
        return argumentsJson;
    }

    public String argumentsText() {
        return new String(argumentsJson, StandardCharsets.UTF_8);
    }

    /** Answers with {@code result}, serialized as JSON. */
    public boolean complete(Object result) {
        return node.completeInvocation(connectionId, invocationId, result);
    }

    /** Answers with a result that is already JSON text in UTF-8. */
    public boolean completeJson(byte[] resultJson) {
        return node.completeInvocationJson(connectionId, invocationId, resultJson);
    }

    /** Answers with an error; the caller's future fails with {@link ClientInvocationException}. */
    public boolean fail(String error) {
        return node.failInvocation(connectionId, invocationId, error);
    }

    @Override
    public String toString() {
        return "HubInvocation[" + invocationId + " " + method + argumentsText() + " on " + connectionId + "]";
    }
}

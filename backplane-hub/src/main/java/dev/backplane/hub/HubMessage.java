package dev.backplane.hub;

import java.nio.charset.StandardCharsets;

/**
 * A one-way message for a client: the client method to call and its arguments as a JSON array,
 * serialized once by the sender. One instance, with one array, is handed to every local recipient
 * of a send: write it to the client as it is and never modify the array.
 *
 * @param method the client-side method name (SignalR's "target")
 * @param argumentsJson the arguments as UTF-8 JSON array text, e.g. {@code ["alice","hi"]}
 */
public record HubMessage(String method, byte[] argumentsJson) {

    /** The arguments as text, for logs and tests. */
    public String argumentsText() {
        return new String(argumentsJson, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "HubMessage[" + method + argumentsText() + "]";
    }
}

package dev.backplane.signalr.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;

/**
 * One message of the SignalR hub protocol, as either side sends it. Values (arguments, items,
 * results) are Jackson trees, whatever the protocol on the wire: MessagePack binary becomes a
 * {@link com.fasterxml.jackson.databind.node.BinaryNode}.
 */
public sealed interface SignalRMessage {

    /** Types 1 to 5 are numbered for stateful reconnect; the others are not. */
    default boolean sequenced() {
        return false;
    }

    /** Type 1: call {@code target}; with an id, the callee answers with one {@link Completion}. */
    record Invocation(String invocationId, String target, ArrayNode arguments, List<String> streamIds)
            implements SignalRMessage {
        public Invocation {
            streamIds = streamIds == null ? List.of() : List.copyOf(streamIds);
        }

        @Override
        public boolean sequenced() {
            return true;
        }
    }

    /** Type 2: one item of a stream, server-to-client or client-to-server. */
    record StreamItem(String invocationId, JsonNode item) implements SignalRMessage {
        @Override
        public boolean sequenced() {
            return true;
        }
    }

    /** Type 3: the end of an invocation or stream: an error, a result, or neither (void). */
    record Completion(String invocationId, String error, JsonNode result, boolean hasResult)
            implements SignalRMessage {
        public static Completion ofVoid(String invocationId) {
            return new Completion(invocationId, null, null, false);
        }

        public static Completion ofResult(String invocationId, JsonNode result) {
            return new Completion(invocationId, null, result, true);
        }

        public static Completion ofError(String invocationId, String error) {
            return new Completion(invocationId, error, null, false);
        }

        @Override
        public boolean sequenced() {
            return true;
        }
    }

    /** Type 4: call a method that answers with a stream of items. */
    record StreamInvocation(String invocationId, String target, ArrayNode arguments, List<String> streamIds)
            implements SignalRMessage {
        public StreamInvocation {
            streamIds = streamIds == null ? List.of() : List.copyOf(streamIds);
        }

        @Override
        public boolean sequenced() {
            return true;
        }
    }

    /** Type 5: the client no longer wants a stream it asked for. */
    record CancelInvocation(String invocationId) implements SignalRMessage {
        @Override
        public boolean sequenced() {
            return true;
        }
    }

    /** Type 6: keep-alive. */
    record Ping() implements SignalRMessage {
    }

    /** Type 7: the sender closes the connection, with an error when there is one. */
    record Close(String error, boolean allowReconnect) implements SignalRMessage {
    }

    /** Type 8: every sequenced message up to and including {@code sequenceId} arrived. */
    record Ack(long sequenceId) implements SignalRMessage {
    }

    /** Type 9: the next sequenced message the sender sends has id {@code sequenceId}. */
    record Sequence(long sequenceId) implements SignalRMessage {
    }
}

package dev.backplane.hub;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What travels on the hub's channels. One envelope per send, encoded once and published to every
 * channel the target needs; its message id is {@code sender + ":" + seq}.
 *
 * @param kind what it is
 * @param sender the node id of the sender (where answers go)
 * @param seq the sender's sequence number: unique per sender, increasing in send order; for
 *     {@link Kind#PRESENCE} the sender's presence sequence instead
 * @param target for sends; for group commands and invocations {@code connections(id)}; else null
 * @param correlation request id of a command, invocation or reply; empty otherwise
 * @param name the client method (send, invoke), the group (group commands), the error code (error
 *     replies); empty otherwise
 * @param payload arguments JSON (send, invoke), result JSON (reply), error text (error reply),
 *     presence JSON (presence); never modified once built
 */
record Envelope(Kind kind, String sender, long seq, Target target, String correlation, String name, byte[] payload) {

    /** The envelope kinds; their codes are part of the wire format. */
    enum Kind {
        SEND(1), INVOKE(2), GROUP_ADD(3), GROUP_REMOVE(4), REPLY_OK(5), REPLY_ERROR(6), PRESENCE(7),
        SNAPSHOT_REQUEST(8), GOODBYE(9),
        /** A context's message to its own inbox: hearing it proves the broker carries its messages. */
        ECHO(10);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    static final byte[] EMPTY = new byte[0];

    Envelope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(correlation, "correlation");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payload, "payload");
    }

    String messageId() {
        return sender + ":" + seq;
    }

    /** The single connection id of a command or invocation. */
    String connectionId() {
        return target.names().get(0);
    }

    static Envelope control(Kind kind, String sender, long seq, String connectionId, String correlation, String name,
            byte[] payload) {
        Target target = connectionId == null ? null : new Target(Target.Kind.CONNECTIONS, List.of(connectionId), Set.of());
        return new Envelope(kind, sender, seq, target, correlation, name, payload);
    }
}

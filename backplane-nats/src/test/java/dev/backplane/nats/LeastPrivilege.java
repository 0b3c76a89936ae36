package dev.backplane.nats;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The NATS permissions a backplane needs, and no more: what the README's {@code authorization}
 * block documents, generated here for the tests that prove it suffices and that it keeps tenants
 * apart. For prefix {@code P} (stream {@code P}, inboxes {@code _INBOX.P}):
 * <ul>
 *   <li>both transports publish to {@code P.>} (the channels);
 *   <li>core NATS subscribes to {@code P.>};
 *   <li>JetStream asks its API about its own stream and consumers only (stream info, creation and
 *       message reads of stream {@code P}; creation, deletion and pull requests of consumers on
 *       it), and gets every answer, acknowledgement and delivery on {@code _INBOX.P.>}.
 * </ul>
 * No {@code $JS.ACK.>}: the consumers acknowledge nothing on the server (acknowledgement and
 * redelivery are done in the client).
 */
final class LeastPrivilege {

    private LeastPrivilege() {
    }

    /** What a user of {@code prefix} may publish to, on both transports. */
    static List<String> publish(String prefix) {
        return List.of(prefix + ".>",
                "$JS.API.STREAM.INFO." + prefix,
                "$JS.API.STREAM.CREATE." + prefix,
                "$JS.API.STREAM.MSG.GET." + prefix,
                "$JS.API.CONSUMER.CREATE." + prefix + ".>",
                "$JS.API.CONSUMER.DELETE." + prefix + ".>",
                "$JS.API.CONSUMER.MSG.NEXT." + prefix + ".>");
    }

    /** What a user of {@code prefix} may subscribe to, on both transports. */
    static List<String> subscribe(String prefix) {
        return List.of(prefix + ".>", "_INBOX." + prefix + ".>");
    }

    /** A {@code users} entry of nats-server's {@code authorization} block for a backplane on {@code prefix}. */
    static String user(String name, String password, String prefix) {
        return user(name, password, publish(prefix), List.of(), subscribe(prefix), List.of());
    }

    /** A {@code users} entry with allow and deny lists. */
    static String user(String name, String password, List<String> publishAllow, List<String> publishDeny,
            List<String> subscribeAllow, List<String> subscribeDeny) {
        return "{ user: " + quoted(name) + ", password: " + quoted(password) + ", permissions: {\n"
                + "    publish: { allow: " + list(publishAllow) + ", deny: " + list(publishDeny) + " }\n"
                + "    subscribe: { allow: " + list(subscribeAllow) + ", deny: " + list(subscribeDeny) + " }\n"
                + "} }";
    }

    private static String list(List<String> subjects) {
        return subjects.stream().map(LeastPrivilege::quoted).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }
}

package dev.backplane.nats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's permission refusals, as it reports them ({@code -ERR 'Permissions Violation for
 * Publish to "subject"'}): core NATS refuses a publish or a subscription without failing anything on
 * the client, so a backplane asks here whether the subjects of an operation were refused after the
 * operation was sent.
 *
 * <p>Each refusal gets a number from a counter; an operation notes {@link #mark()} before it is
 * sent and later asks {@link #refusedSince} for its subject. A refusal of the same subject recorded
 * after the mark is, by NATS' static permissions, a refusal of that operation too.
 */
final class PermissionViolations {

    /** What the server refused. */
    enum Kind { PUBLISH, SUBSCRIBE }

    /** One refusal: what, and of which subject. */
    record Refusal(Kind kind, String subject) {
    }

    private static final Pattern VIOLATION =
            Pattern.compile("Permissions Violation for (Publish|Subscription) to \"?([^\"\\s]+)\"?");

    private final AtomicLong counter = new AtomicLong();
    private final Map<String, Long> lastRefusal = new ConcurrentHashMap<>();

    /** The current position of the counter, to be noted before an operation is sent. */
    long mark() {
        return counter.get();
    }

    /** Records a server error if it is a permission violation; returns it, or null if it was none. */
    Refusal record(String serverError) {
        if (serverError == null) {
            return null;
        }
        Matcher m = VIOLATION.matcher(serverError);
        if (!m.find()) {
            return null;
        }
        Kind kind = m.group(1).equals("Publish") ? Kind.PUBLISH : Kind.SUBSCRIBE;
        lastRefusal.put(key(kind, m.group(2)), counter.incrementAndGet());
        return new Refusal(kind, m.group(2));
    }

    /** Whether the server refused {@code kind} on {@code subject} after {@code mark} was taken. */
    boolean refusedSince(Kind kind, String subject, long mark) {
        Long at = lastRefusal.get(key(kind, subject));
        return at != null && at > mark;
    }

    private static String key(Kind kind, String subject) {
        return kind + " " + subject;
    }
}

package dev.backplane.nats;

import dev.backplane.Channels;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where logical channels live on NATS: channel {@code C} under prefix {@code P} is the subject
 * {@code P.C}, byte for byte.
 *
 * <p>Why no escaping is needed: a prefix holds no {@code .} ({@link Channels#requireValidPrefix}),
 * so the first token is always the whole prefix and two prefixes never share a subject; a channel
 * never starts or ends with {@code .} nor contains {@code ..}, so every token is non-empty and the
 * subject is valid; and the channel alphabet ({@code A-Z a-z 0-9 - _ . : @ = +}) holds neither
 * wildcard ({@code *}, {@code >}) nor white space, so a channel is always a literal subject that
 * matches only itself. The mapping is therefore one-to-one, and the dots of a channel such as
 * {@code chat.room1} become NATS tokens, which lets NATS tools look at a hierarchy
 * ({@code nats sub 'P.chat.>'}).
 */
final class Subjects {

    /** How many channels' subjects are kept; past that, a subject is built on each call. */
    static final int CACHED = 4096;

    private final String prefix;
    // The subjects of channels used so far (publishing asks on every message): no concatenation
    // and no second check of the name per publish. Bounded, so that many short-lived channels
    // cost no more than building the subject each time.
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    Subjects(String prefix) {
        this.prefix = Channels.requireValidPrefix(prefix);
    }

    /** The prefix every subject starts with. */
    String prefix() {
        return prefix;
    }

    /** The subject of {@code channel}. */
    String subject(String channel) {
        String subject = channel == null ? null : cache.get(channel);
        if (subject == null) {
            subject = prefix + "." + Channels.requireValid(channel);
            if (cache.size() < CACHED) {
                cache.put(channel, subject);
            }
        }
        return subject;
    }

    /** The wildcard covering every channel of the prefix, and nothing else. */
    String allChannels() {
        return prefix + ".>";
    }
}

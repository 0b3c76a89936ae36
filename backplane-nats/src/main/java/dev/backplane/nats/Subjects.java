package dev.backplane.nats;

import dev.backplane.Channels;

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
record Subjects(String prefix) {

    Subjects {
        Channels.requireValidPrefix(prefix);
    }

    /** The subject of {@code channel}. */
    String subject(String channel) {
        return prefix + "." + Channels.requireValid(channel);
    }

    /** The wildcard covering every channel of the prefix, and nothing else. */
    String allChannels() {
        return prefix + ".>";
    }
}

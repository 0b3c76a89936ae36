package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JetStream stream of a prefix and the retention it is created with. One stream holds every
 * channel of the prefix (subjects {@code prefix.>}); the options apply when the backplane creates
 * the stream, an existing stream is used as it is.
 *
 * @param duplicateWindow how long the server recognises a resent {@code Nats-Msg-Id}; at least the
 *     publish timeout, so a publish resent after a reconnect is stored once
 */
record StreamSettings(
        String stream,
        boolean create,
        StorageType storage,
        int replicas,
        Duration maxAge,
        long maxMessages,
        long maxBytes,
        long maxMessagesPerSubject,
        Duration duplicateWindow) {

    static final String STREAM = "stream";
    static final String CREATE_STREAM = "createStream";
    static final String STORAGE = "storage";
    static final String REPLICAS = "replicas";
    static final String MAX_AGE = "maxAge";
    static final String MAX_MESSAGES = "maxMessages";
    static final String MAX_BYTES = "maxBytes";
    static final String MAX_MESSAGES_PER_SUBJECT = "maxMsgsPerSubject";

    /** The options of the stream, accepted by the JetStream provider only. */
    static final Set<String> OPTIONS =
            Set.of(STREAM, CREATE_STREAM, STORAGE, REPLICAS, MAX_AGE, MAX_MESSAGES, MAX_BYTES, MAX_MESSAGES_PER_SUBJECT);

    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    static final Duration MIN_DUPLICATE_WINDOW = Duration.ofMinutes(2);

    private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * Reads the stream options of {@code config}.
     *
     * @throws BackplaneConfigurationException naming the option and what it accepts
     */
    static StreamSettings of(BackplaneConfig config) {
        String stream = config.option(STREAM, config.prefix());
        if (!STREAM_NAME.matcher(stream).matches()) {
            throw new BackplaneConfigurationException("option 'stream' has value '" + stream + "' in "
                    + config.redactedUri() + "; expected 1 to 64 characters from A-Z a-z 0-9 - _");
        }
        StorageType storage = switch (config.option(STORAGE, "file").trim().toLowerCase(Locale.ROOT)) {
            case "file" -> StorageType.File;
            case "memory" -> StorageType.Memory;
            default -> throw new BackplaneConfigurationException("option 'storage' has value '"
                    + config.option(STORAGE, "") + "' in " + config.redactedUri() + "; expected file or memory");
        };
        Duration maxAge = config.duration(MAX_AGE, DEFAULT_MAX_AGE);
        Duration window = config.publishTimeout().compareTo(MIN_DUPLICATE_WINDOW) > 0
                ? config.publishTimeout() : MIN_DUPLICATE_WINDOW;
        if (window.compareTo(maxAge) > 0) {
            // The server refuses a duplicate window longer than the age limit.
            window = maxAge;
        }
        return new StreamSettings(stream,
                config.booleanOption(CREATE_STREAM, true),
                storage,
                (int) config.longOption(REPLICAS, 1, 1, 5),
                maxAge,
                limit(config, MAX_MESSAGES),
                limit(config, MAX_BYTES),
                limit(config, MAX_MESSAGES_PER_SUBJECT),
                window);
    }

    private static long limit(BackplaneConfig config, String name) {
        long value = config.longOption(name, -1, -1, Long.MAX_VALUE);
        if (value == 0) {
            throw new BackplaneConfigurationException("option '" + name + "' has value '0' in " + config.redactedUri()
                    + "; expected a positive limit, or -1 for none");
        }
        return value;
    }

    /** The configuration the stream is created with: limits retention, oldest discarded first. */
    StreamConfiguration configuration(Subjects subjects) {
        return StreamConfiguration.builder()
                .name(stream)
                .description("backplane channels of prefix '" + subjects.prefix() + "'")
                .subjects(subjects.allChannels())
                .retentionPolicy(RetentionPolicy.Limits)
                .discardPolicy(DiscardPolicy.Old)
                .storageType(storage)
                .replicas(replicas)
                .maxAge(maxAge)
                .maxMessages(maxMessages)
                .maxBytes(maxBytes)
                .maxMessagesPerSubject(maxMessagesPerSubject)
                .duplicateWindow(duplicateWindow)
                .build();
    }
}

package dev.backplane.redis.streams;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.redis.RedisEndpoint;
import java.util.HashSet;
import java.util.Set;

/**
 * The options of the Redis Streams backplane beyond the common ones, read once from the
 * configuration.
 *
 * @param maxLen how many entries each channel's stream keeps, at least ({@code XADD MAXLEN ~ maxLen})
 * @param maxPayloadBytes the largest payload a publish accepts
 * @param readBatch the most entries read from one stream per {@code XREAD} (never above {@code maxLen})
 */
record StreamsSettings(long maxLen, int maxPayloadBytes, int readBatch) {

    static final String MAX_LEN = "maxLen";
    static final String MAX_PAYLOAD_BYTES = "maxPayload";
    static final String READ_BATCH = "readBatch";

    static final long DEFAULT_MAX_LEN = 10_000;
    static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
    static final int DEFAULT_READ_BATCH = 100;
    // Redis refuses bulk strings above 512 MB (proto-max-bulk-len); keep room for the entry around it.
    static final int LARGEST_PAYLOAD_BYTES = 512 * 1024 * 1024 - 64 * 1024;

    /** Every option the provider accepts beyond the common ones. */
    static final Set<String> OPTIONS;

    static {
        Set<String> all = new HashSet<>(RedisEndpoint.OPTIONS);
        all.addAll(Set.of(MAX_LEN, MAX_PAYLOAD_BYTES, READ_BATCH));
        OPTIONS = Set.copyOf(all);
    }

    static StreamsSettings from(BackplaneConfig config) {
        long maxLen = config.longOption(MAX_LEN, DEFAULT_MAX_LEN, 1, Long.MAX_VALUE);
        int maxPayload = (int) config.longOption(MAX_PAYLOAD_BYTES, DEFAULT_MAX_PAYLOAD_BYTES, 1, LARGEST_PAYLOAD_BYTES);
        int readBatch = (int) config.longOption(READ_BATCH, DEFAULT_READ_BATCH, 1, 100_000);
        if (maxPayload >= config.outboxBytes()) {
            throw new BackplaneConfigurationException("option '" + MAX_PAYLOAD_BYTES + "' (" + maxPayload
                    + " bytes) must be smaller than option '" + BackplaneConfig.OUTBOX_BYTES + "' ("
                    + config.outboxBytes() + " bytes, what all waiting publishes may hold) in " + config.redactedUri()
                    + ", or no publish of the largest payload could ever wait for Redis; raise "
                    + BackplaneConfig.OUTBOX_BYTES);
        }
        // A read never asks for more entries than trimming keeps: then a trim that removed entries
        // this reader had not read always shows as a full batch, which is what triggers the gap check.
        return new StreamsSettings(maxLen, maxPayload, (int) Math.min(readBatch, maxLen));
    }
}

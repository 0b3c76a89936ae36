package dev.backplane.redis.streams;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.redis.RedisEndpoint;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The options of the Redis Streams backplane beyond the common ones, read once from the
 * configuration.
 *
 * @param maxLen how many entries each channel's stream keeps, at least ({@code XADD MAXLEN ~ maxLen})
 * @param maxPayloadBytes the largest payload a publish accepts
 * @param readBatch the most entries read from one stream per {@code XREAD} (never above {@code maxLen})
 * @param waitReplicas how many replicas must confirm a batch of publishes ({@code WAIT}) before they
 *     complete; 0 (the default) sends no {@code WAIT}
 * @param waitTimeout how long {@code WAIT} waits for them; shorter than {@code publishTimeout}
 */
record StreamsSettings(long maxLen, int maxPayloadBytes, int readBatch, int waitReplicas, Duration waitTimeout) {

    static final String MAX_LEN = "maxLen";
    static final String MAX_PAYLOAD_BYTES = "maxPayload";
    static final String READ_BATCH = "readBatch";
    static final String WAIT_REPLICAS = "waitReplicas";
    static final String WAIT_TIMEOUT = "waitTimeout";

    static final long DEFAULT_MAX_LEN = 10_000;
    static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
    static final int DEFAULT_READ_BATCH = 100;
    // Redis refuses bulk strings above 512 MB (proto-max-bulk-len); keep room for the entry around it.
    static final int LARGEST_PAYLOAD_BYTES = 512 * 1024 * 1024 - 64 * 1024;

    /** Every option the provider accepts beyond the common ones. */
    static final Set<String> OPTIONS;

    static {
        Set<String> all = new HashSet<>(RedisEndpoint.OPTIONS);
        all.addAll(Set.of(MAX_LEN, MAX_PAYLOAD_BYTES, READ_BATCH, WAIT_REPLICAS, WAIT_TIMEOUT));
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
        int waitReplicas = (int) config.longOption(WAIT_REPLICAS, 0, 0, 1000);
        Duration publishTimeout = config.publishTimeout();
        Duration waitTimeout = config.duration(WAIT_TIMEOUT, Duration.ofMillis(Math.max(1,
                Math.min(1000, publishTimeout.toMillis() / 2))));
        if (waitTimeout.toMillis() < 1 || waitTimeout.compareTo(publishTimeout) >= 0) {
            throw new BackplaneConfigurationException("option '" + WAIT_TIMEOUT + "' is " + waitTimeout.toMillis()
                    + " ms in " + config.redactedUri() + "; it must be at least 1 ms (WAIT 0 would wait for ever) and "
                    + "shorter than " + BackplaneConfig.PUBLISH_TIMEOUT + " (" + publishTimeout.toMillis() + " ms), "
                    + "within which every publish is settled");
        }
        if (config.options().containsKey(WAIT_TIMEOUT) && waitReplicas == 0) {
            throw new BackplaneConfigurationException("option '" + WAIT_TIMEOUT + "' without '" + WAIT_REPLICAS
                    + "' has no effect in " + config.redactedUri() + "; give " + WAIT_REPLICAS
                    + "=N, how many replicas must confirm each publish");
        }
        // A read never asks for more entries than trimming keeps: then a trim that removed entries
        // this reader had not read always shows as a full batch, which is what triggers the gap check.
        return new StreamsSettings(maxLen, maxPayload, (int) Math.min(readBatch, maxLen), waitReplicas, waitTimeout);
    }
}

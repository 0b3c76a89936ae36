package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import java.time.Duration;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Turns what the Kafka client reports into the backplane's exceptions, with messages that say
 * where, what and how to fix it: {@link BackplaneConfigurationException} for what the user must
 * change (missing topic, permission, sizes), {@link BrokerUnavailableException} for a broker that
 * did not answer in time.
 */
final class KafkaErrors {

    private final KafkaSettings settings;

    KafkaErrors(KafkaSettings settings) {
        this.settings = settings;
    }

    /** A failure of the admin work on {@code topic} ({@code action}: "look up", "create", ...). */
    BackplaneException topicLookup(String topic, String action, Throwable cause, Duration timeout) {
        if (cause instanceof BackplaneException known) {
            return known;
        }
        if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return unreachable("trying to " + action + " topic '" + topic + "'", timeout, cause);
        }
        if (cause instanceof AuthorizationException) {
            return new BackplaneConfigurationException("not allowed to " + action + " Kafka topic '" + topic + "' on "
                    + settings.brokers() + " (" + cause.getMessage() + "); grant the client's principal DESCRIBE, READ "
                    + "and WRITE on the topic, and CREATE unless the topic is created beforehand with option "
                    + KafkaSettings.CREATE_TOPICS + "=false", cause);
        }
        if (cause instanceof AuthenticationException) {
            return authentication(cause);
        }
        if (cause instanceof PolicyViolationException || cause instanceof InvalidReplicationFactorException
                || cause instanceof InvalidPartitionsException || cause instanceof InvalidConfigurationException
                || cause instanceof InvalidTopicException || cause instanceof UnsupportedVersionException) {
            return new BackplaneConfigurationException("the Kafka broker at " + settings.brokers() + " refused to "
                    + action + " topic '" + topic + "': " + cause.getMessage() + "; check the options "
                    + KafkaSettings.PARTITIONS + ", " + KafkaSettings.REPLICATION_FACTOR + " and " + KafkaSettings.RETENTION
                    + " in " + settings.config.redactedUri() + ", or create the topic beforehand", cause);
        }
        return new BrokerUnavailableException("Kafka at " + settings.brokers() + " failed to " + action + " topic '"
                + topic + "': " + cause, cause);
    }

    /** The broker did not answer within {@code timeout} while {@code doing}. */
    BrokerUnavailableException unreachable(String doing, Duration timeout, Throwable cause) {
        return new BrokerUnavailableException("no answer from Kafka at " + settings.brokers() + " within " + timeout
                + " while " + doing + "; check that a broker runs there and that host and port in "
                + settings.config.redactedUri() + " are right", cause);
    }

    /** Why a publish to {@code channel} in {@code topic} failed. */
    BackplaneException publish(String channel, String topic, Throwable cause) {
        if (cause instanceof BackplaneException known) {
            return known;
        }
        if (cause instanceof BufferExhaustedException) {
            return outboxFull(channel);
        }
        if (cause instanceof TimeoutException) {
            return new BrokerUnavailableException("Kafka at " + settings.brokers() + " did not acknowledge the message "
                    + "to channel '" + channel + "' (topic '" + topic + "') within " + settings.config.publishTimeout()
                    + " (publishTimeout): the broker is down or unreachable. If the broker went down while the message "
                    + "was on its way, it may still have stored it", cause);
        }
        if (cause instanceof RecordTooLargeException) {
            return new BackplaneConfigurationException("Kafka at " + settings.brokers() + " refused a message to channel '"
                    + channel + "' as too large for topic '" + topic + "' (" + cause.getMessage() + "); lower option "
                    + KafkaSettings.MAX_PAYLOAD + " (" + settings.maxPayload + ") below the topic's max.message.bytes "
                    + "minus 1 KiB, or raise max.message.bytes", cause);
        }
        if (cause instanceof AuthorizationException) {
            return new BackplaneConfigurationException("not allowed to write to Kafka topic '" + topic + "' on "
                    + settings.brokers() + " (" + cause.getMessage() + "); grant the client's principal WRITE on it", cause);
        }
        if (cause instanceof AuthenticationException) {
            return authentication(cause);
        }
        return new BrokerUnavailableException("Kafka at " + settings.brokers() + " did not take the message to channel '"
                + channel + "' (topic '" + topic + "'): " + cause, cause);
    }

    /** The outbox is full: the broker is down, or slower than the publishers. */
    BrokerUnavailableException outboxFull(String channel) {
        return new BrokerUnavailableException("the outbox of " + settings.outboxBytes + " bytes (option "
                + KafkaSettings.OUTBOX_BYTES + ") is full of messages waiting for Kafka at " + settings.brokers()
                + ", which is down or slower than the publishers; the message to channel '" + channel
                + "' was not published");
    }

    private BackplaneConfigurationException authentication(Throwable cause) {
        return new BackplaneConfigurationException("the Kafka broker at " + settings.brokers()
                + " requires authentication (" + cause.getMessage() + "), which the Kafka backplane does not support; "
                + "connect it to a PLAINTEXT listener", cause);
    }
}

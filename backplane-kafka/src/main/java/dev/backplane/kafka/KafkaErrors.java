package dev.backplane.kafka;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.PublishOutcomeUnknownException;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Turns what the Kafka client reports into the backplane's exceptions, with messages that say
 * where, what and how to fix it: {@link BackplaneConfigurationException} for what the user must
 * change (missing topic, permission, sizes), {@link BrokerUnavailableException} for a broker that
 * did not answer in time, and its subclass {@link PublishOutcomeUnknownException} for a publish
 * that may have been stored although no acknowledgement came.
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
                    + settings.brokers() + " as " + settings.security.principal() + " (" + named(cause)
                    + "); grant the client's principal DESCRIBE, READ and WRITE on the topic, and CREATE unless the "
                    + "topic is created beforehand with option " + KafkaSettings.CREATE_TOPICS + "=false", cause);
        }
        if (cause instanceof AuthenticationException) {
            return authentication(cause);
        }
        if (cause instanceof PolicyViolationException || cause instanceof InvalidReplicationFactorException
                || cause instanceof InvalidPartitionsException || cause instanceof InvalidConfigurationException
                || cause instanceof InvalidTopicException || cause instanceof UnsupportedVersionException) {
            return new BackplaneConfigurationException("the Kafka broker at " + settings.brokers() + " refused to "
                    + action + " topic '" + topic + "': " + cause.getMessage() + "; check the options "
                    + KafkaSettings.PARTITIONS + ", " + KafkaSettings.REPLICATION_FACTOR + ", "
                    + KafkaSettings.MIN_INSYNC_REPLICAS + " and " + KafkaSettings.RETENTION
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

    /**
     * A record the producer refused at the call, before any of it left: it was not published.
     * Too large or not permitted: {@link BackplaneConfigurationException}; anything else:
     * {@link BrokerUnavailableException}.
     */
    BackplaneException refusedAtHandOver(String channel, String topic, Throwable cause) {
        BackplaneConfigurationException refusal = configurationRefusal(channel, topic, cause);
        if (refusal != null) {
            return refusal;
        }
        return new BrokerUnavailableException("the Kafka producer refused the message to channel '" + channel
                + "' (topic '" + topic + "') at " + settings.brokers() + " before sending it (" + cause
                + "); it was not published", cause);
    }

    /**
     * Why a record the producer took failed. Kafka's answers fall in two groups:
     * <ul>
     *   <li>the broker refused the record for good (too large, topic invalid, not permitted): it
     *       was not stored; {@link BackplaneConfigurationException} saying what to change;</li>
     *   <li>anything else (the delivery timeout ran out with the record still in the producer's
     *       buffer or in a request, a retriable error on the last attempt, a broken connection):
     *       the producer may have sent it before the broker went away and the broker may have
     *       stored it, so {@link PublishOutcomeUnknownException}. A record still in the buffer
     *       and one whose request timed out fail alike (both with a {@link TimeoutException}
     *       "Expiring N record(s)"), and a record that is back in the buffer to be retried may
     *       have been stored by its first attempt, so the client cannot tell "never sent" apart
     *       here. The publisher keeps that group small: it hands records over only while the
     *       broker answers, and holds the others back (those fail as not sent).</li>
     * </ul>
     */
    BackplaneException afterHandOver(String channel, String topic, int partition, Throwable cause) {
        BackplaneConfigurationException refusal = configurationRefusal(channel, topic, cause);
        if (refusal != null) {
            return refusal;
        }
        String where = "the message to channel '" + channel + "' (topic '" + topic + "', partition " + partition + ")";
        if (cause instanceof TimeoutException) {
            return new PublishOutcomeUnknownException("Kafka at " + settings.brokers() + " did not acknowledge " + where
                    + " within " + settings.config.publishTimeout() + " (publishTimeout; the producer gave up: "
                    + cause.getMessage() + "). It had been handed to the producer, which may have sent it before the "
                    + "broker went away, so it may or may not have been published", cause);
        }
        return new PublishOutcomeUnknownException("Kafka at " + settings.brokers() + " did not take " + where + ": "
                + cause + ". It had been handed to the producer, which may have sent it, so it may or may not have "
                + "been published", cause);
    }

    /** Whether {@code cause} is the broker's final refusal of a record, as opposed to no answer. */
    static boolean isRefusal(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidTopicException || cause instanceof AuthorizationException
                || cause instanceof AuthenticationException;
    }

    private BackplaneConfigurationException configurationRefusal(String channel, String topic, Throwable cause) {
        if (cause instanceof BackplaneConfigurationException known) {
            return known;
        }
        if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
            return new BackplaneConfigurationException("Kafka at " + settings.brokers() + " refused a message to channel '"
                    + channel + "' as too large for topic '" + topic + "' (" + cause.getMessage() + "); lower option "
                    + KafkaSettings.MAX_PAYLOAD + " (" + settings.maxPayload + ") below the topic's max.message.bytes "
                    + "minus 1 KiB, or raise max.message.bytes; it was not published", cause);
        }
        if (cause instanceof AuthorizationException) {
            return new BackplaneConfigurationException("not allowed to write to Kafka topic '" + topic + "' on "
                    + settings.brokers() + " as " + settings.security.principal() + " (" + named(cause)
                    + "); grant the client's principal WRITE on it; the message to channel '" + channel
                    + "' was not published", cause);
        }
        if (cause instanceof InvalidTopicException) {
            return new BackplaneConfigurationException("Kafka at " + settings.brokers() + " refused topic '" + topic
                    + "' as invalid (" + cause.getMessage() + "); the message to channel '" + channel
                    + "' was not published", cause);
        }
        if (cause instanceof AuthenticationException) {
            return authentication(cause);
        }
        return null;
    }

    /**
     * The broker did not let the client in: a failed TLS handshake, a SASL login it refused, or a
     * listener that wants credentials none were given for. Never retried: the same answer would
     * come again.
     */
    BackplaneConfigurationException authentication(Throwable cause) {
        if (TlsHandshakeFailure.is(cause)) {
            return new BackplaneConfigurationException("TLS with Kafka failed: "
                    + TlsHandshakeFailure.explain(cause, settings.brokers()) + " (" + settings.config.redactedUri() + ")",
                    cause);
        }
        Optional<SaslLogin> login = settings.security.login();
        if (login.isPresent()) {
            return new BackplaneConfigurationException("the Kafka broker at " + settings.brokers() + " refused the "
                    + "login of " + login.get() + ": authentication failed (" + named(cause) + "); check the user "
                    + "name, the password and option " + SaslLogin.MECHANISM + " (" + SaslLogin.MECHANISMS + ")", cause);
        }
        return new BackplaneConfigurationException("the Kafka broker at " + settings.brokers() + " requires "
                + "authentication (" + named(cause) + ") on the listener that " + settings.config.redactedUri()
                + " reaches with security protocol " + settings.security.protocol() + "; give credentials "
                + "(kafkas://user:password@host:port, or options " + SaslLogin.USER + " and " + SaslLogin.PASSWORD
                + "), use kafkas:// for a TLS listener, or connect to a PLAINTEXT listener", cause);
    }

    /** {@code e} as "SimpleClassName: message", for messages: the class names the failure. */
    static String named(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}

package dev.backplane.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Utils;

/**
 * Where the messages of a logical channel live in Kafka: which topic, and in it which partition.
 *
 * <p>Every message of one channel goes to one partition, so that the partition's order is the
 * channel's order. The partition is chosen as Kafka's default partitioner chooses it for the key
 * {@code channel} (murmur2 of the UTF-8 bytes, modulo the partition count), so other Kafka tools
 * that read or write the topic with the channel as key agree with it. Changing the partition
 * count of a topic in use moves channels to other partitions, as it does for any keyed topic.
 */
abstract class TopicMapping {

    /** Kafka's longest topic name. */
    static final int MAX_TOPIC_LENGTH = 249;

    /** All channels in one topic of {@code partitions} partitions. */
    static TopicMapping singleTopic(String topic, int partitions) {
        return new SingleTopic(topic, partitions);
    }

    /** One topic of one partition per channel, named {@code prefix.channel}. */
    static TopicMapping perChannel(String prefix) {
        return new PerChannel(prefix);
    }

    /** The topic that holds {@code channel}. */
    abstract String topic(String channel);

    /** How many partitions a topic this mapping creates gets. */
    abstract int partitionsToCreate();

    /** Whether every channel shares one topic (so a channel costs the broker nothing). */
    abstract boolean sharedTopic();

    /** The partition of {@code channel} in its topic of {@code partitionCount} partitions. */
    static int partition(String channel, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(channel.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    private static final class SingleTopic extends TopicMapping {
        private final String topic;
        private final int partitions;

        SingleTopic(String topic, int partitions) {
            this.topic = topic;
            this.partitions = partitions;
        }

        @Override
        String topic(String channel) {
            return topic;
        }

        @Override
        int partitionsToCreate() {
            return partitions;
        }

        @Override
        boolean sharedTopic() {
            return true;
        }

        @Override
        public String toString() {
            return "every channel in topic '" + topic + "'";
        }
    }

    /**
     * {@code prefix + "." + encoded channel}. Channel characters that Kafka does not allow in
     * topic names ({@code : @ = +}), and {@code _} and {@code .} themselves, are written as
     * {@code _XX} (two upper-case hex digits), so that distinct channels give distinct topics and
     * never two names that Kafka considers colliding because they differ only in {@code .} versus
     * {@code _}. A name that would be longer than Kafka allows is cut and ends in {@code _Z} and a
     * SHA-256 digest of the channel.
     */
    private static final class PerChannel extends TopicMapping {
        private final String prefix;

        PerChannel(String prefix) {
            this.prefix = prefix;
        }

        @Override
        String topic(String channel) {
            String name = prefix + "." + encode(channel);
            if (name.length() <= MAX_TOPIC_LENGTH) {
                return name;
            }
            // "_Z" never appears in an encoded name (Z is not a hex digit), so a cut name cannot
            // equal the full name of another channel.
            String digest = "_Z" + sha256(channel).substring(0, 32);
            return name.substring(0, MAX_TOPIC_LENGTH - digest.length()) + digest;
        }

        @Override
        int partitionsToCreate() {
            return 1;
        }

        @Override
        boolean sharedTopic() {
            return false;
        }

        @Override
        public String toString() {
            return "one topic per channel, named '" + prefix + ".CHANNEL'";
        }

        static String encode(String channel) {
            StringBuilder out = new StringBuilder(channel.length() + 8);
            for (int i = 0; i < channel.length(); i++) {
                char c = channel.charAt(i);
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                    out.append(c);
                } else {
                    out.append('_').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
                }
            }
            return out.toString();
        }

        private static String sha256(String channel) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(channel.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }
}

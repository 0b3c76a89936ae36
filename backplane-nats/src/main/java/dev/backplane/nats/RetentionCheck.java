package dev.backplane.nats;

import dev.backplane.Gap;
import dev.backplane.Position;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a replay after a stream sequence starts past messages the stream no longer retains, and
 * whether a delivery that skips stream sequences skipped some of the channel's messages that
 * retention removed before the consumer could send them.
 *
 * <p>Sequences belong to the whole stream, shared by every channel of the prefix, so the answer is
 * conservative: a gap is reported when something after the position is gone and it may have been
 * this channel's. Two kinds of removal are seen:
 * <ul>
 *   <li>limits on the whole stream (age, message count, bytes) remove from the oldest sequence on,
 *       so the stream's first sequence tells;
 *   <li>a per-subject limit removes the channel's own oldest messages: when the channel holds as
 *       many messages as the limit allows and its oldest starts after the position, some may be gone.
 * </ul>
 */
final class RetentionCheck {

    /** How often the stream's (and each channel's) retention state is read at most. */
    static final Duration READING_INTERVAL = Duration.ofMillis(200);

    private final JetStreamManagement jsm;
    private final String stream;
    private final String subject;
    private final FreshReading<StreamInfo> sharedInfo;
    private final FreshReading<Long> oldestOfSubject;

    /**
     * @param sharedInfo the stream's information, shared by the backplane's subscriptions
     */
    RetentionCheck(JetStreamManagement jsm, String stream, String subject, FreshReading<StreamInfo> sharedInfo) {
        this.jsm = jsm;
        this.stream = stream;
        this.subject = subject;
        this.sharedInfo = sharedInfo;
        this.oldestOfSubject = new FreshReading<>(this::oldestOfSubject, READING_INTERVAL);
    }

    /**
     * The gap before the delivery of stream sequence {@code sequence}, when the one handed on
     * before was {@code previous} and some sequence between them may have been one of this
     * channel's messages that retention removed. Stream sequences are shared by every channel, so
     * a skip alone is no loss: the answer comes from the stream's state read after the message
     * was received (the removal, if any, happened before the server sent it).
     * <ul>
     *   <li>age, message and byte limits remove from the oldest sequence on: if the stream's first
     *       sequence is past {@code previous + 1}, something after {@code previous} is gone;
     *   <li>a per-subject limit removes the channel's own oldest messages: only when the channel
     *       held its limit when {@code sequence} was sent ({@code 1 + pendingAfter}, the consumer's
     *       count, is at least the limit) and its oldest retained message is past
     *       {@code previous + 1}.
     * </ul>
     *
     * @param pendingAfter the channel's messages after {@code sequence} when it was sent
     * @param receivedAt when the message arrived ({@link System#nanoTime()})
     */
    Optional<Gap> gapBefore(String channel, long previous, long sequence, long pendingAfter, long receivedAt)
            throws IOException, JetStreamApiException, InterruptedException {
        if (sequence <= previous + 1) {
            return Optional.empty();
        }
        StreamInfo info = sharedInfo.after(receivedAt);
        long first = info.getStreamState().getFirstSequence();
        if (first > previous + 1) {
            return Optional.of(gap(channel, previous, sequence, "stream sequences " + (previous + 1) + " to "
                    + (Math.min(first, sequence) - 1) + " of stream '" + stream + "' were removed by its retention ("
                    + limits(info) + ") before this subscription read them; some may have been this channel's"));
        }
        long perSubject = info.getConfiguration().getMaxMsgsPerSubject();
        if (perSubject <= 0 || 1 + pendingAfter < perSubject) {
            return Optional.empty();
        }
        long oldest = oldestOfSubject.after(receivedAt);
        if (oldest == 0 || oldest > previous + 1) {
            return Optional.of(gap(channel, previous, sequence, "channel '" + channel + "' held its limit of "
                    + perSubject + " messages (maxMsgsPerSubject) of stream '" + stream + "' and its messages before "
                    + "stream sequence " + (oldest == 0 ? sequence : oldest) + " were removed; some after "
                    + previous + " may have been removed before this subscription read them"));
        }
        return Optional.empty();
    }

    /** The first stream sequence that may still be read after {@code gap}, reported by {@link #gapAfter}. */
    static long resumesAt(Gap gap, StreamInfo info) {
        return gap.resumedAt().equals(Position.NONE)
                ? info.getStreamState().getLastSequence() + 1 : Long.parseLong(gap.resumedAt().value());
    }

    /** The stream's retention limits, as its options name them. */
    private static String limits(StreamInfo info) {
        StreamConfiguration config = info.getConfiguration();
        List<String> limits = new ArrayList<>();
        if (config.getMaxMsgs() > 0) {
            limits.add("maxMessages=" + config.getMaxMsgs());
        }
        if (config.getMaxBytes() > 0) {
            limits.add("maxBytes=" + config.getMaxBytes());
        }
        if (config.getMaxAge() != null && !config.getMaxAge().isZero()) {
            limits.add("maxAge=" + config.getMaxAge());
        }
        if (config.getMaxMsgsPerSubject() > 0) {
            limits.add("maxMsgsPerSubject=" + config.getMaxMsgsPerSubject());
        }
        return limits.isEmpty() ? "no limit configured now" : String.join(", ", limits);
    }

    /** The stream's information now. */
    StreamInfo streamInfo() throws IOException, JetStreamApiException {
        return jsm.getStreamInfo(stream);
    }

    /**
     * The gap a replay after {@code after} (0 for {@link Position#EARLIEST}) starts with, if any.
     *
     * @param info the stream's information, read just before
     */
    Optional<Gap> gapAfter(String channel, long after, StreamInfo info) throws IOException, JetStreamApiException {
        long first = info.getStreamState().getFirstSequence();
        long last = info.getStreamState().getLastSequence();
        if (last > 0 && first > after + 1) {
            return Optional.of(gap(channel, after, info.getStreamState().getMsgCount() > 0 ? first : 0,
                    "stream sequences " + (after + 1) + " to " + (first - 1) + " of stream '" + stream
                            + "' are no longer retained (age, message or byte limit)"));
        }
        long perSubject = info.getConfiguration().getMaxMsgsPerSubject();
        if (perSubject <= 0 || last <= after) {
            return Optional.empty();
        }
        StreamInfo ofSubject = jsm.getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject));
        long held = ofSubject.getStreamState().getSubjectMap().getOrDefault(subject, 0L);
        if (held < perSubject) {
            return Optional.empty();
        }
        long oldest = oldestOfSubject();
        if (oldest > after + 1) {
            return Optional.of(gap(channel, after, oldest, "channel '" + channel + "' holds its limit of " + perSubject
                    + " messages (maxMsgsPerSubject) from stream sequence " + oldest
                    + " on; older ones after the position may have been removed"));
        }
        return Optional.empty();
    }

    private Long oldestOfSubject() throws IOException, JetStreamApiException {
        try {
            MessageInfo oldest = jsm.getFirstMessage(stream, subject);
            return oldest == null ? 0L : oldest.getSeq();
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                return 0L;
            }
            throw e;
        }
    }

    private static Gap gap(String channel, long after, long resumedAt, String reason) {
        return new Gap(channel, after == 0 ? Position.EARLIEST : Position.of(Long.toString(after)),
                resumedAt > 0 ? Position.of(Long.toString(resumedAt)) : Position.NONE, reason);
    }
}

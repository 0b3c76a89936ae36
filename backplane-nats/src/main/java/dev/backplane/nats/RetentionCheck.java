package dev.backplane.nats;

import dev.backplane.Gap;
import dev.backplane.Position;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamInfoOptions;
import java.io.IOException;
import java.util.Optional;

/**
 * Whether a replay after a stream sequence starts past messages the stream no longer retains.
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

    private final JetStreamManagement jsm;
    private final String stream;
    private final String subject;

    RetentionCheck(JetStreamManagement jsm, String stream, String subject) {
        this.jsm = jsm;
        this.stream = stream;
        this.subject = subject;
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

    private long oldestOfSubject() throws IOException, JetStreamApiException {
        try {
            MessageInfo oldest = jsm.getFirstMessage(stream, subject);
            return oldest == null ? 0 : oldest.getSeq();
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                return 0;
            }
            throw e;
        }
    }

    private static Gap gap(String channel, long after, long resumedAt, String reason) {
        return new Gap(channel, after == 0 ? Position.EARLIEST : Position.of(Long.toString(after)),
                resumedAt > 0 ? Position.of(Long.toString(resumedAt)) : Position.NONE, reason);
    }
}

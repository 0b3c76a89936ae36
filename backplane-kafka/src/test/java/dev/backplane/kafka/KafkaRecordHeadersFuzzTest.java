package dev.backplane.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@link KafkaReceiver#channelOf} on any record headers a topic may hold (any names, any values,
 * null values, repeats): the record's channel or null (not this backplane's), never an exception;
 * the headers {@link KafkaPublisher} writes read back as the channel they name.
 */
class KafkaRecordHeadersFuzzTest {

    private static final List<String> NAMES = List.of(KafkaBackplane.PREFIX_HEADER, KafkaBackplane.CHANNEL_HEADER);

    @FuzzTest(maxDuration = "3s")
    void readsRecordHeaders(FuzzedDataProvider data) {
        byte[] prefix = ("p" + data.consumeAsciiString(10)).getBytes(StandardCharsets.UTF_8);
        String channel = "c" + data.consumeAsciiString(30);

        RecordHeaders written = new RecordHeaders();
        written.add(new RecordHeader(KafkaBackplane.PREFIX_HEADER, prefix));
        written.add(new RecordHeader(KafkaBackplane.CHANNEL_HEADER, channel.getBytes(StandardCharsets.UTF_8)));
        assertThat(KafkaReceiver.channelOf(written, prefix)).isEqualTo(channel);

        RecordHeaders any = new RecordHeaders();
        int n = data.consumeInt(0, 5);
        for (int i = 0; i < n; i++) {
            String name = data.consumeBoolean() ? data.pickValue(NAMES) : data.consumeString(20);
            byte[] value = switch (data.consumeInt(0, 3)) {
                case 0 -> null;
                case 1 -> prefix;
                default -> data.consumeBytes(40);
            };
            any.add(new RecordHeader(name, value));
        }
        String read = KafkaReceiver.channelOf(any, prefix);
        if (read != null) {
            assertThat(any.lastHeader(KafkaBackplane.PREFIX_HEADER).value()).isEqualTo(prefix);
        }
    }
}

package dev.backplane.signalr.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * {@link MessagePackHubProtocol#read} on any frame a client sends: messages or a
 * {@link ProtocolException} with a message, never another exception, never an allocation that a
 * length or count field asked for, never a stack overflow from nesting; every message read writes
 * back to a frame that reads as the same message.
 */
class MessagePackHubProtocolFuzzTest {

    private static final MessagePackHubProtocol PROTOCOL = new MessagePackHubProtocol(new ObjectMapper());

    @FuzzTest(maxDuration = "3s")
    void readsClientFrames(byte[] frame) {
        List<SignalRMessage> messages;
        try {
            messages = PROTOCOL.read(frame);
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        for (SignalRMessage m : messages) {
            assertThat(PROTOCOL.read(PROTOCOL.write(m))).as("read(write(%s))", m).containsExactly(m);
        }
    }
}

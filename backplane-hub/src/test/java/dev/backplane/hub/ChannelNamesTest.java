package dev.backplane.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Channels;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChannelNamesTest {

    private final ChannelNames chat = new ChannelNames("chat");

    @Test
    void layoutFollowsTheHubName() {
        assertThat(chat.all()).isEqualTo("chat:all");
        assertThat(chat.presence()).isEqualTo("chat:presence");
        assertThat(chat.node("abc")).isEqualTo("chat:node:abc");
        assertThat(chat.group("room-1")).isEqualTo("chat:group:room-1");
        assertThat(chat.user("alice_2")).isEqualTo("chat:user:alice_2");
    }

    @Test
    void anyNameBecomesALegalChannel() {
        for (String name : List.of("a.b", ".", "..", "a:b", "a b", "über", "名字", "=41", "+", "a/b\\c", "@=+.-_:")) {
            assertThat(Channels.requireValid(chat.group(name))).as("group '%s'", name).startsWith("chat:group:");
        }
    }

    @Test
    void encodingIsInjective() {
        List<String> names = List.of("a.b", "a=2Eb", "a:b", "A", "a", "=", "=3D", "+", "a b", "a_b", "a-b", "ü", "=C3=BC");
        Set<String> channels = new HashSet<>();
        names.forEach(n -> channels.add(chat.group(n)));
        assertThat(channels).hasSameSizeAs(names);
    }

    @Test
    void longNamesAreHashedWithinTheLimitAndStayDistinct() {
        String base = "x".repeat(500);
        String a = chat.group(base + "a");
        String b = chat.group(base + "b");
        assertThat(a.length()).isLessThanOrEqualTo(Channels.MAX_CHANNEL_LENGTH);
        assertThat(a).contains("+").isNotEqualTo(b);
        assertThat(Channels.requireValid(a)).isEqualTo(a);
        assertThat(chat.group(base + "a")).as("stable").isEqualTo(a);
    }

    @Test
    void aLongHubNameIsHashedToo() {
        ChannelNames names = new ChannelNames("h".repeat(300));
        assertThat(Channels.requireValid(names.group("g".repeat(300)))).hasSizeLessThanOrEqualTo(200);
        assertThat(names.all()).isNotEqualTo(new ChannelNames("h".repeat(301)).all());
    }

    @Test
    void emptyNamesAreRefused() {
        assertThatThrownBy(() -> chat.group("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be null or empty");
    }
}

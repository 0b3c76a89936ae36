package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one set of channel and prefix rules every transport applies. */
class ChannelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "-", "_", ":", "@", "=", "+", "chat:room-1", "a.b.c", "user@host",
            "k=v+w", "x:.y"})
    void legalChannelNamesAreReturnedUnchanged(String name) {
        assertThat(Channels.requireValid(name)).isSameAs(name);
    }

    @Test
    void aChannelNameMayHaveTheMaximumLength() {
        String longest = "c".repeat(Channels.MAX_CHANNEL_LENGTH);
        assertThat(Channels.requireValid(longest)).isSameAs(longest);
    }

    @Test
    void aNullChannelIsRefusedWithNullPointerException() {
        assertThatThrownBy(() -> Channels.requireValid(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("channel must not be null");
    }

    @Test
    void anEmptyOrTooLongChannelNameIsRefusedWithItsLength() {
        assertThatThrownBy(() -> Channels.requireValid("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length must be 1 to 200 characters, was 0");
        String tooLong = "c".repeat(Channels.MAX_CHANNEL_LENGTH + 1);
        assertThatThrownBy(() -> Channels.requireValid(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 201")
                .hasMessageContaining("c".repeat(40) + "...")
                .hasMessageNotContaining("c".repeat(41));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", " ", "a*", "*", ">", "a.>", "a/b", "a#b", "a,b", "\u00e4", "a\nb", "a\u0000b", "a%b"})
    void channelNamesWithOtherCharactersAreRefusedNamingThem(String name) {
        assertThatThrownBy(() -> Channels.requireValid(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal channel name '" + name + "'")
                .hasMessageContaining("only A-Z a-z 0-9 and - _ . : @ = + are allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {".a", "a.", ".", "..", "a..b", "a...b"})
    void dotsMustSeparateSomething(String name) {
        assertThatThrownBy(() -> Channels.requireValid(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal channel name '" + name + "'")
                .hasMessageContaining("must not start or end with '.' nor contain '..'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"backplane", "my-app_2", "A", "0123456789012345678901234567890123456789012345678901234567890123"})
    void legalPrefixesAreReturnedUnchanged(String prefix) {
        assertThat(Channels.requireValidPrefix(prefix)).isSameAs(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a:b", "a.b", "a b", "a@b", "a=b", "a+b", "\u00e4"})
    void prefixesHoldNoSeparatorOrOtherCharacter(String prefix) {
        assertThatThrownBy(() -> Channels.requireValidPrefix(prefix)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal prefix '" + prefix + "'")
                .hasMessageContaining("1 to 64 characters from A-Z a-z 0-9 - _");
    }

    @Test
    void aTooLongOrNullPrefixIsRefused() {
        assertThatThrownBy(() -> Channels.requireValidPrefix("x".repeat(65))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Channels.requireValidPrefix(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("illegal prefix 'null'");
    }

    @Test
    void everyCharacterIsJudgedAsTheAlphabetsSayInChannelsAndPrefixes() {
        Pattern channel = Pattern.compile("[A-Za-z0-9_.:@=+-]+");
        Pattern prefix = Pattern.compile("[A-Za-z0-9_-]+");
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String name = "a" + (char) c + "b";
            assertThat(accepted(() -> Channels.requireValid(name))).as("channel with U+%04X", c)
                    .isEqualTo(channel.matcher(name).matches());
            assertThat(accepted(() -> Channels.requireValidPrefix(name))).as("prefix with U+%04X", c)
                    .isEqualTo(prefix.matcher(name).matches());
        }
    }

    @Test
    void aNameOutsideTheAlphabetIsReportedAsSuchEvenWithMisplacedDots() {
        assertThatThrownBy(() -> Channels.requireValid(".a b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only A-Z a-z 0-9 and - _ . : @ = + are allowed");
        assertThatThrownBy(() -> Channels.requireValid("a..b*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only A-Z a-z 0-9 and - _ . : @ = + are allowed");
    }

    private static boolean accepted(Runnable check) {
        try {
            check.run();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

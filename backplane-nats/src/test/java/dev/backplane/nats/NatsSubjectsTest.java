package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NatsSubjectsTest {

    private final Subjects subjects = new Subjects("app");

    @Test
    void aChannelIsTheSubjectUnderThePrefix() {
        assertThat(subjects.subject("chat")).isEqualTo("app.chat");
        assertThat(subjects.subject("hub:group:a.b")).isEqualTo("app.hub:group:a.b");
        assertThat(subjects.allChannels()).isEqualTo("app.>");
    }

    @Test
    void distinctChannelsGetDistinctSubjects() {
        List<String> channels = List.of("a", "a.b", "a:b", "a_b", "a-b", "a+b", "a=b", "a@b", "a.b.c", "ab", "b.a", "A");
        Set<String> mapped = channels.stream().map(subjects::subject).collect(Collectors.toSet());
        assertThat(mapped).hasSameSizeAs(channels);
    }

    @Test
    void everySubjectIsLiteralWithNonEmptyTokens() {
        for (String channel : List.of("x", "a.b.c", "-_:@=+", "room.1:member=7")) {
            String subject = subjects.subject(channel);
            assertThat(subject).doesNotContain("*", ">", " ", "..");
            assertThat(subject.split("\\.", -1)).allSatisfy(token -> assertThat(token).isNotEmpty());
        }
    }

    @Test
    void twoPrefixesNeverShareASubject() {
        // "app" + channel "x.y" must not meet prefix "app.x" (impossible: a prefix holds no dot).
        assertThatThrownBy(() -> new Subjects("app.x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Subjects("app").subject("x")).isNotEqualTo(new Subjects("app-x").subject("x"));
    }

    @Test
    void wildcardsAndIllegalNamesAreRefused() {
        for (String bad : List.of("*", ">", "a.*", "a.>", "a b", ".a", "a.", "a..b", "")) {
            assertThatThrownBy(() -> subjects.subject(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSubjectAskedForAgainIsTheSameAndIllegalNamesStayRefused() {
        assertThat(subjects.subject("again")).isEqualTo("app.again").isSameAs(subjects.subject("again"));
        assertThatThrownBy(() -> subjects.subject("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> subjects.subject("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> subjects.subject(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("channel must not be null");
    }

    @Test
    void pastTheCacheBoundSubjectsAreStillRight() {
        Subjects many = new Subjects("p");
        for (int i = 0; i < Subjects.CACHED + 100; i++) {
            assertThat(many.subject("c" + i)).isEqualTo("p.c" + i);
        }
        assertThat(many.subject("c0")).isEqualTo("p.c0");
        assertThat(many.subject("c" + (Subjects.CACHED + 50))).isEqualTo("p.c" + (Subjects.CACHED + 50));
    }
}

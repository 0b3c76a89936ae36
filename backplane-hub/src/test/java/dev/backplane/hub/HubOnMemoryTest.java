package dev.backplane.hub;

import static dev.backplane.hub.Waiting.eventually;
import static dev.backplane.hub.Waiting.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub end to end on {@code mem://}: the scale-out kit in the tck module checks every rule; these guard the basics. */
class HubOnMemoryTest {

    private final String bus = "hub-" + UUID.randomUUID();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final HubOptions options = HubOptions.of("chat").withHeartbeat(Duration.ofMillis(100), 3)
            .withCommandTimeout(Duration.ofSeconds(5));

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private Backplane backplane(String prefix) {
        Backplane b = Backplanes.open(URI.create("mem://" + bus), Map.of("prefix", prefix));
        opened.add(b);
        return b;
    }

    private HubNode node() {
        HubNode n = HubNode.start(backplane("p"), options);
        opened.add(n);
        return n;
    }

    static final class Inbox implements ConnectionSink {
        final List<String> texts = new CopyOnWriteArrayList<>();

        @Override
        public void send(HubMessage message) {
            texts.add(message.method() + message.argumentsText());
        }

        @Override
        public void invoke(HubInvocation invocation) {
            invocation.complete("answer to " + invocation.argumentsText());
        }
    }

    @Test
    void aGroupSendFromAContextReachesMembersOnTwoNodes() throws Exception {
        HubNode a = node();
        HubNode b = node();
        HubContext sender = HubContext.open(backplane("p"), options);
        opened.add(sender);
        Inbox ia = new Inbox();
        Inbox ib = new Inbox();
        HubConnection ca = join(a.connect("alice", ia));
        HubConnection cb = join(b.connect("bob", ib));
        eventually(() -> sender.presence().connections().containsAll(List.of(ca.id(), cb.id())), "presence converges");
        join(sender.addToGroup(ca.id(), "room"));
        join(sender.addToGroup(cb.id(), "room"));
        join(sender.send(Target.group("room"), "say", "hi", 1));
        eventually(() -> ia.texts.size() == 1 && ib.texts.size() == 1, "both receive");
        assertThat(ia.texts).containsExactly("say[\"hi\",1]");
        assertThat(ib.texts).containsExactly("say[\"hi\",1]");
        assertThat(join(sender.invoke(cb.id(), String.class, Duration.ofSeconds(5), "ask", "q")))
                .isEqualTo("answer to [\"q\"]");
        eventually(() -> sender.presence().groupMembers("room").size() == 2, "group members in presence");
    }

    @Test
    void aMalformedMessageIsCountedAndTheNodeKeepsWorking() throws Exception {
        Backplane raw = backplane("p");
        HubNode a = node();
        Inbox ia = new Inbox();
        join(a.connect(null, ia));
        join(raw.publish("chat:all", new byte[] {42, 1, 2}));
        join(a.send(Target.all(), "after"));
        eventually(() -> ia.texts.size() == 1, "the send after the garbage arrives");
        assertThat(a.stats().malformedEnvelopes()).isEqualTo(1);
    }

    @Test
    void aBadConnectionIdFailsAtOnceWithAClearMessage() {
        HubNode a = node();
        assertThatThrownBy(() -> join(a.addToGroup("nope", "g"))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UnknownConnectionException.class).hasMessageContaining("'nope' is not a connection id");
    }
}

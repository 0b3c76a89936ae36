package dev.backplane.nats;

import static dev.backplane.nats.Opened.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.fixture.LoopbackPorts;
import dev.backplane.tck.AsyncFailures;
import dev.backplane.tck.Recorder;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several servers in one NATS URI and the JetStream replicas option, against a cluster of three
 * nats-servers of the test's own: what is accepted, what it creates, and the errors for what is not.
 */
class NatsClusterConfigurationTest extends OwnNatsClusterTest {

    private final Opened opened = new Opened();
    private final AsyncFailures failures = new AsyncFailures();

    @AfterEach
    void closeBackplanes() {
        opened.close();
        failures.rethrow();
    }

    @Test
    void aUriListingSeveralServersConnectsWhenOneOfThemIsDownOnBothTransports() {
        String dead = LoopbackPorts.LOOPBACK + ":" + LoopbackPorts.freePort();
        for (String scheme : new String[] {"nats", "jetstream"}) {
            // Several opens: jnats picks a server at random, so some pick the dead one first.
            for (int attempt = 0; attempt < 4; attempt++) {
                Backplane a = opened.open(scheme + "://" + dead + "," + cluster().addresses(),
                        Map.of("connectTimeout", "5s"));
                Backplane b = opened.open(scheme + "://" + cluster().addresses() + "," + dead, Map.of("connectTimeout", "5s"));
                String channel = "up-" + scheme + attempt;
                Recorder received = new Recorder(channel, failures, true);
                await(b.subscribe(channel, received));
                await(a.publish(channel, "hello".getBytes(StandardCharsets.UTF_8)));
                received.awaitCount(1, "a message published on a server list with a dead entry");
            }
        }
    }

    @Test
    void theServersOptionAddsServersToTheUrisOwn() {
        Backplane b = opened.open("nats://" + cluster().member(0).address(), Map.of("servers",
                cluster().member(1).address() + "," + cluster().member(2).address()));
        Recorder received = new Recorder("extra", failures, true);
        await(b.subscribe("extra", received));
        await(b.publish("extra", "x".getBytes(StandardCharsets.UTF_8)));
        received.awaitCount(1);
    }

    @Test
    void anEmptyServerEntryIsRefusedAtOpen() {
        assertThatThrownBy(() -> Backplanes.open("nats://127.0.0.1:4001,,127.0.0.1:4003"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("empty server entry").hasMessageContaining("host:port entries separated by commas");
        assertThatThrownBy(() -> Backplanes.open("jetstream://127.0.0.1:4001,:4002"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("':4002' with no host");
        assertThatThrownBy(() -> Backplanes.open("nats://127.0.0.1:4001?servers=127.0.0.1:4002,"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("option 'servers'").hasMessageContaining("empty server entry");
    }

    @Test
    void aBadPortInTheServerListIsRefusedNamingTheEntry() {
        for (String uri : new String[] {"nats://127.0.0.1:4001,127.0.0.1:x", "jetstreams://h1:4001,h2:70000",
                "tls://h1:4001,h2:0"}) {
            assertThatThrownBy(() -> Backplanes.open(uri)).as(uri)
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("is not a number from 1 to 65535");
        }
    }

    @Test
    void aSecondSchemeInTheServerListIsRefusedSayingOneSchemeAppliesToAll() {
        assertThatThrownBy(() -> Backplanes.open("nats://127.0.0.1:4001,tls://127.0.0.1:4002"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("names a scheme more than once").hasMessageContaining("nats://h1:4222,h2:4222");
        assertThatThrownBy(() -> Backplanes.open("jetstream://127.0.0.1:4001?servers=jetstreams://127.0.0.1:4002"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("with a scheme of its own").hasMessageContaining("(jetstream) applies to every server");
    }

    @Test
    void aPasswordInAUriWithSeveralServersIsRedactedInErrors() {
        assertThatThrownBy(() -> Backplanes.open("nats://user:s3cret@127.0.0.1:4001,127.0.0.1:x"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("user:***@")
                .message().doesNotContain("s3cret");
    }

    @Test
    void replicasOutsideOneToFiveAreRefusedNamingTheOption() {
        for (String replicas : new String[] {"0", "6", "three"}) {
            assertThatThrownBy(() -> opened.open("jetstream://" + cluster().addresses(), Map.of("replicas", replicas)))
                    .as(replicas).isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("replicas").hasMessageContaining(replicas);
        }
    }

    @Test
    void replicasThreeCreatesTheStreamWithThreeReplicas() throws Exception {
        opened.open("jetstream://" + cluster().addresses(), Map.of("replicas", "3"));
        try (Connection nats = Nats.connect(Options.builder().server(cluster().member(0).address()).build())) {
            assertThat(nats.jetStreamManagement().getStreamInfo(opened.prefix()).getConfiguration().getReplicas())
                    .isEqualTo(3);
        }
    }

    @Test
    void moreReplicasThanTheClusterHasServersIsRefusedWithTheServersReason() {
        assertThatThrownBy(() -> opened.open("jetstream://" + cluster().addresses(), Map.of("replicas", "5")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("refused to create stream '" + opened.prefix() + "'")
                .hasMessageContaining("check the stream options");
    }

    @Test
    void anExistingStreamWithAnotherReplicaCountIsUsedAsItIs() throws Exception {
        try (Connection nats = Nats.connect(Options.builder().server(cluster().member(0).address()).build())) {
            JetStreamManagement jsm = nats.jetStreamManagement();
            jsm.addStream(StreamConfiguration.builder().name(opened.prefix()).subjects(opened.prefix() + ".>")
                    .storageType(StorageType.Memory).replicas(1).build());
            Backplane b = opened.open("jetstream://" + cluster().addresses(), Map.of("replicas", "3"));
            Recorder received = new Recorder("existing", failures, true);
            await(b.subscribe("existing", received));
            await(b.publish("existing", "x".getBytes(StandardCharsets.UTF_8)));
            received.awaitCount(1);
            assertThat(jsm.getStreamInfo(opened.prefix()).getConfiguration().getReplicas()).isEqualTo(1);
        }
    }
}

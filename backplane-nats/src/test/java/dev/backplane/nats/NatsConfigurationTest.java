package dev.backplane.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Backplanes;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.Brokers;
import dev.backplane.fixture.LoopbackPorts;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad URIs, options and broker set-ups fail at open with an error that names the fix, in bounded time. */
class NatsConfigurationTest {

    private static Broker broker;
    private final String prefix = "cfg-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startNats() {
        broker = Brokers.nats();
    }

    @AfterAll
    static void stopNats() {
        broker.close();
    }

    private static Backplane open(String uri) {
        return Backplanes.open(uri);
    }

    @Test
    void aPortWithNoServerFailsWithinTheConnectTimeoutNamingTheAddress() {
        int port = LoopbackPorts.freePort();
        for (String scheme : new String[] {"nats", "jetstream"}) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> open(scheme + "://127.0.0.1:" + port + "?connectTimeout=1s"))
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("check host and port");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by connectTimeout")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void anUnknownHostIsAConfigurationError() {
        int port = LoopbackPorts.freePort();
        assertThatThrownBy(() -> open("nats://no-such-host.invalid:" + port + "?connectTimeout=2s"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("unknown host 'no-such-host.invalid'");
    }

    @Test
    void anUnknownOptionIsRefusedListingTheAcceptedOnes() {
        assertThatThrownBy(() -> open("nats://" + broker.address() + "?bogus=1"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("bogus").hasMessageContaining("outboxBytes");
        assertThatThrownBy(() -> open("jetstream://" + broker.address() + "?maxAgee=1m"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxAgee").hasMessageContaining("maxAge");
    }

    @Test
    void aStreamOptionOnACoreUriSaysHowToAskForJetStream() {
        assertThatThrownBy(() -> open("nats://" + broker.address() + "?maxAge=1m"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxAge").hasMessageContaining("provider=jetstream");
    }

    @Test
    void theProviderOptionSelectsJetStreamOnANatsUri() {
        try (Backplane b = open("nats://" + broker.address() + "?provider=jetstream&prefix=" + prefix)) {
            assertThat(b.capabilities().transport()).isEqualTo("jetstream");
        }
    }

    @Test
    void badValuesAreRefusedNamingTheOption() {
        String base = "jetstream://" + broker.address() + "?prefix=" + prefix + "&";
        assertThatThrownBy(() -> open(base + "storage=disk")).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("storage").hasMessageContaining("file or memory");
        assertThatThrownBy(() -> open(base + "maxMessages=0")).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("maxMessages").hasMessageContaining("-1");
        assertThatThrownBy(() -> open(base + "stream=a.b")).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("stream");
        assertThatThrownBy(() -> open("nats://" + broker.address() + "/path")).isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("path");
        assertThatThrownBy(() -> open("nats://" + broker.address() + "?servers=host:notaport"))
                .isInstanceOf(BackplaneConfigurationException.class).hasMessageContaining("servers");
    }

    @Test
    void aMissingStreamWithCreateStreamFalseNamesTheStreamAndTheFix() {
        assertThatThrownBy(() -> open("jetstream://" + broker.address() + "?createStream=false&prefix=" + prefix))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("'" + prefix + "' does not exist")
                .hasMessageContaining(prefix + ".>")
                .hasMessageContaining("createStream=false");
    }

    @Test
    void aStreamThatDoesNotCaptureThePrefixIsRefused() throws Exception {
        try (Connection nats = Nats.connect("nats://" + broker.address())) {
            nats.jetStreamManagement().addStream(StreamConfiguration.builder().name(prefix).subjects("elsewhere-" + prefix + ".>")
                    .storageType(StorageType.Memory).build());
        }
        assertThatThrownBy(() -> open("jetstream://" + broker.address() + "?prefix=" + prefix))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("captures [elsewhere-" + prefix + ".>]")
                .hasMessageContaining(prefix + ".>");
    }

    @Test
    void aStreamWhoseSubjectsAnotherStreamHoldsCannotBeCreated() {
        try (Backplane first = Backplanes.open(URI.create("jetstream://" + broker.address()), Map.of("prefix", prefix))) {
            assertThatThrownBy(() -> Backplanes.open(URI.create("jetstream://" + broker.address()),
                    Map.of("prefix", prefix, "stream", prefix + "_other")))
                    .isInstanceOf(BackplaneConfigurationException.class)
                    .hasMessageContaining("overlapping");
        }
    }
}

package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery of providers by URI: what goes wrong, and that the error says what to do. */
class BackplanesTest {

    @TempDir
    Path services;

    @Test
    void aMalformedUriIsRefusedWithAnExample() {
        assertThatThrownBy(() -> Backplanes.open("mem://bad name"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("malformed backplane URI 'mem://bad name'")
                .hasMessageContaining("redis://localhost:6379");
    }

    @Test
    void aUriWithoutSchemeIsRefusedListingTheSchemesPresent() {
        assertThatThrownBy(() -> Backplanes.open("//localhost:6379"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("has no scheme")
                .hasMessageContaining("Schemes present: [mem]");
    }

    @Test
    void anUnknownSchemeOfThisProjectNamesTheArtifactThatProvidesIt() {
        assertThatThrownBy(() -> Backplanes.open("kafka://localhost:1"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("no backplane provider for scheme 'kafka'")
                .hasMessageContaining("Add the dependency dev.backplane:backplane-kafka")
                .hasMessageContaining("Schemes present: [mem]")
                .hasMessageContaining("providers present: [mem].");
    }

    @Test
    void anUnknownSchemeOfNoKnownArtifactSaysSo() {
        assertThatThrownBy(() -> Backplanes.open("amqp://localhost:1"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("no backplane provider for scheme 'amqp'")
                .hasMessageContaining("No known artifact provides it")
                .hasMessageContaining("Schemes present: [mem]");
    }

    @Test
    void schemesAreMatchedWhateverTheirCase() {
        try (Backplane b = Backplanes.open("MEM://case-test")) {
            assertThat(b.capabilities().transport()).isEqualTo("mem");
        }
    }

    @Test
    void theProviderOptionWinsOverTheScheme() {
        try (Backplane b = Backplanes.open("redis://provider-test?provider=mem")) {
            assertThat(b.capabilities().transport()).isEqualTo("mem");
        }
    }

    @Test
    void aProviderOptionNamingNoProviderIsRefused() {
        assertThatThrownBy(() -> Backplanes.open("mem://x?provider=redis-streams"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("no backplane provider for provider 'redis-streams'")
                .hasMessageContaining("dev.backplane:backplane-redis-streams");
    }

    @Test
    void anUnknownOptionIsRefusedListingTheAcceptedOnes() {
        assertThatThrownBy(() -> Backplanes.open("mem://x?retian=5"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("unknown option [retian] for provider 'mem'")
                .hasMessageContaining("accepted options: [ackTimeout, connectTimeout, maxPayload, maxPendingPublishes, "
                        + "maxSubscriberBacklog, maxUnacknowledged, outboxBytes, prefix, provider, publishTimeout, retain]");
    }

    @Test
    void unknownOptionsFromTheMapAreRefusedToo() {
        assertThatThrownBy(() -> Backplanes.open(URI.create("mem://x"), Map.of("b", "1", "a", "2")))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("unknown options [a, b]");
    }

    @Test
    void twoProvidersForOneSchemeAreRefusedNamingBoth() throws IOException {
        ClassLoader loader = loaderWith(SecondMemoryProvider.class.getName());
        assertThatThrownBy(() -> Backplanes.open(URI.create("mem://two"), Map.of(), loader))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("more than one backplane provider for scheme 'mem'")
                .hasMessageContaining("mem (dev.backplane.memory.MemoryBackplaneProvider)")
                .hasMessageContaining("mem-copy (dev.backplane.SecondMemoryProvider)")
                .hasMessageContaining("choose with ?provider=NAME");
    }

    @Test
    void theProviderOptionChoosesBetweenTwoProvidersOfOneScheme() throws IOException {
        ClassLoader loader = loaderWith(SecondMemoryProvider.class.getName());
        int before = SecondMemoryProvider.CREATED.get();
        try (Backplane b = Backplanes.open(URI.create("mem://two?provider=mem-copy&copyOption=1"), Map.of(), loader)) {
            assertThat(SecondMemoryProvider.CREATED.get()).as("backplanes the chosen provider created").isEqualTo(before + 1);
        }
        try (Backplane b = Backplanes.open(URI.create("mem://two"), Map.of("provider", "mem"), loader)) {
            assertThat(SecondMemoryProvider.CREATED.get()).as("backplanes the other provider created").isEqualTo(before + 1);
        }
    }

    @Test
    void optionsAreCheckedAgainstTheChosenProvider() throws IOException {
        ClassLoader loader = loaderWith(SecondMemoryProvider.class.getName());
        assertThatThrownBy(() -> Backplanes.open(URI.create("mem://two?provider=mem&copyOption=1"), Map.of(), loader))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("unknown option [copyOption] for provider 'mem'");
    }

    @Test
    void aProviderThatFailsToLoadIsNamedInTheError() throws IOException {
        ClassLoader loader = loaderWith(FailingProvider.class.getName(), "dev.backplane.NoSuchProvider");
        assertThatThrownBy(() -> Backplanes.open(URI.create("failing://x"), Map.of(), loader))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Providers that failed to load")
                .hasMessageContaining("dev.backplane.FailingProvider")
                .hasMessageContaining("its native library is missing")
                .hasMessageContaining("dev.backplane.NoSuchProvider");
    }

    @Test
    void aProviderThatFailsToLoadDoesNotStopTheOthers() throws IOException {
        ClassLoader loader = loaderWith(FailingProvider.class.getName());
        try (Backplane b = Backplanes.open(URI.create("mem://survivor"), Map.of(), loader)) {
            assertThat(b.capabilities().transport()).isEqualTo("mem");
        }
    }

    @Test
    void theProvidersPresentAreListed() {
        assertThat(Backplanes.providers()).extracting(BackplaneProvider::name).containsExactly("mem");
    }

    /** A class loader that also sees a META-INF/services file listing {@code providers}. */
    private ClassLoader loaderWith(String... providers) throws IOException {
        Path file = services.resolve("META-INF/services/" + BackplaneProvider.class.getName());
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(providers));
        return new URLClassLoader(new URL[] {url(services)}, getClass().getClassLoader());
    }

    private static URL url(Path directory) throws MalformedURLException {
        return directory.toUri().toURL();
    }

    @Test
    void aMistypedSchemeGetsTheNearestPresentOneSuggested() {
        assertThatThrownBy(() -> Backplanes.open("mme://local"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageContaining("Did you mean 'mem'?");
        assertThatThrownBy(() -> Backplanes.open("zzzz://local"))
                .isInstanceOf(BackplaneConfigurationException.class)
                .hasMessageNotContaining("Did you mean");
    }
}

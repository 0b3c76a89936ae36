package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Backplanes} and {@link BackplaneConfig} on any URI and options: a configuration (and a
 * provider, or none) or a {@link BackplaneConfigurationException} with a message, never any other
 * exception, whatever the query, the escapes, the durations and numbers hold.
 */
class BackplaneConfigFuzzTest {

    private static final List<String> OPTIONS = new ArrayList<>(BackplaneConfig.COMMON_OPTIONS);

    @FuzzTest(maxDuration = "4s")
    void readsUrisAndOptions(FuzzedDataProvider data) {
        Map<String, String> overrides = new LinkedHashMap<>();
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            String name = data.consumeBoolean() ? data.pickValue(OPTIONS) : data.consumeString(20);
            overrides.put(name, data.consumeString(30));
        }
        String text = data.consumeRemainingAsString();

        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            expectConfigurationError(() -> Backplanes.open(text));
            return;
        }
        BackplaneConfig config;
        try {
            config = BackplaneConfig.of(uri, overrides);
        } catch (BackplaneConfigurationException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(config.redactedUri()).isNotNull();
        assertThat(config.toString()).isNotNull();
        assertThat(config.prefix()).isNotEmpty();
        expectConfigurationError(config::connectTimeout);
        expectConfigurationError(config::publishTimeout);
        expectConfigurationError(config::ackTimeout);
        expectConfigurationError(config::maxPendingPublishes);
        expectConfigurationError(config::outboxBytes);
        expectConfigurationError(config::maxUnacknowledged);
        expectConfigurationError(config::maxSubscriberBacklog);
        for (String name : config.options().keySet()) {
            expectConfigurationError(() -> config.duration(name, null));
            expectConfigurationError(() -> config.longOption(name, 0, Long.MIN_VALUE, Long.MAX_VALUE));
            expectConfigurationError(() -> config.booleanOption(name, false));
        }
        expectConfigurationError(() -> config.requireKnownOptions("fuzz", Set.of()));
        if (uri.getScheme() != null) {
            expectConfigurationError(() -> Backplanes.select(config, Backplanes.load(getClass().getClassLoader())));
        }
    }

    private static void expectConfigurationError(Runnable call) {
        try {
            call.run();
        } catch (BackplaneConfigurationException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}

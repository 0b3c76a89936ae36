package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BackplaneProvider;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Core NATS, at most once: {@code nats://[user:password@|token@]host[:port][?options]}, or
 * {@code tls://...} for a TLS connection; the servers of a cluster separated by commas
 * ({@code nats://h1:4222,h2:4222,h3:4222}), the client reconnecting to another when its server dies. Options beyond the common ones: {@code servers},
 * {@code reconnectWait} (250ms), {@code pingInterval} (30s), {@code connectionName},
 * {@code inboxPrefix} ({@code _INBOX.<prefix>}), the TLS options of {@link dev.backplane.spi.TlsSettings}
 * (only with {@code tls://} or {@code jetstreams://}), and credentials: {@code nkeySeedFile} or
 * {@code credsFile}. See the module's README for what each guarantees.
 */
public final class NatsBackplaneProvider implements BackplaneProvider {

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("nats", "tls");
    }

    /**
     * The connection options, and the JetStream ones too, so that a JetStream option on a core URI
     * gets an error that says how to ask for JetStream instead of a bare "unknown option".
     */
    @Override
    public Set<String> options() {
        Set<String> all = new HashSet<>(NatsSettings.OPTIONS);
        all.addAll(StreamSettings.OPTIONS);
        return Set.copyOf(all);
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        Set<String> streamOptions = new TreeSet<>(config.options().keySet());
        streamOptions.retainAll(StreamSettings.OPTIONS);
        if (!streamOptions.isEmpty()) {
            throw new BackplaneConfigurationException("option" + (streamOptions.size() > 1 ? "s " : " ") + streamOptions
                    + " of " + config.redactedUri() + " configure a JetStream stream, but this URI selects core NATS "
                    + "(at most once, nothing stored); add provider=jetstream or write jetstream://host:port");
        }
        config.requireKnownOptions(name(), NatsSettings.OPTIONS);
        NatsSettings settings = NatsSettings.of(config);
        NatsLink link = NatsLink.open(settings, "nats");
        try {
            return new NatsBackplane(config, link);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }
}

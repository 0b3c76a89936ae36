package dev.backplane.nats;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneProvider;
import java.util.HashSet;
import java.util.Set;

/**
 * NATS JetStream, at least once with replay: {@code jetstream://[user:password@|token@]host[:port][?options]},
 * {@code jetstreams://...} for TLS, or any NATS URI with {@code provider=jetstream}; several servers
 * of a cluster as {@code jetstream://h1:4222,h2:4222,h3:4222}, with {@code replicas=3} for a stream
 * that survives one of them.
 * Beyond the connection options of {@link NatsBackplaneProvider}: {@code stream} (the prefix),
 * {@code createStream} (true), {@code storage} (file), {@code replicas} (1), {@code maxAge} (24h),
 * {@code maxMessages}, {@code maxBytes}, {@code maxMsgsPerSubject} (-1, none). See the module's README.
 */
public final class JetStreamBackplaneProvider implements BackplaneProvider {

    @Override
    public String name() {
        return "jetstream";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("jetstream", "jetstreams");
    }

    @Override
    public Set<String> options() {
        Set<String> all = new HashSet<>(NatsSettings.OPTIONS);
        all.addAll(StreamSettings.OPTIONS);
        return Set.copyOf(all);
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        config.requireKnownOptions(name(), options());
        NatsSettings settings = NatsSettings.of(config);
        StreamSettings stream = StreamSettings.of(config);
        NatsLink link = NatsLink.open(settings, "jetstream");
        try {
            return new JetStreamBackplane(config, link, stream);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
    }
}

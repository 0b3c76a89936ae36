package dev.backplane.kafka;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneProvider;
import java.util.Set;

/**
 * {@code kafka://host:port[,host2:port2][?options]}, or {@code kafkas://} for TLS, with SASL
 * credentials as {@code user:password@} or options: a {@link KafkaBackplane}. The options
 * ({@code topic}, {@code topicPerChannel}, {@code partitions}, {@code createTopics},
 * {@code replicationFactor}, {@code retention}, {@code maxPayload}, the TLS options of
 * {@link dev.backplane.spi.TlsSettings}, {@code saslMechanism}, {@code saslUser},
 * {@code saslPassword}) and their defaults are described in the module's README.
 */
public final class KafkaBackplaneProvider implements BackplaneProvider {

    static final String NAME = "kafka";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> schemes() {
        return Set.of(NAME, ClientSecurity.TLS_SCHEME);
    }

    @Override
    public Set<String> options() {
        return KafkaSettings.OPTIONS;
    }

    /**
     * Opens a backplane and checks, within {@code connectTimeout}, that the broker answers and the
     * topic exists or could be created.
     */
    @Override
    public Backplane create(BackplaneConfig config) {
        return new KafkaBackplane(KafkaSettings.of(config));
    }
}

package dev.backplane.kafka;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import dev.backplane.spi.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How every Kafka client of a backplane (admin client, producer, consumers) reaches the brokers:
 * {@code security.protocol} and the {@code ssl.*} and {@code sasl.*} properties, read from the
 * URI's scheme ({@code kafkas} for TLS), user info and options.
 *
 * <table>
 *   <caption>security.protocol</caption>
 *   <tr><th></th><th>no credentials</th><th>credentials</th></tr>
 *   <tr><td>{@code kafka://}</td><td>PLAINTEXT</td><td>SASL_PLAINTEXT</td></tr>
 *   <tr><td>{@code kafkas://}</td><td>SSL</td><td>SASL_SSL</td></tr>
 * </table>
 *
 * <p>TLS options ({@link TlsSettings}) become the client's own: {@code tlsCaFile} a PEM trust
 * store, {@code tlsTrustStore} a PKCS#12 or JKS one ({@code .jks} files are JKS),
 * {@code tlsCertFile} and {@code tlsKeyFile} a PEM key store given as the files' contents,
 * {@code tlsKeyStore} a PKCS#12 or JKS key store whose key opens with the store's password;
 * {@code ssl.endpoint.identification.algorithm} is {@code https} unless
 * {@code tlsVerifyHostname=false}. {@link TlsSettings#from} checks the files when the backplane
 * opens.
 */
final class ClientSecurity {

    /** The scheme of a TLS connection. */
    static final String TLS_SCHEME = "kafkas";

    private final TlsSettings tls;
    private final Optional<SaslLogin> login;
    private final Map<String, Object> properties;

    private ClientSecurity(TlsSettings tls, Optional<SaslLogin> login, Map<String, Object> properties) {
        this.tls = tls;
        this.login = login;
        this.properties = Map.copyOf(properties);
    }

    /**
     * Reads scheme, user info and options.
     *
     * @throws BackplaneConfigurationException for TLS options without TLS, files that cannot be
     *     read, and credentials that cannot be used (see {@link SaslLogin#of})
     */
    static ClientSecurity of(BackplaneConfig config) {
        String scheme = config.uri().getScheme();
        boolean secure = scheme != null && scheme.equalsIgnoreCase(TLS_SCHEME);
        if (!secure) {
            Set<String> given = new TreeSet<>(config.options().keySet());
            given.retainAll(TlsSettings.OPTIONS);
            if (!given.isEmpty()) {
                throw new BackplaneConfigurationException("option" + (given.size() > 1 ? "s " : " ") + given + " of "
                        + config.redactedUri() + " need TLS, which the Kafka backplane speaks with scheme " + TLS_SCHEME
                        + ":// (" + TLS_SCHEME + "://host:port); kafka:// is PLAINTEXT, or SASL_PLAINTEXT with credentials");
            }
        }
        TlsSettings tls = TlsSettings.from(config, secure);
        Optional<SaslLogin> login = SaslLogin.of(config);
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, (login.isPresent() ? "SASL_" : "")
                + (secure ? "SSL" : "PLAINTEXT"));
        if (secure) {
            p.putAll(sslProperties(config, tls));
        }
        login.ifPresent(l -> {
            p.put(SaslConfigs.SASL_MECHANISM, l.mechanism());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, l.jaasConfig());
        });
        return new ClientSecurity(tls, login, p);
    }

    /** The client properties: security protocol, and the TLS and SASL ones that apply. */
    Map<String, Object> properties() {
        return properties;
    }

    /** {@code security.protocol}. */
    String protocol() {
        return (String) properties.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
    }

    /** Whether the connection uses TLS. */
    boolean tls() {
        return tls.enabled();
    }

    /** The SASL login, if credentials were given. */
    Optional<SaslLogin> login() {
        return login;
    }

    /** Who the broker sees, for messages about permissions: "SASL user 'alice' (PLAIN)", ... */
    String principal() {
        if (login.isPresent()) {
            return login.get().toString();
        }
        if (tls.certFile().isPresent() || tls.keyStore().isPresent()) {
            return "the client certificate's subject";
        }
        return "an anonymous client (User:ANONYMOUS, no credentials given)";
    }

    private static Map<String, Object> sslProperties(BackplaneConfig config, TlsSettings tls) {
        Map<String, Object> p = new HashMap<>();
        tls.caFile().ifPresent(file -> {
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, file.toString());
        });
        tls.trustStore().ifPresent(file -> {
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, storeType(file));
            p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, file.toString());
            if (tls.trustStorePassword() != null) {
                p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.trustStorePassword());
            }
        });
        if (tls.certFile().isPresent()) {
            // A PEM key store given by location must hold key and chain in one file; here they are two.
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(config, TlsSettings.CERT_FILE, tls.certFile().get()));
            p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(config, TlsSettings.KEY_FILE, tls.keyFile().get()));
        }
        tls.keyStore().ifPresent(file -> {
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, storeType(file));
            p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, file.toString());
            if (tls.keyStorePassword() != null) {
                p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, tls.keyStorePassword());
                p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.keyStorePassword());
            }
        });
        p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, tls.verifyHostname() ? "https" : "");
        return p;
    }

    /** The store type {@link TlsSettings} reads the file as: JKS for {@code .jks}, else PKCS12. */
    private static String storeType(Path file) {
        return file.toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
    }

    private static String read(BackplaneConfig config, String option, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BackplaneConfigurationException("option '" + option + "' of " + config.redactedUri() + " names '"
                    + file + "', which cannot be read (" + e.getMessage() + ")");
        }
    }
}

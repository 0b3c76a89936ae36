package dev.backplane.spi;

import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS options every transport reads the same way, and the {@link SSLContext} they make.
 *
 * <table>
 *   <caption>TLS options</caption>
 *   <tr><th>option</th><th>meaning</th></tr>
 *   <tr><td>{@code tlsCaFile}</td><td>PEM file of the certificate authorities to trust instead of the
 *       JVM's</td></tr>
 *   <tr><td>{@code tlsTrustStore}, {@code tlsTrustStorePassword}</td><td>the same as a PKCS#12 or JKS
 *       store</td></tr>
 *   <tr><td>{@code tlsCertFile}, {@code tlsKeyFile}</td><td>mutual TLS: the client's certificate (chain),
 *       PEM, and its unencrypted PKCS#8 private key, PEM</td></tr>
 *   <tr><td>{@code tlsKeyStore}, {@code tlsKeyStorePassword}</td><td>mutual TLS: the client's key and
 *       chain as a PKCS#12 or JKS store</td></tr>
 *   <tr><td>{@code tlsVerifyHostname}</td><td>{@code true} (the default): the server's certificate must
 *       name the host of the URI; {@code false} trusts any name a trusted authority signed</td></tr>
 * </table>
 *
 * <p>The server's certificate is always verified against the trusted authorities; only the host
 * name check can be turned off. A TLS option on a URI whose scheme is not a TLS one is refused, as
 * a file that cannot be read or holds no certificate or key is, at {@link #from}: a wrong CA or
 * host name shows when the transport connects, as a TLS handshake failure it names.
 */
public final class TlsSettings {

    public static final String CA_FILE = "tlsCaFile";
    public static final String TRUST_STORE = "tlsTrustStore";
    public static final String TRUST_STORE_PASSWORD = "tlsTrustStorePassword";
    public static final String CERT_FILE = "tlsCertFile";
    public static final String KEY_FILE = "tlsKeyFile";
    public static final String KEY_STORE = "tlsKeyStore";
    public static final String KEY_STORE_PASSWORD = "tlsKeyStorePassword";
    public static final String VERIFY_HOSTNAME = "tlsVerifyHostname";

    /** The options this class reads, for {@link BackplaneConfig#requireKnownOptions}. */
    public static final Set<String> OPTIONS = Set.of(CA_FILE, TRUST_STORE, TRUST_STORE_PASSWORD, CERT_FILE, KEY_FILE,
            KEY_STORE, KEY_STORE_PASSWORD, VERIFY_HOSTNAME);

    private final boolean enabled;
    private final Optional<Path> caFile;
    private final Optional<Path> trustStore;
    private final String trustStorePassword;
    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;
    private final Optional<Path> keyStore;
    private final String keyStorePassword;
    private final boolean verifyHostname;
    private final SSLContext context;

    private TlsSettings(BackplaneConfig config, boolean enabled) {
        this.enabled = enabled;
        this.caFile = readableFile(config, CA_FILE);
        this.trustStore = readableFile(config, TRUST_STORE);
        this.trustStorePassword = config.option(TRUST_STORE_PASSWORD, null);
        this.certFile = readableFile(config, CERT_FILE);
        this.keyFile = readableFile(config, KEY_FILE);
        this.keyStore = readableFile(config, KEY_STORE);
        this.keyStorePassword = config.option(KEY_STORE_PASSWORD, null);
        this.verifyHostname = config.booleanOption(VERIFY_HOSTNAME, true);
        if (caFile.isPresent() && trustStore.isPresent()) {
            throw conflict(config, CA_FILE + " and " + TRUST_STORE, "trust either a PEM file or a store");
        }
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw conflict(config, certFile.isPresent() ? CERT_FILE : KEY_FILE,
                    "a client certificate needs both " + CERT_FILE + " and " + KEY_FILE);
        }
        if (certFile.isPresent() && keyStore.isPresent()) {
            throw conflict(config, CERT_FILE + " and " + KEY_STORE, "give the client's key either as PEM files or as a store");
        }
        this.context = enabled ? context(config) : null;
    }

    /**
     * Reads the TLS options of {@code config}; {@code tls} says whether its URI asks for TLS.
     *
     * @throws BackplaneConfigurationException if an option is given without TLS, names a file that
     *         cannot be read, holds no certificate or key, or conflicts with another
     */
    public static TlsSettings from(BackplaneConfig config, boolean tls) {
        if (!tls) {
            Set<String> given = new java.util.TreeSet<>(config.options().keySet());
            given.retainAll(OPTIONS);
            if (!given.isEmpty()) {
                throw new BackplaneConfigurationException("option" + (given.size() > 1 ? "s " : " ") + given + " of "
                        + config.redactedUri() + " need TLS, and scheme '" + config.uri().getScheme()
                        + "' is not a TLS one; use its TLS scheme (rediss, tls, ...) or drop the option");
            }
        }
        return new TlsSettings(config, tls);
    }

    /** Whether the connection uses TLS. */
    public boolean enabled() {
        return enabled;
    }

    /** The context to make TLS sockets with; only when {@link #enabled()}. */
    public SSLContext context() {
        if (!enabled) {
            throw new IllegalStateException("TLS is not enabled");
        }
        return context;
    }

    /** Whether the server's certificate must name the host connected to. */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Parameters for a client socket: host name verification when {@link #verifyHostname()}. */
    public SSLParameters parameters() {
        SSLParameters parameters = context().getDefaultSSLParameters();
        if (verifyHostname) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        return parameters;
    }

    /** {@code tlsCaFile}, for a client that reads files itself. */
    public Optional<Path> caFile() {
        return caFile;
    }

    /** {@code tlsTrustStore}. */
    public Optional<Path> trustStore() {
        return trustStore;
    }

    /** {@code tlsTrustStorePassword}, or null. */
    public String trustStorePassword() {
        return trustStorePassword;
    }

    /** {@code tlsCertFile}. */
    public Optional<Path> certFile() {
        return certFile;
    }

    /** {@code tlsKeyFile}. */
    public Optional<Path> keyFile() {
        return keyFile;
    }

    /** {@code tlsKeyStore}. */
    public Optional<Path> keyStore() {
        return keyStore;
    }

    /** {@code tlsKeyStorePassword}, or null. */
    public String keyStorePassword() {
        return keyStorePassword;
    }

    /**
     * Whether {@code e}, or one of its causes, is a failed TLS handshake: the server's certificate is
     * not trusted or names another host, or the server refused the client's.
     */
    public static boolean isHandshakeFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
        }
        return false;
    }

    private SSLContext context(BackplaneConfig config) {
        try {
            TrustManager[] trust = trustManagers(config);
            KeyManager[] keys = keyManagers(config);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, trust, null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new BackplaneConfigurationException("could not set up TLS for " + config.redactedUri() + ": " + e.getMessage());
        }
    }

    private TrustManager[] trustManagers(BackplaneConfig config) throws GeneralSecurityException {
        KeyStore store;
        if (caFile.isPresent()) {
            store = emptyStore();
            List<Certificate> certificates = certificates(config, CA_FILE, caFile.get());
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
        } else if (trustStore.isPresent()) {
            store = loadStore(config, TRUST_STORE, trustStore.get(), trustStorePassword);
        } else {
            return null; // the JVM's authorities
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        return factory.getTrustManagers();
    }

    private KeyManager[] keyManagers(BackplaneConfig config) throws GeneralSecurityException {
        KeyStore store;
        char[] password;
        if (certFile.isPresent()) {
            List<Certificate> chain = certificates(config, CERT_FILE, certFile.get());
            password = new char[0];
            store = emptyStore();
            store.setKeyEntry("client", privateKey(config, keyFile.get()), password, chain.toArray(Certificate[]::new));
        } else if (keyStore.isPresent()) {
            password = keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray();
            store = loadStore(config, KEY_STORE, keyStore.get(), keyStorePassword);
        } else {
            return null; // no client certificate
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        try {
            factory.init(store, password);
        } catch (java.security.UnrecoverableKeyException e) {
            throw invalid(config, KEY_STORE_PASSWORD, keyStore.map(Path::toString).orElse(""),
                    "does not open the key in it (" + e.getMessage() + ")");
        }
        return factory.getKeyManagers();
    }

    private static List<Certificate> certificates(BackplaneConfig config, String option, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw invalid(config, option, file.toString(), "holds no PEM certificate");
            }
            return new ArrayList<>(read);
        } catch (IOException | GeneralSecurityException e) {
            throw invalid(config, option, file.toString(), "is not a PEM certificate file (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(BackplaneConfig config, Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw invalid(config, KEY_FILE, file.toString(), "cannot be read (" + e.getMessage() + ")");
        }
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key; give it unencrypted"
                    : pem.contains("RSA PRIVATE KEY") || pem.contains("EC PRIVATE KEY") ? "a PKCS#1 or SEC1 key"
                    : "no PEM private key";
            throw invalid(config, KEY_FILE, file.toString(), "holds " + hint
                    + "; expected PKCS#8 ('BEGIN PRIVATE KEY'): openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        } catch (IllegalArgumentException e) {
            throw invalid(config, KEY_FILE, file.toString(), "holds a private key that is not valid Base64");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw invalid(config, KEY_FILE, file.toString(), "holds a private key that is not RSA, EC or EdDSA");
    }

    private static KeyStore loadStore(BackplaneConfig config, String option, Path file, String password) {
        String type = file.toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password == null ? null : password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw invalid(config, option, file.toString(), "is not a " + type + " store that "
                    + (password == null ? "opens without a password" : "its password opens") + " (" + e.getMessage() + ")");
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static Optional<Path> readableFile(BackplaneConfig config, String option) {
        String value = config.option(option, null);
        if (value == null) {
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid(config, option, value, "is not a file name (" + e.getReason() + ")");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw invalid(config, option, value, Files.exists(file) ? "cannot be read" : "does not exist");
        }
        return Optional.of(file);
    }

    private static BackplaneConfigurationException invalid(BackplaneConfig config, String option, String value, String why) {
        return new BackplaneConfigurationException("option '" + option + "' of " + config.redactedUri() + " names '"
                + value + "', which " + why);
    }

    private static BackplaneConfigurationException conflict(BackplaneConfig config, String options, String why) {
        return new BackplaneConfigurationException("options " + options + " of " + config.redactedUri() + ": " + why);
    }
}

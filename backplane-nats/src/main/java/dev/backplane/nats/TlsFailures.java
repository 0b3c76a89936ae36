package dev.backplane.nats;

import dev.backplane.spi.TlsSettings;
import java.util.Locale;

/**
 * What a failed TLS connection to NATS says about its cause, in words that name the fix: the
 * server's certificate not trusted, not naming the host, the client's certificate refused or
 * missing, or TLS on one side only.
 */
final class TlsFailures {

    private TlsFailures() {
    }

    /** Why {@code failure} (or one of its causes) made the connection fail, if TLS did; else null. */
    static String describe(Throwable failure) {
        if (failure == null) {
            return null;
        }
        String all = messages(failure);
        if (all.contains("ssl required by server")) {
            return "the server requires TLS; write tls://host:port (core NATS) or jetstreams://host:port (JetStream)";
        }
        if (all.contains("ssl connection wanted by client")) {
            return "the server does not offer TLS; write nats://host:port or jetstream://host:port, or enable TLS "
                    + "on the server (a tls block in its configuration)";
        }
        if (all.contains("no subject alternative") || all.contains("no name matching")) {
            return "the server's certificate does not name the host connected to (" + cause(failure) + "); connect "
                    + "with a host name the certificate names, or have the certificate name this host "
                    + "(tlsVerifyHostname=false turns the check off)";
        }
        if (all.contains("pkix path") || all.contains("certification path") || all.contains("validatorexception")) {
            return "the server's certificate is not trusted (" + cause(failure) + "); give the authority that signed "
                    + "it with tlsCaFile or tlsTrustStore";
        }
        if (all.contains("certificate_required") || all.contains("bad_certificate") || all.contains("unknown_ca")
                || all.contains("certificate_unknown") || all.contains("access_denied")) {
            return "the server refused the client's certificate, or needs one and got none (" + cause(failure)
                    + "); give a certificate its ca_file trusts with tlsCertFile and tlsKeyFile, or tlsKeyStore";
        }
        if (TlsSettings.isHandshakeFailure(failure) || failure instanceof javax.net.ssl.SSLException
                || failure.getCause() instanceof javax.net.ssl.SSLException) {
            return "the TLS handshake failed (" + cause(failure) + ")";
        }
        return null;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    /** The innermost cause's message: what the JDK said went wrong. */
    private static String cause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}

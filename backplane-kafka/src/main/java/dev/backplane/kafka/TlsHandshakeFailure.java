package dev.backplane.kafka;

import dev.backplane.spi.TlsSettings;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.util.Locale;

/**
 * What went wrong in a failed TLS handshake with a broker, in words a user can act on: the
 * broker's certificate is not trusted, does not name the host, or the broker refused the client's
 * certificate (or wanted one and got none). Kafka reports all of them as an
 * {@link org.apache.kafka.common.errors.SslAuthenticationException} whose causes tell them apart.
 */
final class TlsHandshakeFailure {

    private TlsHandshakeFailure() {
    }

    /** Whether {@code e} is a failed TLS handshake (or has one among its causes). */
    static boolean is(Throwable e) {
        return e instanceof org.apache.kafka.common.errors.SslAuthenticationException || TlsSettings.isHandshakeFailure(e);
    }

    /** What the handshake failure {@code e} means and what to change, naming {@code host} (host:port list). */
    static String explain(Throwable e, String host) {
        String detail = innermostMessage(e);
        String text = allMessages(e);
        if (text.contains("no subject alternative") || text.contains("no name matching")) {
            return "the broker's certificate does not name the host it was reached at (" + host + "): " + detail
                    + "; connect with a host name the certificate names, use a certificate that names this one, "
                    + "or set " + TlsSettings.VERIFY_HOSTNAME + "=false";
        }
        if (hasCause(e, CertPathBuilderException.class) || hasCause(e, CertPathValidatorException.class)
                || text.contains("pkix path") || text.contains("unable to find valid certification path")) {
            return "the broker's certificate at " + host + " is not trusted: no authority of " + TlsSettings.CA_FILE
                    + " or " + TlsSettings.TRUST_STORE + " (or, without them, of the JVM) signed it: " + detail
                    + "; give the authority that signed the broker's certificate";
        }
        if (text.contains("bad_certificate") || text.contains("certificate_required") || text.contains("unknown_ca")
                || text.contains("certificate_unknown") || text.contains("post-handshake")) {
            return "the broker at " + host + " refused the client's certificate, or asked for one and got none: "
                    + detail + "; give a certificate it trusts with " + TlsSettings.CERT_FILE + " and "
                    + TlsSettings.KEY_FILE + ", or " + TlsSettings.KEY_STORE;
        }
        return "the TLS handshake with the broker at " + host + " failed: " + detail
                + "; check that the listener there speaks TLS and the TLS options";
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String allMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        return all.toString().toLowerCase(Locale.ROOT);
    }

    private static String innermostMessage(Throwable e) {
        Throwable innermost = e;
        while (innermost.getCause() != null) {
            innermost = innermost.getCause();
        }
        return innermost.getClass().getSimpleName() + ": " + innermost.getMessage();
    }
}

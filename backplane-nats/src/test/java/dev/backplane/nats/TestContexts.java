package dev.backplane.nats;

import dev.backplane.BackplaneConfig;
import dev.backplane.spi.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** TLS contexts for the plain jnats clients of tests, made the way the backplane makes its own. */
final class TestContexts {

    private TestContexts() {
    }

    /** A context that trusts the authority of {@code caFile} alone. */
    static SSLContext trusting(Path caFile) {
        return TlsSettings.from(BackplaneConfig.of(URI.create("tls://localhost"),
                Map.of(TlsSettings.CA_FILE, caFile.toString())), true).context();
    }
}

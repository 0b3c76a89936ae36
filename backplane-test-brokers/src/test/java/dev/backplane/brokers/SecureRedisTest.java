package dev.backplane.brokers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The TLS and ACL Redis answers only over TLS, with the certificates it made, keeps its users
 * across a restart on the same port, asks for client certificates where told, and cleans up.
 */
class SecureRedisTest {

    @Test
    void aTlsOnlyServerWithUsersAnswersOverTlsKeepsThemAcrossARestart() throws IOException {
        try (SecureRedis redis = SecureRedis.tls().user("app", "app-pw", "~app:*", "-@all", "+get").start()) {
            assertThat(redis.controllable()).isTrue();
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(send(redis, redis.clientContext(), "AUTH", "app", "app-pw")).isEqualTo("+OK");
            assertThat(send(redis, redis.clientContext(), "AUTH", "app", "wrong")).startsWith("-WRONGPASS");
            assertThat(send(redis, redis.clientContext(), "PING")).as("the default user is off").startsWith("-NOAUTH");
            assertThat(redis.uri("rediss", "app", "p@ss word")).isEqualTo("rediss://app:p%40ss%20word@" + redis.address());
            assertThat(redis.trustOptions()).containsOnlyKeys("tlsCaFile");
            assertThat(redis.clientTlsOptions()).isEqualTo(redis.trustOptions());

            int port = redis.port();
            redis.stop();
            assertThatThrownBy(() -> new Socket(redis.host(), port).close()).isInstanceOf(IOException.class);
            redis.start();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(send(redis, redis.clientContext(), "AUTH", "app", "app-pw")).as("after a restart").isEqualTo("+OK");
        }
    }

    @Test
    void aServerThatAsksForClientCertificatesRefusesAClientWithout() throws Exception {
        try (SecureRedis redis = SecureRedis.tls().clientAuth("yes").defaultUserPassword("pw").start()) {
            assertThat(send(redis, redis.clientContext(), "AUTH", "pw")).isEqualTo("+OK");
            assertThat(redis.clientTlsOptions()).containsOnlyKeys("tlsCaFile", "tlsCertFile", "tlsKeyFile");
            SSLContext noCertificate = SSLContext.getInstance("TLS");
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(redis.authority().trustStore())) {
                store.load(in, dev.backplane.fixture.TestCertificates.STORE_PASSWORD.toCharArray());
            }
            trust.init(store);
            noCertificate.init(null, trust.getTrustManagers(), null);
            assertThatThrownBy(() -> send(redis, noCertificate, "AUTH", "pw")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aPlainServerHasTheSameUsers() throws IOException {
        try (SecureRedis redis = SecureRedis.plain().defaultUserPassword("dpw").start()) {
            try (Socket socket = new Socket(redis.host(), redis.port())) {
                assertThat(command(socket, "AUTH", "dpw")).isEqualTo("+OK");
                assertThat(command(socket, "AUTH", SecureRedis.ADMIN, redis.adminPassword())).isEqualTo("+OK");
            }
            assertThatThrownBy(redis::authority).isInstanceOf(IllegalStateException.class);
        }
    }

    private static String send(SecureRedis redis, SSLContext context, String... command) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(redis.host(), redis.port())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return command(socket, command);
        }
    }

    /** Sends one command in RESP and reads the first line of the reply. */
    private static String command(Socket socket, String... command) throws IOException {
        StringBuilder resp = new StringBuilder("*" + command.length + "\r\n");
        for (String part : command) {
            resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("the server closed the connection after: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}

package dev.backplane.signalr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.signalr.demo.ChatServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat demo as a person uses it: two nodes on a private redis-server, a page on each in
 * Debian's headless chromium (playwright-core), messages and presence across the nodes.
 * Screenshots: {@code target/chat-demo-node-1.png} and {@code target/chat-demo-node-2.png}.
 */
class ChatDemoBrowserTest {

    @Test
    void twoPagesOnTwoNodesExchangeMessagesAndSeeEachOtherOnline() throws Exception {
        assertThat(Path.of("/usr/bin/chromium")).as("Debian's chromium (apt-get install chromium, or .ci/install-test-tools)")
                .exists();
        NodeClients.ensureInstalled();
        String uri = "redis://" + TwoNodes.redis().address() + "?prefix=chat" + UUID.randomUUID().toString().substring(0, 8);
        String browserDir = NodeClients.MODULE.resolve("node_modules/@microsoft/signalr/dist/browser").toString();
        List<ChatServer> nodes = new ArrayList<>();
        try {
            nodes.add(ChatServer.start(uri, "node-1", 0, browserDir));
            nodes.add(ChatServer.start(uri, "node-2", 0, browserDir));
            Path target = NodeClients.MODULE.resolve("target");
            Path log = target.resolve("js-chat-browser.log");
            ProcessBuilder pb = new ProcessBuilder("node", "src/test/js/chat-browser.mjs")
                    .directory(NodeClients.MODULE.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("NODE1", nodes.get(0).url());
            pb.environment().put("NODE2", nodes.get(1).url());
            pb.environment().put("SCREENSHOT_DIR", target.toString());
            Process p = pb.start();
            boolean finished = p.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = Files.readString(log);
            assertThat(finished).as("the browser test finished; output:%n%s", output).isTrue();
            assertThat(p.exitValue()).as("browser test exit code; output:%n%s", output).isZero();
            assertThat(output).contains("PASS chat-browser");
            assertThat(target.resolve("chat-demo-node-1.png")).exists();
            assertThat(target.resolve("chat-demo-node-2.png")).exists();
        } finally {
            nodes.forEach(ChatServer::close);
        }
    }
}

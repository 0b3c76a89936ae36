package dev.backplane.signalr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the official JavaScript clients under Node.js: {@code src/test/js/scenarios.mjs NAME} with the
 * node URLs in the environment. The packages come from the module's lock file ({@code npm ci}),
 * installed here on first use when missing.
 */
final class NodeClients {

    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    private static final long INSTALL_MINUTES = 5;

    private NodeClients() {
    }

    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        Path marker = MODULE.resolve("node_modules/.package-lock.json");
        if (Files.exists(marker) && Files.getLastModifiedTime(marker).compareTo(
                Files.getLastModifiedTime(MODULE.resolve("package-lock.json"))) >= 0) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(MODULE.toFile())
                .redirectErrorStream(true).redirectOutput(MODULE.resolve("target/npm-ci.log").toFile()).start();
        if (!npm.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm ci did not finish within " + INSTALL_MINUTES + " minutes");
        }
        assertThat(npm.exitValue()).as("npm ci (see target/npm-ci.log)").isZero();
    }

    /** Runs a scenario to its end; returns its output. Fails with the output when it fails or times out. */
    static String run(String scenario, Map<String, String> env) throws Exception {
        ensureInstalled();
        List<String> command = new ArrayList<>(List.of("node", "src/test/js/scenarios.mjs", scenario));
        ProcessBuilder pb = new ProcessBuilder(command).directory(MODULE.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = MODULE.resolve("target/js-" + scenario + ".log");
        Files.createDirectories(log.getParent());
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean finished = p.waitFor(90, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("scenario %s finished within 90 s; output:%n%s", scenario, output).isTrue();
        assertThat(p.exitValue()).as("scenario %s exit code; output:%n%s", scenario, output).isZero();
        assertThat(output).as("scenario %s output", scenario).contains("PASS " + scenario);
        return output;
    }
}

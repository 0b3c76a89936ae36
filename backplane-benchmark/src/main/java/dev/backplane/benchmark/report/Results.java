package dev.backplane.benchmark.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.backplane.benchmark.run.PointResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything one benchmark run measured, as written to {@code results.json}.
 *
 * @param suite the suite's name
 * @param command the command line that produced it
 * @param startedAt when it started, ISO-8601
 * @param seconds how long it took
 * @param runsPerPoint measured runs per point
 * @param machine where it ran
 * @param points every point on every side, in the order run
 * @param errors points that could not be measured, with the reason
 */
public record Results(String suite, String command, String startedAt, double seconds, int runsPerPoint, Machine machine,
        List<PointResult> points, List<String> errors) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static Results read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Results.class);
    }
}

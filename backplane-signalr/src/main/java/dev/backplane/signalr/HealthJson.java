package dev.backplane.signalr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Health;
import dev.backplane.signalr.host.HttpReply;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Health} as the JSON a probe reads: {@code {"status":"UP","details":{...},"components":
 * {"/chat":{...}}}}, with HTTP 200 while UP or DEGRADED and 503 while DOWN.
 */
public final class HealthJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HealthJson() {
    }

    /** The health as a map of maps, in the order of its details and components. */
    public static Map<String, Object> toMap(Health health) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", health.status().name());
        out.put("details", health.details());
        if (!health.components().isEmpty()) {
            Map<String, Object> components = new LinkedHashMap<>();
            health.components().forEach((name, h) -> components.put(name, toMap(h)));
            out.put("components", components);
        }
        return out;
    }

    /** The HTTP answer for {@code health}. */
    public static HttpReply reply(Health health) {
        try {
            return HttpReply.json(health.isServing() ? 200 : 503, MAPPER.writeValueAsBytes(toMap(health)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("health details that are not JSON values: " + health.details(), e);
        }
    }
}

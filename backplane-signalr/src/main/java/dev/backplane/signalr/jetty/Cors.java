package dev.backplane.signalr.jetty;

import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Cross-origin access to the hubs: an allowed origin is echoed with credentials allowed (the
 * clients send cookies and the Authorization header); other origins get no CORS headers, so
 * browsers refuse them.
 */
final class Cors {

    private final Set<String> allowed;

    Cors(Set<String> allowed) {
        this.allowed = allowed;
    }

    void apply(Request request, Response response) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null || !(allowed.contains("*") || allowed.contains(origin))) {
            return;
        }
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, DELETE, OPTIONS");
        String asked = request.getHeaders().get(HttpHeader.ACCESS_CONTROL_REQUEST_HEADERS);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS,
                asked != null ? asked : "Authorization, Content-Type, X-Requested-With, X-SignalR-User-Agent");
        response.getHeaders().add(HttpHeader.VARY, "Origin");
    }
}

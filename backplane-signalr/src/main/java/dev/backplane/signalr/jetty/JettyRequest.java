package dev.backplane.signalr.jetty;

import dev.backplane.signalr.host.HostRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** A Jetty request as the endpoint reads it. */
final class JettyRequest implements HostRequest {

    private final Request request;
    private final Map<String, String> query;

    JettyRequest(Request request) {
        this.request = request;
        Map<String, String> q = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request);
        for (Fields.Field f : fields) {
            q.put(f.getName(), f.getValue());
        }
        this.query = Map.copyOf(q);
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public Map<String, String> query() {
        return query;
    }

    @Override
    public String header(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public String cookie(String name) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }
}

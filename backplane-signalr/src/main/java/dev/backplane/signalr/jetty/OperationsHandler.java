package dev.backplane.signalr.jetty;

import dev.backplane.signalr.HealthJson;
import dev.backplane.signalr.SignalRService;
import dev.backplane.signalr.host.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code GET /health} and {@code GET /metrics}: where operators and load balancers look. */
final class OperationsHandler extends Handler.Abstract {

    /** The content type of Prometheus' text exposition format. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final SignalRService service;
    private final Supplier<String> metrics;

    OperationsHandler(SignalRService service, Supplier<String> metrics) {
        this.service = service;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean health = path.equals("/health");
        if (!(health || (path.equals("/metrics") && metrics != null))) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            JettyHost.HubHttpHandler.write(response, callback, HttpReply.text(405, path + " takes GET"));
            return true;
        }
        HttpReply reply;
        if (health) {
            reply = HealthJson.reply(service.health());
        } else {
            reply = new HttpReply(200, PROMETHEUS_TEXT, metrics.get().getBytes(StandardCharsets.UTF_8));
        }
        JettyHost.HubHttpHandler.write(response, callback, reply);
        return true;
    }
}

package dev.backplane.signalr.jetty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * GET of files under a few roots (directories, or {@code classpath:} folders), first match wins;
 * anything else is 404. Paths with {@code ..} or backslashes are refused.
 */
final class StaticFiles extends Handler.Abstract {

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
            "svg", "image/svg+xml", "json", "application/json", "map", "application/json", "ico", "image/x-icon");

    private final List<String> roots;

    StaticFiles(List<String> roots) {
        this.roots = roots;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            return notFound(response, callback);
        }
        if (path.equals("/")) {
            path = "/index.html";
        }
        if (path.contains("..") || path.contains("\\") || path.contains("//")) {
            return notFound(response, callback);
        }
        String relative = path.substring(1);
        for (String root : roots) {
            byte[] body = read(root, relative);
            if (body != null) {
                int dot = relative.lastIndexOf('.');
                String type = TYPES.getOrDefault(dot < 0 ? "" : relative.substring(dot + 1), "application/octet-stream");
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        }
        return notFound(response, callback);
    }

    private static byte[] read(String root, String relative) throws IOException {
        if (root.startsWith("classpath:")) {
            String base = root.substring("classpath:".length());
            String name = (base.endsWith("/") ? base : base + "/") + relative;
            try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(name)) {
                return in == null ? null : in.readAllBytes();
            }
        }
        Path file = Path.of(root).resolve(relative).normalize();
        if (!file.startsWith(Path.of(root).normalize()) || !Files.isRegularFile(file)) {
            return null;
        }
        return Files.readAllBytes(file);
    }

    private static boolean notFound(Response response, Callback callback) {
        Response.writeError(null, response, callback, 404, "not found");
        return true;
    }
}

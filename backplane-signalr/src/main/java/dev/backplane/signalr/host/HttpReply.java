package dev.backplane.signalr.host;

import java.nio.charset.StandardCharsets;

/**
 * A complete HTTP answer for the host to write.
 *
 * @param status the status code
 * @param contentType the content type, or null for an empty body
 * @param body the body (empty for none)
 */
public record HttpReply(int status, String contentType, byte[] body) {

    public static HttpReply text(int status, String text) {
        return new HttpReply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply json(int status, byte[] json) {
        return new HttpReply(status, "application/json", json);
    }

    public static HttpReply empty(int status) {
        return new HttpReply(status, null, new byte[0]);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

package dev.backplane.signalr.host;

import dev.backplane.signalr.AuthenticationRequest;
import java.util.Map;

/** An HTTP request as a host hands it to the SignalR endpoint: all the endpoint reads of it. */
public interface HostRequest extends AuthenticationRequest {

    /** GET, POST, DELETE, ... */
    String method();

    /** Every query parameter, first value of each. */
    Map<String, String> query();

    @Override
    default String queryParameter(String name) {
        return query().get(name);
    }

    @Override
    default String accessToken() {
        String auth = header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return queryParameter("access_token");
    }
}

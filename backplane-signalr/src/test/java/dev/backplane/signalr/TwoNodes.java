package dev.backplane.signalr;

import dev.backplane.Backplane;
import dev.backplane.Backplanes;
import dev.backplane.brokers.Broker;
import dev.backplane.brokers.SharedBrokers;
import dev.backplane.signalr.jetty.JettyHost;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Two SignalR server nodes on one real backplane (a private redis-server by default), each with
 * {@link TestHub} at {@code /test}, on ephemeral loopback ports. Tokens: {@code user:NAME} is user
 * NAME, {@code admin:NAME} also has the role admin, {@code expired:NAME} is refused as expired,
 * {@code expiring:NAME:EPOCH_MILLIS} expires then; no token is anonymous; anything else is refused.
 */
final class TwoNodes implements AutoCloseable {

    static final Authenticator TOKENS = request -> {
        String token = request.accessToken();
        if (token == null || token.isEmpty()) {
            return null;
        }
        String[] parts = token.split(":");
        switch (parts[0]) {
            case "user":
                return UserIdentity.of(parts[1]);
            case "admin":
                return new UserIdentity(parts[1], Set.of("admin"), Map.of(), null);
            case "expired":
                throw new AuthenticationException("the token of " + parts[1] + " expired");
            case "expiring":
                return new UserIdentity(parts[1], Set.of(), Map.of(),
                        Instant.ofEpochMilli(Long.parseLong(parts[2])));
            default:
                throw new AuthenticationException("unknown token");
        }
    };

    private final List<Backplane> backplanes = new ArrayList<>();
    final List<SignalRService> services = new ArrayList<>();
    final List<JettyHost> hosts = new ArrayList<>();

    TwoNodes(UnaryOperator<SignalROptions> options) {
        this("redis://" + redis().address() + "?prefix=sr" + UUID.randomUUID().toString().substring(0, 8), options);
    }

    TwoNodes(String backplaneUri, UnaryOperator<SignalROptions> options) {
        try {
            for (int i = 0; i < 2; i++) {
                Backplane backplane = Backplanes.open(backplaneUri);
                backplanes.add(backplane);
                SignalRService service = SignalRService.builder(backplane)
                        .hub("/test", TestHub.class, TestHub::new)
                        .options(options.apply(SignalROptions.defaults().withAuthenticator(TOKENS)
                                .withDetailedErrors(false)))
                        .build();
                services.add(service);
                TestHub.ENDPOINTS.add(service.endpoint("/test"));
                hosts.add(JettyHost.start(service, JettyHost.Options.port(0)));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static Broker redis() {
        return SharedBrokers.redis();
    }

    String url(int node) {
        return hosts.get(node).baseUrl() + "/test";
    }

    SignalREndpoint endpoint(int node) {
        return services.get(node).endpoint("/test");
    }

    static Duration waitLimit() {
        return Duration.ofSeconds(20);
    }

    @Override
    public void close() {
        hosts.forEach(JettyHost::close);
        for (SignalRService s : services) {
            TestHub.ENDPOINTS.remove(s.endpoint("/test"));
            s.close();
        }
        backplanes.forEach(Backplane::close);
    }
}

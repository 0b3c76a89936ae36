package dev.backplane.signalr;

import dev.backplane.hub.Target;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The client selections of a hub, as targets of the hub layer: every send crosses nodes through
 * the backplane. {@code callerId} is null outside a hub call.
 */
final class Proxies implements HubCallerClients {

    private final dev.backplane.hub.HubContext hub;
    private final String callerId;
    private final Duration defaultTimeout;

    Proxies(dev.backplane.hub.HubContext hub, String callerId, Duration defaultTimeout) {
        this.hub = hub;
        this.callerId = callerId;
        this.defaultTimeout = defaultTimeout;
    }

    private ClientProxy to(Target target) {
        return (method, args) -> hub.send(target, method, args);
    }

    @Override
    public ClientProxy all() {
        return to(Target.all());
    }

    @Override
    public ClientProxy allExcept(Collection<String> excludedConnectionIds) {
        return to(Target.allExcept(excludedConnectionIds));
    }

    @Override
    public SingleClientProxy client(String connectionId) {
        Target target = Target.connection(connectionId);
        return new SingleClientProxy() {
            @Override
            public CompletableFuture<Void> send(String method, Object... args) {
                return hub.send(target, method, args);
            }

            @Override
            public <T> CompletableFuture<T> invoke(Class<T> resultType, Duration timeout, String method,
                    Object... args) {
                return hub.invoke(connectionId, resultType, timeout == null ? defaultTimeout : timeout, method, args);
            }
        };
    }

    @Override
    public ClientProxy clients(Collection<String> connectionIds) {
        return to(Target.connections(connectionIds));
    }

    @Override
    public ClientProxy group(String group) {
        return to(Target.group(group));
    }

    @Override
    public ClientProxy groups(Collection<String> groups) {
        return to(Target.groups(groups));
    }

    @Override
    public ClientProxy groupExcept(String group, Collection<String> excludedConnectionIds) {
        return to(Target.groupExcept(group, excludedConnectionIds.toArray(String[]::new)));
    }

    @Override
    public ClientProxy user(String userId) {
        return to(Target.user(userId));
    }

    @Override
    public ClientProxy users(Collection<String> userIds) {
        return to(Target.users(userIds));
    }

    @Override
    public SingleClientProxy caller() {
        return client(requireCaller("caller()"));
    }

    @Override
    public ClientProxy others() {
        return to(Target.allExcept(requireCaller("others()")));
    }

    @Override
    public ClientProxy othersInGroup(String group) {
        return to(Target.groupExcept(group, requireCaller("othersInGroup()")));
    }

    private String requireCaller(String what) {
        if (callerId == null) {
            throw new IllegalStateException(what + " needs a caller: use it inside a hub method, not from a HubContext");
        }
        return callerId;
    }
}

package dev.backplane.tck.hub;

import dev.backplane.hub.ConnectionSink;
import dev.backplane.hub.HubConnection;
import dev.backplane.hub.HubContext;
import dev.backplane.hub.HubNode;
import dev.backplane.hub.HubPresence;
import dev.backplane.hub.HubStats;
import dev.backplane.hub.Target;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/** A node or context that forwards every call; the faulty variants override one behaviour. */
class ForwardingHub implements HubNode {

    protected final HubContext delegate;

    ForwardingHub(HubContext delegate) {
        this.delegate = delegate;
    }

    protected HubNode node() {
        return (HubNode) delegate;
    }

    @Override
    public String hub() {
        return delegate.hub();
    }

    @Override
    public String nodeId() {
        return delegate.nodeId();
    }

    @Override
    public CompletableFuture<Void> send(Target target, String method, Object... args) {
        return delegate.send(target, method, args);
    }

    @Override
    public CompletableFuture<Void> sendJson(Target target, String method, byte[] argumentsJson) {
        return delegate.sendJson(target, method, argumentsJson);
    }

    @Override
    public CompletableFuture<Void> addToGroup(String connectionId, String group) {
        return delegate.addToGroup(connectionId, group);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String connectionId, String group) {
        return delegate.removeFromGroup(connectionId, group);
    }

    @Override
    public CompletableFuture<byte[]> invokeJson(String connectionId, Duration timeout, String method, Object... args) {
        return delegate.invokeJson(connectionId, timeout, method, args);
    }

    @Override
    public <T> CompletableFuture<T> invoke(String connectionId, Class<T> resultType, Duration timeout, String method,
            Object... args) {
        return delegate.invoke(connectionId, resultType, timeout, method, args);
    }

    @Override
    public HubPresence presence() {
        return delegate.presence();
    }

    @Override
    public HubStats stats() {
        return delegate.stats();
    }

    @Override
    public dev.backplane.hub.HubMetrics metrics() {
        return delegate.metrics();
    }

    @Override
    public dev.backplane.Health health() {
        return delegate.health();
    }

    @Override
    public dev.backplane.Registration addListener(dev.backplane.hub.HubListener listener) {
        return delegate.addListener(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public CompletableFuture<HubConnection> connect(String userId, ConnectionSink sink) {
        return node().connect(userId, sink);
    }

    @Override
    public boolean disconnect(String connectionId) {
        return node().disconnect(connectionId);
    }

    @Override
    public Collection<HubConnection> localConnections() {
        return node().localConnections();
    }

    @Override
    public boolean completeInvocation(String connectionId, String invocationId, Object result) {
        return node().completeInvocation(connectionId, invocationId, result);
    }

    @Override
    public boolean completeInvocationJson(String connectionId, String invocationId, byte[] resultJson) {
        return node().completeInvocationJson(connectionId, invocationId, resultJson);
    }

    @Override
    public boolean failInvocation(String connectionId, String invocationId, String error) {
        return node().failInvocation(connectionId, invocationId, error);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}

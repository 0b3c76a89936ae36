package dev.backplane.hub;

import static dev.backplane.hub.Failures.utf8;

import java.util.concurrent.ScheduledExecutorService;

/**
 * The owner's side of client results: hands an invocation to the local connection's sink, and
 * sends its answer, its error, or the news of its disconnect back to the calling node.
 */
final class LocalInvocations {

    private final String nodeId;
    private final HubNode node;
    private final LocalConnections locals;
    private final TargetRouter router;
    private final EnvelopePublisher publisher;
    private final IncomingInvocations open;

    LocalInvocations(String nodeId, HubNode node, LocalConnections locals, TargetRouter router,
            EnvelopePublisher publisher, ScheduledExecutorService timer, HubOptions options) {
        this.nodeId = nodeId;
        this.node = node;
        this.locals = locals;
        this.router = router;
        this.publisher = publisher;
        this.open = new IncomingInvocations(timer, options.invocationTimeout(),
                inc -> publisher.reply(inc.caller(), inc.correlation(), Failures.CLIENT, utf8("connection "
                        + inc.connectionId() + " did not answer within " + options.invocationTimeout())));
    }

    /** An INVOKE envelope arrived for one of this node's connections (or one it does not hold). */
    void invoke(Envelope e, boolean holdsConnections) {
        String connectionId = e.connectionId();
        LocalConnections.Local local = holdsConnections ? locals.get(connectionId) : null;
        if (local == null) {
            publisher.reply(e.sender(), e.correlation(), Failures.UNKNOWN_CONNECTION, utf8("invoking " + e.name()
                    + ": node " + nodeId + " holds no connection " + connectionId + " (never did, or it disconnected)"));
            return;
        }
        String invocationId = open.add(connectionId, e.sender(), e.correlation());
        HubInvocation invocation = new HubInvocation(node, connectionId, invocationId, e.name(), e.payload());
        // A full outbox ends the connection, and with it this invocation (see connectionGone).
        router.hand(local, () -> {
            try {
                local.sink().invoke(invocation);
            } catch (RuntimeException ex) {
                fail(connectionId, invocationId, "its sink threw " + ex);
            }
        });
    }

    boolean complete(String connectionId, String invocationId, byte[] resultJson) {
        IncomingInvocations.Incoming inc = open.take(invocationId, connectionId);
        if (inc == null) {
            return false;
        }
        publisher.reply(inc.caller(), inc.correlation(), null, resultJson);
        return true;
    }

    boolean fail(String connectionId, String invocationId, String error) {
        IncomingInvocations.Incoming inc = open.take(invocationId, connectionId);
        if (inc == null) {
            return false;
        }
        publisher.reply(inc.caller(), inc.correlation(), Failures.CLIENT, utf8("connection " + connectionId
                + " answered with an error: " + error));
        return true;
    }

    /** The connection left: every invocation it has not answered fails at its caller. */
    void connectionGone(String connectionId, String why) {
        for (IncomingInvocations.Incoming inc : open.takeAll(connectionId)) {
            publisher.reply(inc.caller(), inc.correlation(), Failures.CLIENT,
                    utf8("connection " + connectionId + " " + why + " before answering"));
        }
    }
}

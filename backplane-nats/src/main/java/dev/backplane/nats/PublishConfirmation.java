package dev.backplane.nats;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.BrokerUnavailableException;
import dev.backplane.Position;

/**
 * Completes a core NATS publish from the round trip that followed it ({@link RoundTrips}):
 * <ul>
 *   <li>PONG on the connection the publish went out on, no refusal: it completes with
 *       {@link Position#NONE}.
 *   <li>The server refused its subject (permissions): it fails with
 *       {@link BackplaneConfigurationException}.
 *   <li>No PONG before its deadline, or the PONG came on a new connection after a reconnect: it
 *       fails with {@link BrokerUnavailableException} saying that subscribers may or may not have
 *       received it. Core NATS cannot tell; it is never reported as accepted.
 * </ul>
 */
final class PublishConfirmation implements RoundTrips.Waiter {

    private final PendingPublish publish;
    private final NatsLink link;

    PublishConfirmation(PendingPublish publish, NatsLink link) {
        this.publish = publish;
        this.link = link;
    }

    @Override
    public long deadlineNanos() {
        return publish.deadlineNanos;
    }

    @Override
    public void done(long reconnects) {
        if (link.violations().refusedSince(PermissionViolations.Kind.PUBLISH, publish.subject, publish.violationMark)) {
            publish.fail(new BackplaneConfigurationException("NATS at " + link.description() + " refused the publish to '"
                    + publish.subject + "' (Permissions Violation); allow this user to publish to the prefix's subjects"));
        } else if (publish.reconnectsAtSend != reconnects) {
            publish.fail(inDoubt("the connection to NATS was lost before the server confirmed it"));
        } else {
            publish.result.complete(Position.NONE);
        }
    }

    @Override
    public void failed(String why) {
        publish.fail(inDoubt(why + " (publishTimeout)"));
    }

    private BrokerUnavailableException inDoubt(String why) {
        return new BrokerUnavailableException("publish to '" + publish.subject + "' at " + link.description() + ": " + why
                + "; core NATS cannot tell whether subscribers got it, so treat it as not delivered (at most once)");
    }
}

package dev.backplane.nats;

import dev.backplane.BackplaneConfigurationException;
import dev.backplane.Position;
import dev.backplane.PublishOutcomeUnknownException;
import dev.backplane.spi.PendingPublish;
import dev.backplane.spi.PublishOutbox;
import io.nats.client.api.ServerInfo;

/**
 * Settles a written core NATS publish from the round trip that followed it ({@link RoundTrips}),
 * through the {@link PublishOutbox}, so that the caller's future completes on the callback
 * executor and never on the round-trip thread:
 * <ul>
 *   <li>PONG on the connection the publish went out on, no refusal: it succeeds with
 *       {@link Position#NONE}.
 *   <li>The server refused its subject (permissions): it fails with
 *       {@link BackplaneConfigurationException}.
 *   <li>The PONG came on a new connection after a reconnect, or none came: it fails with
 *       {@link PublishOutcomeUnknownException}. Core NATS cannot tell whether subscribers got it.
 * </ul>
 * If none of this happens by the publish's deadline, the outbox's sweep fails it the same way.
 */
final class PublishConfirmation implements RoundTrips.Waiter {

    private final PendingPublish publish;
    private final PublishOutbox outbox;
    private final NatsLink link;
    private final String subject;
    private final long violationMark;
    private final ServerInfo writtenOn;

    PublishConfirmation(PendingPublish publish, PublishOutbox outbox, NatsLink link, String subject, long violationMark,
            ServerInfo writtenOn) {
        this.publish = publish;
        this.outbox = outbox;
        this.link = link;
        this.subject = subject;
        this.violationMark = violationMark;
        this.writtenOn = writtenOn;
    }

    @Override
    public long deadlineNanos() {
        return publish.deadlineNanos();
    }

    @Override
    public void done(ServerInfo connection) {
        if (link.violations().refusedSince(PermissionViolations.Kind.PUBLISH, subject, violationMark)) {
            outbox.fail(publish, new BackplaneConfigurationException("NATS at " + link.description()
                    + " refused the publish to '" + subject
                    + "' (Permissions Violation); allow this user to publish to the prefix's subjects"));
        } else if (!NatsLink.sameConnection(connection, writtenOn)) {
            outbox.lost(publish, "the connection was lost before the server confirmed it (core NATS cannot tell "
                    + "whether subscribers got it)", null);
        } else {
            outbox.succeed(publish, Position.NONE);
        }
    }

    @Override
    public void failed(String why) {
        outbox.lost(publish, why + " (core NATS cannot tell whether subscribers got it)", null);
    }
}

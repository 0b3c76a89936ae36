package dev.backplane.signalr;

import java.util.Collection;

/** Selects clients of a hub, on every node. */
public interface HubClients {

    ClientProxy all();

    ClientProxy allExcept(Collection<String> excludedConnectionIds);

    SingleClientProxy client(String connectionId);

    ClientProxy clients(Collection<String> connectionIds);

    ClientProxy group(String group);

    ClientProxy groups(Collection<String> groups);

    ClientProxy groupExcept(String group, Collection<String> excludedConnectionIds);

    /** Every connection of the user, as the {@link Authenticator} named it. */
    ClientProxy user(String userId);

    ClientProxy users(Collection<String> userIds);
}

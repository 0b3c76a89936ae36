package dev.backplane.signalr;

/** {@link HubClients}, plus the clients relative to the caller of a hub method. */
public interface HubCallerClients extends HubClients {

    /** The connection that made the call. */
    SingleClientProxy caller();

    /** Every connection but the caller. */
    ClientProxy others();

    /** The group's members but the caller. */
    ClientProxy othersInGroup(String group);
}

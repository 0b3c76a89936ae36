package dev.backplane.signalr;

import dev.backplane.hub.HubPresence;

/** What a hub instance sees during one call. */
record HubCall(HubCallerContext context, HubCallerClients clients, GroupManager groups, HubPresence presence) {
}

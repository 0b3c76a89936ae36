package dev.backplane.signalr;

/** What a hub instance sees during one call. */
record HubCall(HubCallerContext context, HubCallerClients clients, GroupManager groups) {
}

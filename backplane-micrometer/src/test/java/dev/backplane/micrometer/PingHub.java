package dev.backplane.micrometer;

import dev.backplane.signalr.Hub;

/** A hub with one method, for the server tests. */
public class PingHub extends Hub {

    public String ping() {
        return "pong";
    }
}

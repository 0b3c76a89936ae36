package dev.backplane.signalr.host;

/** Answers a pending long-poll request; called once, from any thread. */
@FunctionalInterface
public interface PollReply {

    void reply(HttpReply reply);
}

package dev.backplane.hub;

/**
 * Hears a hub node's or context's {@link HubEvent}s, on the callback executor, one at a time and
 * in order; what it throws is logged and does not stop later events.
 */
@FunctionalInterface
public interface HubListener {

    void onEvent(HubEvent event);
}

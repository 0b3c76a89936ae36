package dev.backplane;

/**
 * Hears a backplane's {@link BackplaneEvent}s. Called on the callback executor, one event at a
 * time per listener and in the order they were raised; a listener may block (it delays only its
 * own later events). What it throws is logged and does not stop later events.
 */
@FunctionalInterface
public interface BackplaneListener {

    void onEvent(BackplaneEvent event);
}

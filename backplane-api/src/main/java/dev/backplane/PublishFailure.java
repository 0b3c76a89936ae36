package dev.backplane;

import java.util.Locale;

/** Why a publish failed, in the few classes that metrics count failures by. */
public enum PublishFailure {
    /** Refused at the call: {@code maxPendingPublishes} or {@code outboxBytes} were reached. Not sent. */
    OUTBOX_FULL,
    /** The broker could not be reached within {@code publishTimeout}, or the connection broke before the write. Not sent. */
    UNAVAILABLE,
    /** Written, and the connection broke or the broker did not answer in time: it may have been published. */
    OUTCOME_UNKNOWN,
    /** The broker answered with an error (a permission, a limit). */
    REFUSED,
    /** The backplane was closed before the broker took it. Not sent. */
    CLOSED;

    /** The name as a metric tag value: {@code outbox_full}, {@code unavailable}, ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}

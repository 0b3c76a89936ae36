package dev.backplane;

import java.util.Objects;

/**
 * What a backplane guarantees. The compatibility kit runs every rule whose capability is declared
 * here, and reports the others as skipped with the name of the capability they need.
 *
 * @param transport short name of the transport, used in messages ({@code "redis"}, {@code "mem"})
 * @param guarantee delivery guarantee to subscriptions that are active when a message is published
 * @param replay whether {@link Backplane#subscribe(String, Position, Subscriber)} is supported
 * @param orderedPerPublisher whether messages one backplane instance publishes to one channel are
 *     delivered to every subscription in the order their publish calls were made
 * @param maxPayloadBytes the largest payload {@link Backplane#publish} accepts
 * @param cheapChannels whether a channel costs the broker nothing until it is used, so that one
 *     channel per group or user is reasonable
 */
public record Capabilities(
        String transport,
        DeliveryGuarantee guarantee,
        boolean replay,
        boolean orderedPerPublisher,
        int maxPayloadBytes,
        boolean cheapChannels) {

    public Capabilities {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(guarantee, "guarantee");
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
    }

    /** True for {@link DeliveryGuarantee#AT_LEAST_ONCE}. */
    public boolean atLeastOnce() {
        return guarantee == DeliveryGuarantee.AT_LEAST_ONCE;
    }
}

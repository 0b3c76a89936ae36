/**
 * Building blocks for transport implementers: {@link dev.backplane.spi.AbstractBackplane} checks
 * arguments and the closed state the same way for every transport,
 * {@link dev.backplane.spi.SerialExecutor} keeps a subscription's deliveries sequential, and
 * {@link dev.backplane.spi.Redeliveries} gives at-least-once acknowledgement to brokers that do
 * not redeliver by themselves; {@link dev.backplane.spi.SubscriberDispatch} combines them into the
 * subscriber side of a subscription (guarded hand-over, gaps, close). {@link dev.backplane.spi.ForwardingBackplane} is the base of
 * decorators that wrap another backplane, and {@link dev.backplane.spi.Backoff} spaces out
 * reconnect attempts.
 */
package dev.backplane.spi;

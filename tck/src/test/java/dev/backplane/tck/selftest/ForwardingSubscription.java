package dev.backplane.tck.selftest;

import dev.backplane.Subscription;

/** A subscription that closes another one and runs something extra on close. */
class ForwardingSubscription implements Subscription {

    private final Subscription delegate;
    private final Runnable onClose;

    ForwardingSubscription(Subscription delegate, Runnable onClose) {
        this.delegate = delegate;
        this.onClose = onClose;
    }

    @Override
    public String channel() {
        return delegate.channel();
    }

    @Override
    public void close() {
        onClose.run();
        delegate.close();
    }
}

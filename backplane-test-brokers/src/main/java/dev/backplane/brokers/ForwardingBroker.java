package dev.backplane.brokers;

/**
 * A broker that does what another one does, for a broker of tests built on a {@link BrokerProcess}
 * (or any {@link Broker}) that adds only its set-up: override what differs, {@link #description()}
 * at least. Every call goes to {@link #delegate()}.
 */
public abstract class ForwardingBroker implements Broker {

    /** The broker every call goes to. */
    protected abstract Broker delegate();

    @Override
    public String description() {
        return delegate().description();
    }

    @Override
    public String host() {
        return delegate().host();
    }

    @Override
    public int port() {
        return delegate().port();
    }

    @Override
    public boolean controllable() {
        return delegate().controllable();
    }

    @Override
    public void start() {
        delegate().start();
    }

    @Override
    public void stop() {
        delegate().stop();
    }

    @Override
    public void kill() {
        delegate().kill();
    }

    @Override
    public void pause() {
        delegate().pause();
    }

    @Override
    public void resume() {
        delegate().resume();
    }

    @Override
    public void close() {
        delegate().close();
    }
}

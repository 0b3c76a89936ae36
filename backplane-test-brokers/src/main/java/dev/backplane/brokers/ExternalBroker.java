package dev.backplane.brokers;

import java.net.URI;

/** A broker named by the environment: used as it is, never stopped. */
final class ExternalBroker implements Broker {

    private final String variable;
    private final String host;
    private final int port;

    ExternalBroker(String variable, String value, int defaultPort) {
        this.variable = variable;
        URI uri = URI.create(value.contains("://") ? value : "tcp://" + value);
        if (uri.getHost() == null) {
            throw new IllegalStateException(variable + "='" + value + "' names no host; write host:port or scheme://host:port");
        }
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : defaultPort;
    }

    @Override
    public String description() {
        return "broker at " + address() + " (from " + variable + ")";
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean controllable() {
        return false;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException(description() + " was not started by the tests and is never stopped by them; "
                + "unset " + variable + " to let the tests start a broker of their own");
    }

    @Override
    public void start() {
        stop();
    }

    @Override
    public void close() {
        // Not ours: leave it running.
    }
}

package dev.backplane.benchmark.driver;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.List;

/**
 * The baseline for NATS core: jnats {@code publish} (the client's writer thread batches the
 * socket writes) and a dispatcher per node subscribed to every subject, messages handed to the
 * sink on the dispatcher's thread. Slow-consumer drops count as reported gaps.
 */
public final class RawNatsDriver implements Driver {

    private final String server;

    /** @param server {@code nats://host:port} */
    public RawNatsDriver(String server) {
        this.server = server;
    }

    @Override
    public String description() {
        return "raw jnats publish / subscribe";
    }

    static String subject(String channel) {
        return "raw." + channel;
    }

    static Connection connect(String server, String name) throws Exception {
        return Nats.connect(new Options.Builder().server(server).connectionName(name)
                .maxMessagesInOutgoingQueue(65_536).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    @Override
    public Publisher publisher() throws Exception {
        Connection connection = connect(server, "raw-bench-publisher");
        return new CountingPublisher() {
            @Override
            public void send(String channel, byte[] payload) {
                try {
                    connection.publish(subject(channel), payload);
                } catch (RuntimeException e) {
                    failures.record(e);
                }
            }

            @Override
            public void close() throws Exception {
                connection.flush(Duration.ofSeconds(5));
                connection.close();
            }
        };
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) throws Exception {
        Connection connection = connect(server, "raw-bench-subscriber");
        Dispatcher dispatcher = connection.createDispatcher(message -> sink.accept(message.getData()));
        for (String channel : channels) {
            dispatcher.subscribe(subject(channel));
        }
        // The server handles a connection's input in order: after this round trip every SUB is in place.
        connection.flush(Duration.ofSeconds(10));
        return new SubscribingNode() {
            @Override
            public long reportedGaps() {
                return connection.getStatistics().getDroppedCount();
            }

            @Override
            public void close() throws InterruptedException {
                connection.close();
            }
        };
    }

    @Override
    public void close() {
    }
}

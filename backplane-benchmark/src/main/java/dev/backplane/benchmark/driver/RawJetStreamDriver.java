package dev.backplane.benchmark.driver;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.List;

/**
 * The baseline for JetStream: jnats {@code publishAsync} into a file-stored stream (what the
 * backplane creates by default), and per node an ordered push consumer per subject, delivering
 * new messages on one dispatcher's thread. Unlike the backplane it sends no {@code Nats-Msg-Id}
 * header, so the server does no de-duplication for it.
 */
public final class RawJetStreamDriver implements Driver {

    static final String STREAM = "RAWBENCH";

    private final String server;
    private Connection admin;

    /** @param server {@code nats://host:port} */
    public RawJetStreamDriver(String server) {
        this.server = server;
    }

    @Override
    public String description() {
        return "raw jnats JetStream publishAsync / ordered consumer";
    }

    private synchronized JetStreamManagement management() throws Exception {
        if (admin == null) {
            admin = RawNatsDriver.connect(server, "raw-bench-admin");
            JetStreamManagement jsm = admin.jetStreamManagement();
            try {
                jsm.deleteStream(STREAM);
            } catch (JetStreamApiException notThere) {
                // first use
            }
            jsm.addStream(StreamConfiguration.builder().name(STREAM).subjects(RawNatsDriver.subject(">"))
                    .storageType(StorageType.File).build());
        }
        return admin.jetStreamManagement();
    }

    @Override
    public Publisher publisher() throws Exception {
        management();
        Connection connection = RawNatsDriver.connect(server, "raw-bench-js-publisher");
        JetStream js = connection.jetStream();
        return new CountingPublisher() {
            @Override
            public void send(String channel, byte[] payload) {
                sendAsync(() -> js.publishAsync(RawNatsDriver.subject(channel), payload));
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
        management();
        Connection connection = RawNatsDriver.connect(server, "raw-bench-js-subscriber");
        JetStream js = connection.jetStream();
        Dispatcher dispatcher = connection.createDispatcher();
        for (String channel : channels) {
            PushSubscribeOptions options = PushSubscribeOptions.builder().stream(STREAM).ordered(true)
                    .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.New).build())
                    .build();
            js.subscribe(RawNatsDriver.subject(channel), dispatcher, message -> sink.accept(message.getData()), false, options);
        }
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
    public void cleanUp(List<String> channels) throws Exception {
        management().purgeStream(STREAM);
    }

    @Override
    public synchronized void close() throws Exception {
        if (admin != null) {
            try {
                admin.jetStreamManagement().deleteStream(STREAM);
            } finally {
                admin.close();
                admin = null;
            }
        }
    }
}

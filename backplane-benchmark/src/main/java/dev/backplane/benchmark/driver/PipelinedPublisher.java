package dev.backplane.benchmark.driver;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis commands pipelined by Jedis, on one connection or (a cluster's {@code ClusterPipeline})
 * one per master: written as they come, replies read every {@link #BATCH} commands or whenever the
 * sender is about to wait (as the backplanes read one batch of up to 1024 replies at a time).
 */
final class PipelinedPublisher<P extends AbstractPipeline> extends CountingPublisher {

    static final int BATCH = 1024;

    /** Appends the command for one message to the pipeline. */
    @FunctionalInterface
    interface Command<P> {
        void append(P pipeline, String channel, byte[] payload);
    }

    private final AutoCloseable client;
    private final P pipeline;
    private final Command<P> command;
    private int pending;

    /** On a connection of its own to {@code host:port}. */
    static PipelinedPublisher<Pipeline> on(String host, int port, Command<Pipeline> command) {
        Jedis jedis = new Jedis(host, port);
        return new PipelinedPublisher<>(jedis, jedis.pipelined(), command);
    }

    /** On {@code pipeline}, whose {@code client} is closed with the publisher. */
    PipelinedPublisher(AutoCloseable client, P pipeline, Command<P> command) {
        this.client = client;
        this.pipeline = pipeline;
        this.command = command;
    }

    @Override
    public void send(String channel, byte[] payload) {
        command.append(pipeline, channel, payload);
        if (++pending >= BATCH) {
            flush();
        }
    }

    @Override
    public void flush() {
        if (pending == 0) {
            return;
        }
        try {
            pipeline.sync();
        } catch (JedisException e) {
            failures.record(e);
        }
        pending = 0;
    }

    @Override
    public void close() throws Exception {
        flush();
        pipeline.close();
        client.close();
    }
}

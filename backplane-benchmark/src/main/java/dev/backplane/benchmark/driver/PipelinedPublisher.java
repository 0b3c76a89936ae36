package dev.backplane.benchmark.driver;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis commands pipelined on one Jedis connection: written as they come, replies read every
 * {@link #BATCH} commands or whenever the sender is about to wait (as the backplanes read one
 * batch of up to 1024 replies at a time).
 */
final class PipelinedPublisher extends CountingPublisher {

    static final int BATCH = 1024;

    /** Appends the command for one message to the pipeline. */
    @FunctionalInterface
    interface Command {
        void append(Pipeline pipeline, String channel, byte[] payload);
    }

    private final Jedis jedis;
    private final Pipeline pipeline;
    private final Command command;
    private int pending;

    PipelinedPublisher(String host, int port, Command command) {
        this.jedis = new Jedis(host, port);
        this.pipeline = jedis.pipelined();
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
    public void close() {
        flush();
        jedis.close();
    }
}

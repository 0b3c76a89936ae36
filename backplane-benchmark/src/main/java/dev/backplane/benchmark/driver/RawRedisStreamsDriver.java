package dev.backplane.benchmark.driver;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntryBinary;

/**
 * The baseline for Redis Streams: Jedis {@code XADD key MAXLEN ~ 10000 * p payload} pipelined
 * ({@link PipelinedPublisher}), and
 * per node a thread reading every stream with one blocking {@code XREAD COUNT 100} (the backplane's
 * {@code readBatch} and {@code maxLen} defaults).
 */
public final class RawRedisStreamsDriver implements Driver {

    private static final int READ_BATCH = 100;
    private static final long MAX_LEN = 10_000;
    private static final byte[] FIELD = "p".getBytes(StandardCharsets.UTF_8);

    private final String host;
    private final int port;

    public RawRedisStreamsDriver(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public String description() {
        return "raw Jedis XADD (pipelined) / XREAD";
    }

    static byte[] key(String channel) {
        return ("raw:" + channel).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Publisher publisher() {
        XAddParams params = XAddParams.xAddParams().maxLen(MAX_LEN).approximateTrimming();
        return PipelinedPublisher.on(host, port, (pipeline, channel, payload) -> pipeline.xadd(key(channel), params,
                Map.of(FIELD, payload)));
    }

    @Override
    public SubscribingNode subscribe(List<String> channels, MessageSink sink) {
        Jedis jedis = new Jedis(host, port, 0, 0);
        // The channels of a point are new: everything in them is for this reader, from the start.
        byte[][] keys = channels.stream().map(RawRedisStreamsDriver::key).toArray(byte[][]::new);
        StreamEntryID[] cursors = new StreamEntryID[keys.length];
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            cursors[i] = new StreamEntryID(0, 0);
            index.put(new String(keys[i], StandardCharsets.UTF_8), i);
        }
        jedis.ping();
        XReadParams params = XReadParams.xReadParams().count(READ_BATCH).block(100);
        Thread reader = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Map<byte[], StreamEntryID> streams = new LinkedHashMap<>();
                    for (int i = 0; i < keys.length; i++) {
                        streams.put(keys[i], cursors[i]);
                    }
                    List<Map.Entry<byte[], List<StreamEntryBinary>>> result = jedis.xreadBinary(params, streams);
                    if (result == null) {
                        continue;
                    }
                    for (Map.Entry<byte[], List<StreamEntryBinary>> stream : result) {
                        List<StreamEntryBinary> entries = stream.getValue();
                        for (StreamEntryBinary entry : entries) {
                            for (byte[] value : entry.getFields().values()) {
                                sink.accept(value);
                            }
                        }
                        if (!entries.isEmpty()) {
                            int i = index.get(new String(stream.getKey(), StandardCharsets.UTF_8));
                            cursors[i] = entries.get(entries.size() - 1).getID();
                        }
                    }
                }
            } catch (JedisException e) {
                // closed under it
            }
        }, "raw-redis-streams-reader");
        reader.setDaemon(true);
        reader.start();
        return () -> {
            reader.interrupt();
            reader.join(1_000);
            jedis.close();
            reader.join(10_000);
        };
    }

    @Override
    public void cleanUp(List<String> channels) {
        try (Jedis jedis = new Jedis(host, port)) {
            for (String channel : channels) {
                jedis.del(key(channel));
            }
        }
    }

    @Override
    public void close() {
    }
}

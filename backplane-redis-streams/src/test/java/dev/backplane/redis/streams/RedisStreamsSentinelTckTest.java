package dev.backplane.redis.streams;

import dev.backplane.brokers.LeaveOutByDefault;
import dev.backplane.brokers.SentinelKit;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis Streams backplane against the transport kit through Redis Sentinel
 * ({@code redis-sentinel-streams://}; see {@link SentinelKit}).
 *
 * <p>By default the rules whose cost is waiting out timeouts on the same code as on a plain Redis
 * (T17, T19, T26, T28, T43, T44, T47, T52: together about 40 s) are left out; every rule runs with
 * {@code -Dbackplane.fullKit=true}. What differs behind Sentinel runs every time: every delivery,
 * call and replay rule goes through the master the sentinels name, T18, T20 and T45 stop and start
 * both servers behind the sentinels, T42 checks that closing releases the sentinel listeners'
 * threads and connections too, T51 the lost and restored events.
 */
@LeaveOutByDefault(value = {"t17_", "t19_", "t26_", "t27_", "t28_", "t43_", "t44_", "t47_", "t52_"},
        because = "they wait out timeouts of code the plain kit runs")
class RedisStreamsSentinelTckTest extends SentinelKit {

    @Override
    protected String scheme() {
        return "redis-sentinel-streams";
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return StreamsTestSupport.retainingOnly(messages);
    }
}

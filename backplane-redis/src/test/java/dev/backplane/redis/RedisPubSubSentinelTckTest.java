package dev.backplane.redis;

import dev.backplane.brokers.LeaveOutByDefault;
import dev.backplane.brokers.SentinelKit;
import java.util.Map;
import java.util.Optional;

/**
 * The Redis pub/sub backplane against the transport kit through Redis Sentinel
 * ({@code redis-sentinel://}; see {@link SentinelKit}).
 *
 * <p>By default the rules whose cost is waiting out timeouts on the same code as on a plain Redis
 * (T17, T19, T27, T43, T44, T47, T52: together about a minute) are left out; every rule runs with
 * {@code -Dbackplane.fullKit=true}. What differs behind Sentinel runs every time: every delivery
 * and call rule goes through the master the sentinels name, T18 and T45 stop and start both
 * servers behind the sentinels, T42 checks that closing releases the sentinel listeners' threads
 * and connections too, T51 the lost and restored events.
 */
@LeaveOutByDefault(value = {"t17_", "t19_", "t27_", "t43_", "t44_", "t47_", "t52_"},
        because = "they wait out timeouts of code the plain kit runs")
class RedisPubSubSentinelTckTest extends SentinelKit {

    @Override
    protected String scheme() {
        return "redis-sentinel";
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}

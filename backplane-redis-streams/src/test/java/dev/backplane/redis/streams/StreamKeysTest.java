package dev.backplane.redis.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The keys of a prefix, standalone and on a Redis Cluster. No server needed. */
class StreamKeysTest {

    @Test
    void standaloneKeysAreThePrefixAColonAndTheName() {
        StreamKeys keys = new StreamKeys("app", false);
        assertThat(keys.stream("group:c")).isEqualTo("app:group:c");
        assertThat(keys.epoch()).isEqualTo("app:.epoch");
        assertThat(keys.wake("id1")).isEqualTo("app:.wake.id1");
        assertThat(keys.pattern()).isEqualTo("app:*");
    }

    @Test
    void onAClusterEveryKeyOfAPrefixIsInTheSlotOfThePrefixAsAHashTag() {
        String longest = "p".repeat(60) + "-_.:";
        for (String prefix : List.of("app", "a", "A", "tenant.one", "x@y=z+1", longest)) {
            StreamKeys keys = new StreamKeys(prefix, true);
            int slot = JedisClusterCRC16.getSlot("{" + prefix + "}");
            for (String key : List.of(keys.stream("c"), keys.stream("group:chat-1"), keys.stream(longest),
                    keys.epoch(), keys.wake("0123456789ab"))) {
                assertThat(JedisClusterCRC16.getSlot(key)).as("slot of %s", key).isEqualTo(slot);
                assertThat(key).startsWith("{" + prefix + "}:");
            }
            assertThat(keys.pattern()).isEqualTo("{" + prefix + "}:*");
        }
    }
}

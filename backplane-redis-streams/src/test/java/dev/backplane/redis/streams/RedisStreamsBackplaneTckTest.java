package dev.backplane.redis.streams;

import dev.backplane.brokers.SharedBrokers;
import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/** The Redis Streams backplane against the whole transport kit, on a real Redis. */
class RedisStreamsBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "redis-streams://" + SharedBrokers.redis().address();
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(SharedBrokers.redis()::stop, SharedBrokers.redis()::start);
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(SharedBrokers.redis().host(), SharedBrokers.redis().port()));
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return StreamsTestSupport.retainingOnly(messages);
    }
}

package example.pgnotify;

import dev.backplane.tck.BackplaneTck;
import dev.backplane.tck.BrokerControl;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

class PgNotifyBackplaneTckTest extends BackplaneTck {

    @Override
    protected String backplaneUri() {
        return "pgnotify://" + Postgres.SERVER.address() + "/postgres";
    }

    @Override
    protected BrokerControl brokerControl() {
        return BrokerControl.of(Postgres.SERVER::stop, Postgres.SERVER::start);
    }

    @Override
    protected Optional<InetSocketAddress> brokerAddress() {
        return Optional.of(new InetSocketAddress(Postgres.SERVER.host(), Postgres.SERVER.port()));
    }

    @Override
    protected Optional<Map<String, String>> limitedRetention(int messages) {
        return Optional.of(Map.of("maxSubscriberBacklog", Integer.toString(messages)));
    }
}

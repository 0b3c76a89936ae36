package example.pgnotify;

import dev.backplane.Backplane;
import dev.backplane.BackplaneConfig;
import dev.backplane.BackplaneProvider;
import java.util.Set;

/** {@code pgnotify://host:port/database?user=...&password=...}: a backplane on PostgreSQL LISTEN/NOTIFY. */
public final class PgNotifyBackplaneProvider implements BackplaneProvider {

    @Override
    public String name() {
        return "pgnotify";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("pgnotify");
    }

    @Override
    public Set<String> options() {
        return Set.of("user", "password", PgNotifyBackplane.MAX_SUBSCRIBER_BACKLOG);
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        return new PgNotifyBackplane(config);
    }
}

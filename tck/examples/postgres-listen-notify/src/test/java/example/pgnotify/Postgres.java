package example.pgnotify;

import dev.backplane.fixture.PrivateBroker;
import dev.backplane.fixture.Readiness;
import java.util.List;

/** A private PostgreSQL 15 for the tests: its own cluster, an ephemeral port, stopped and started by the kit. */
final class Postgres {

    private static final String BIN = "/usr/lib/postgresql/15/bin/";

    static final PrivateBroker SERVER = PrivateBroker.named("postgres")
            .runAs("postgres") // initdb and postgres refuse to run as root
            .prepare(pg -> List.of(BIN + "initdb", "-D", pg.dataDirectory().toString(), "-U", "postgres",
                    "--auth=trust", "--no-sync"))
            .command(pg -> List.of(BIN + "postgres", "-D", pg.dataDirectory().toString(), "-h", "127.0.0.1",
                    "-p", Integer.toString(pg.port()), "-k", pg.directory().toString(), "-c", "fsync=off"))
            .readiness(Readiness.commandSucceeds(pg -> List.of(BIN + "pg_isready", "-h", "127.0.0.1",
                    "-p", Integer.toString(pg.port()))))
            .stopSignal("INT") // a fast shutdown: clients are disconnected at once
            .start();

    private Postgres() {
    }
}

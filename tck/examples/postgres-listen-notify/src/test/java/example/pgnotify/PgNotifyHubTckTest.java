package example.pgnotify;

import dev.backplane.tck.hub.HubTck;

class PgNotifyHubTckTest extends HubTck {

    @Override
    protected String backplaneUri() {
        return "pgnotify://" + Postgres.SERVER.address() + "/postgres";
    }
}

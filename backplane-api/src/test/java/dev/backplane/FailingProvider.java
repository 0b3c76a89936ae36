package dev.backplane;

import java.util.Set;

/** A provider whose construction fails, registered only through {@link BackplanesTest}'s class loader. */
public final class FailingProvider implements BackplaneProvider {

    public FailingProvider() {
        throw new IllegalStateException("FailingProvider cannot start: its native library is missing");
    }

    @Override
    public String name() {
        return "failing";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("failing");
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    @Override
    public Backplane create(BackplaneConfig config) {
        throw new AssertionError("never constructed");
    }
}

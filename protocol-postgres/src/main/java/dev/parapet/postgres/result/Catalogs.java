package dev.parapet.postgres.result;

import dev.parapet.config.TargetConfig;
import dev.parapet.postgres.upstream.UpstreamConnector;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link Catalog} per target, made when a session first needs it. Thread-safe. */
public final class Catalogs {

    /** How long a looked-up relation is trusted before it is asked again. */
    static final Duration TTL = Duration.ofSeconds(60);

    private final UpstreamConnector connector;
    private final Map<String, Catalog> byTarget = new ConcurrentHashMap<>();

    public Catalogs(UpstreamConnector connector) {
        this.connector = connector;
    }

    public Catalog of(TargetConfig target) {
        return byTarget.computeIfAbsent(target.name(), name -> new Catalog(target, connector, TTL));
    }
}

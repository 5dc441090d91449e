package dev.parapet.config;

import java.time.Duration;
import java.util.Objects;

/** On SIGTERM the gateway stops accepting, then gives open sessions {@code grace} to finish. */
public record ShutdownConfig(Duration grace) {

    public ShutdownConfig {
        grace = Objects.requireNonNullElse(grace, Duration.ofSeconds(30));
    }

    static ShutdownConfig defaults() {
        return new ShutdownConfig(null);
    }
}

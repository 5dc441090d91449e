package dev.parapet.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Protective limits on client connections: the largest protocol message accepted from a client,
 * how long a new connection may take to authenticate, and how many connections may be open.
 */
public record LimitsConfig(ByteSize maxMessageSize, Duration startupTimeout, Integer maxConnections) {

    public LimitsConfig {
        maxMessageSize = Objects.requireNonNullElse(maxMessageSize, ByteSize.ofMebibytes(64));
        startupTimeout = Objects.requireNonNullElse(startupTimeout, Duration.ofSeconds(15));
        maxConnections = maxConnections == null ? 10_000 : maxConnections;
    }

    static LimitsConfig defaults() {
        return new LimitsConfig(null, null, null);
    }
}

package dev.parapet.config;

/**
 * One TCP listener. Port 0 asks the operating system for a free port (useful in tests).
 * {@code defaultTarget} (MySQL listener only) is the target of a client that names no database:
 * MySQL tools such as mysqldump log in without one and choose it later.
 */
public record ListenerConfig(String host, Integer port, Boolean enabled, String defaultTarget) {

    public ListenerConfig {
        host = host == null || host.isBlank() ? "127.0.0.1" : host;
        enabled = enabled == null || enabled;
    }

    public ListenerConfig(String host, int port, boolean enabled) {
        this(host, Integer.valueOf(port), Boolean.valueOf(enabled), null);
    }
}

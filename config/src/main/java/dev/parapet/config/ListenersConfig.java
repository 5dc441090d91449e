package dev.parapet.config;

import java.util.Objects;

/** Where the gateway listens: one listener per wire protocol, plus the admin HTTP listener. */
public record ListenersConfig(ListenerConfig postgres, ListenerConfig mysql, ListenerConfig admin) {

    public ListenersConfig {
        postgres = Objects.requireNonNullElseGet(postgres, () -> new ListenerConfig("127.0.0.1", 6432, true));
        mysql = Objects.requireNonNullElseGet(mysql, () -> new ListenerConfig("127.0.0.1", 6033, false));
        admin = Objects.requireNonNullElseGet(admin, () -> new ListenerConfig("127.0.0.1", 9090, true));
    }

    static ListenersConfig defaults() {
        return new ListenersConfig(null, null, null);
    }
}

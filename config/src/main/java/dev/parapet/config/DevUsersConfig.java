package dev.parapet.config;

import java.util.List;

/**
 * Static users with passwords, for local development only. They are ignored unless
 * {@code enabled: true}, and the gateway warns loudly at start-up when they are on.
 */
public record DevUsersConfig(Boolean enabled, List<DevUser> users) {

    public DevUsersConfig {
        enabled = enabled != null && enabled;
        users = users == null ? List.of() : List.copyOf(users);
    }

    static DevUsersConfig disabled() {
        return new DevUsersConfig(false, List.of());
    }

    /** One development user: name, password and the groups it belongs to. */
    public record DevUser(String name, Secret password, List<String> groups, String email) {
        public DevUser {
            groups = groups == null ? List.of() : List.copyOf(groups);
        }
    }
}

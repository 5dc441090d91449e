package dev.parapet.core;

import dev.parapet.config.DevUsersConfig;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static user-and-password logins from the configuration, for local development only. Creating
 * one logs a warning, since anyone who reads the file can log in as those users.
 */
public final class DevUserResolver implements IdentityResolver {

    private static final Logger log = LoggerFactory.getLogger(DevUserResolver.class);

    private static final dev.parapet.config.Secret UNKNOWN = new dev.parapet.config.Secret("\u0000unknown-user");

    private final Map<String, DevUsersConfig.DevUser> users;

    public DevUserResolver(DevUsersConfig config) {
        this.users = config.users().stream().collect(Collectors.toMap(DevUsersConfig.DevUser::name, Function.identity()));
        log.warn("*** DEVELOPMENT USERS ARE ENABLED: {} static user(s) with passwords from the config file can log in. "
                + "Never enable dev-users in production. ***", users.size());
    }

    @Override
    public Identity resolve(Credentials credentials) throws AuthenticationException {
        DevUsersConfig.DevUser user = users.get(credentials.user());
        // Compare against something even for unknown users, so timing does not tell which exist.
        boolean ok = (user != null ? user.password() : UNKNOWN).matches(credentials.secret()) && user != null;
        if (!ok) {
            throw new AuthenticationException("bad_password",
                    "password authentication failed for user \"" + credentials.user() + "\"");
        }
        return new Identity(user.name(), user.name(), user.email(), java.util.Set.copyOf(user.groups()),
                Identity.Kind.HUMAN, "dev-users", Map.of());
    }
}

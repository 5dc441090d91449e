package dev.parapet.core.identity;

import dev.parapet.config.ParapetConfig;
import dev.parapet.core.AuthenticationException;
import dev.parapet.core.Credentials;
import dev.parapet.core.DevUserResolver;
import dev.parapet.core.Identity;
import dev.parapet.core.IdentityResolver;
import java.util.Optional;

/**
 * The gateway's identity source as configured: OIDC tokens from the configured issuers, and
 * development users when they are explicitly enabled. A password shaped like a JWT always goes to
 * the token check; anything else goes to the development users if they are on.
 */
public final class LoginResolver implements IdentityResolver {

    private final Optional<OidcIdentityResolver> tokens;
    private final Optional<DevUserResolver> devUsers;

    public LoginResolver(ParapetConfig config) {
        this.tokens = config.identity().issuers().isEmpty()
                ? Optional.empty() : Optional.of(new OidcIdentityResolver(config.identity()));
        this.devUsers = config.devUsers().enabled() ? Optional.of(new DevUserResolver(config.devUsers())) : Optional.empty();
    }

    public boolean configured() {
        return tokens.isPresent() || devUsers.isPresent();
    }

    @Override
    public Identity resolve(Credentials credentials) throws AuthenticationException {
        if (tokens.isPresent() && (devUsers.isEmpty() || OidcIdentityResolver.looksLikeToken(credentials.secret()))) {
            return tokens.get().resolve(credentials);
        }
        if (devUsers.isPresent()) {
            return devUsers.get().resolve(credentials);
        }
        return NONE.resolve(credentials);
    }
}

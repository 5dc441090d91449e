package dev.parapet.config;

import java.util.List;

/**
 * Who may log in: the OIDC issuers whose tokens the gateway accepts as passwords, how the startup
 * packet's user name must relate to the token, and what happens when a token expires during a
 * session.
 */
public record IdentityConfig(List<IssuerConfig> issuers, UserMatch userMatch, OnExpiry onTokenExpiry) {

    public IdentityConfig {
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        userMatch = userMatch == null ? UserMatch.REQUIRE : userMatch;
        onTokenExpiry = onTokenExpiry == null ? OnExpiry.KEEP : onTokenExpiry;
    }

    static IdentityConfig none() {
        return new IdentityConfig(List.of(), UserMatch.REQUIRE, OnExpiry.KEEP);
    }

    /** Whether the user name a client sends must name the token's user, or is ignored. */
    public enum UserMatch {
        REQUIRE, IGNORE;

        @com.fasterxml.jackson.annotation.JsonCreator
        static UserMatch parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "require" -> REQUIRE;
                case "ignore" -> IGNORE;
                default -> throw new IllegalArgumentException("unknown user-match '" + text + "' (expected require or ignore)");
            };
        }
    }

    /** What happens to an open session when its token expires. */
    public enum OnExpiry {
        KEEP, END;

        @com.fasterxml.jackson.annotation.JsonCreator
        static OnExpiry parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "keep" -> KEEP;
                case "end" -> END;
                default -> throw new IllegalArgumentException("unknown on-token-expiry '" + text + "' (expected keep or end)");
            };
        }
    }
}

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
            return SettingValues.parse(UserMatch.class, text);
        }
    }

    /** What happens to an open session when its token expires. */
    public enum OnExpiry {
        KEEP, END;

        @com.fasterxml.jackson.annotation.JsonCreator
        static OnExpiry parse(String text) {
            return SettingValues.parse(OnExpiry.class, text);
        }
    }
}

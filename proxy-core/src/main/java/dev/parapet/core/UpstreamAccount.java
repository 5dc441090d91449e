package dev.parapet.core;

import dev.parapet.config.GroupUpstreamConfig;
import dev.parapet.config.Secret;
import dev.parapet.config.TargetConfig;
import java.util.Optional;

/**
 * The database account a session uses on its target: the target's service credentials, or those
 * of the first {@code by-group} entry whose group the identity is in, plus the role to switch to
 * after login, if any. The caller never sees any of it.
 */
public record UpstreamAccount(String user, Secret password, Optional<String> role) {

    @Override
    public String toString() {
        return "UpstreamAccount[user=" + user + ", role=" + role.orElse("-") + "]";
    }

    public static UpstreamAccount of(TargetConfig target, Identity identity) {
        var upstream = target.upstream();
        for (GroupUpstreamConfig entry : upstream.byGroup()) {
            if (identity.inGroup(entry.group())) {
                return new UpstreamAccount(
                        entry.user() != null ? entry.user() : upstream.user(),
                        entry.user() != null ? entry.password() == null ? Secret.NONE : entry.password() : upstream.password(),
                        Optional.ofNullable(entry.role()));
            }
        }
        return new UpstreamAccount(upstream.user(), upstream.password(), Optional.empty());
    }
}

package dev.parapet.core;

import dev.parapet.config.AccessRuleConfig;
import dev.parapet.config.TargetConfig;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which identities may open a session on which target, checked before any upstream connection.
 * An identity must pass every access rule that applies to the target; a target no rule applies to
 * is open to every authenticated identity.
 */
public final class ConnectPolicy {

    private final List<AccessRuleConfig> rules;

    public ConnectPolicy(List<AccessRuleConfig> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The first applicable rule that does not admit this identity to this target, if any. */
    public Optional<AccessRuleConfig> refusal(Identity identity, TargetConfig target) {
        for (AccessRuleConfig rule : rules) {
            if (rule.appliesTo(target) && !admits(rule, identity)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    private static boolean admits(AccessRuleConfig rule, Identity identity) {
        return rule.subjects().contains(identity.subject())
                || rule.groups().stream().anyMatch(identity::inGroup)
                || rule.kinds().contains(identity.kind().name().toLowerCase(Locale.ROOT));
    }
}

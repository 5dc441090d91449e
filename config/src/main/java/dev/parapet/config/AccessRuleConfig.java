package dev.parapet.config;

import java.util.List;

/**
 * A connect rule: on the targets it names (by name or environment), only the identities it lists
 * (by group, subject or kind) may open a session. An identity must pass every rule that applies
 * to a target; the first one it fails refuses it, by id.
 */
public record AccessRuleConfig(String id, String description, List<String> targets, List<String> environments,
        List<String> groups, List<String> subjects, List<String> kinds) {

    public AccessRuleConfig {
        targets = targets == null ? List.of() : List.copyOf(targets);
        environments = environments == null ? List.of() : List.copyOf(environments);
        groups = groups == null ? List.of() : List.copyOf(groups);
        subjects = subjects == null ? List.of() : List.copyOf(subjects);
        kinds = kinds == null ? List.of() : kinds.stream().map(k -> k.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    public boolean appliesTo(TargetConfig target) {
        return (targets.isEmpty() && environments.isEmpty())
                || targets.contains(target.name()) || environments.contains(target.environment());
    }
}

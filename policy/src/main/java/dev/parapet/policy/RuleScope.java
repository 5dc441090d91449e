package dev.parapet.policy;

import java.util.Locale;
import java.util.Set;

/**
 * Where and for whom a rule applies, and the settings every rule has whatever its kind: targets
 * and environments (empty: all), and identities by group, subject or kind (all three empty:
 * everyone). {@code mode} shadow makes the rule report what it would do without doing it;
 * {@code when} narrows it further with a condition on the identity, target, statement and time;
 * {@code refusal} is what a client is told when the rule refuses.
 */
public record RuleScope(Set<String> targets, Set<String> environments, Set<String> groups, Set<String> subjects,
        Set<Principal.Kind> kinds, Mode mode, Condition when, Refusal refusal) {

    public static final RuleScope EVERYWHERE = new RuleScope(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Mode.ENFORCE);

    public RuleScope {
        targets = Set.copyOf(targets);
        environments = Set.copyOf(environments);
        groups = Set.copyOf(groups);
        subjects = Set.copyOf(subjects);
        kinds = Set.copyOf(kinds);
        mode = mode == null ? Mode.ENFORCE : mode;
        when = when == null ? Condition.ALWAYS : when;
        refusal = refusal == null ? Refusal.DEFAULT : refusal;
    }

    /** Without a condition, refusing with the defaults. */
    public RuleScope(Set<String> targets, Set<String> environments, Set<String> groups, Set<String> subjects,
            Set<Principal.Kind> kinds, Mode mode) {
        this(targets, environments, groups, subjects, kinds, mode, Condition.ALWAYS, Refusal.DEFAULT);
    }

    /** Enforced, or only reported. */
    public enum Mode {
        ENFORCE, SHADOW;

        public static Mode parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    public RuleScope inEnvironments(String... names) {
        return new RuleScope(targets, Set.of(names), groups, subjects, kinds, mode, when, refusal);
    }

    public RuleScope forGroups(String... names) {
        return new RuleScope(targets, environments, Set.of(names), subjects, kinds, mode, when, refusal);
    }

    public RuleScope forKinds(Principal.Kind... which) {
        return new RuleScope(targets, environments, groups, subjects, Set.of(which), mode, when, refusal);
    }

    public RuleScope shadow() {
        return new RuleScope(targets, environments, groups, subjects, kinds, Mode.SHADOW, when, refusal);
    }

    public RuleScope onlyWhen(Condition condition) {
        return new RuleScope(targets, environments, groups, subjects, kinds, mode, condition, refusal);
    }

    public RuleScope refusing(Refusal how) {
        return new RuleScope(targets, environments, groups, subjects, kinds, mode, when, how);
    }

    boolean applies(PolicyRequest request) {
        boolean where = (targets.isEmpty() && environments.isEmpty())
                || targets.contains(request.target()) || environments.contains(request.environment());
        if (!where) {
            return false;
        }
        if (groups.isEmpty() && subjects.isEmpty() && kinds.isEmpty()) {
            return true;
        }
        Principal who = request.principal();
        return subjects.contains(who.subject()) || kinds.contains(who.kind())
                || who.groups().stream().anyMatch(groups::contains);
    }
}

package dev.parapet.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides on statements with an ordered list of rules. Precedence: an enforced deny wins over
 * everything, then a requirement for approval, then the statement runs; the first rule (in the
 * order given) with a verdict of the winning kind names the decision. A statement the analyzer
 * could not read is refused unless an {@link Rule.AllowUnparseable} rule covers it. Shadow-mode
 * rules are evaluated too and only reported. A statement that runs carries the strictest row limit
 * of the {@link Rule.MaxRows} rules that apply (an enforced one before a shadow one), and the columns
 * that {@link Rule.DenyColumns} rules narrow out of its result. Immutable and
 * thread-safe: a reload builds a new one.
 */
public final class PolicyEngine {

    public static final String UNPARSEABLE_RULE = "unparseable-statement";
    private static final String DENIED = "42501";
    private static final String SYNTAX = "42601";

    private final List<Rule> rules;

    public PolicyEngine(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    public Decision decide(PolicyRequest request) {
        if (request.analysis() instanceof StatementAnalysis.Unparseable unparseable) {
            return unparseable(request, unparseable);
        }
        StatementAnalysis.Analyzed analysis = (StatementAnalysis.Analyzed) request.analysis();
        List<Decision.Verdict> shadowed = new ArrayList<>();
        Decision.Verdict deny = null;
        Rule denyRule = null;
        Decision.Verdict approval = null;
        RowLimit rowLimit = null;
        List<String> hidden = new ArrayList<>();
        for (Rule rule : rules) {
            if (!rule.scope().applies(request)) {
                continue;
            }
            if (rule instanceof Rule.MaxRows max) {
                rowLimit = max.limit().stricter(rowLimit);
                continue;
            }
            Optional<Decision.Verdict> verdict = rule.check(analysis, request.principal());
            if (verdict.isEmpty()) {
                if (rule instanceof Rule.DenyColumns columns && rule.scope().mode() == RuleScope.Mode.ENFORCE) {
                    columns.narrowing(analysis).stream().filter(c -> !hidden.contains(c)).forEach(hidden::add);
                }
                continue;
            }
            if (rule.scope().mode() == RuleScope.Mode.SHADOW) {
                shadowed.add(verdict.get());
            } else if (verdict.get().outcome() == Decision.Outcome.DENY && deny == null) {
                deny = verdict.get();
                denyRule = rule;
            } else if (verdict.get().outcome() == Decision.Outcome.REQUIRE_APPROVAL && approval == null) {
                approval = verdict.get();
            }
        }
        if (deny != null) {
            return new Decision.Deny(deny.ruleId(), DENIED, "denied by rule \"" + deny.ruleId() + "\": " + deny.reason()
                    + (denyRule.description() == null || denyRule.description().isBlank() ? "" : " (" + denyRule.description() + ")"),
                    "if you need this, ask for an approval or for the rule to be changed", shadowed);
        }
        if (approval != null) {
            return new Decision.RequireApproval(approval.ruleId(), approval.reason(), shadowed);
        }
        return new Decision.Allow(shadowed, Optional.ofNullable(rowLimit), hidden);
    }

    private Optional<RowLimit> rowLimit(PolicyRequest request) {
        RowLimit limit = null;
        for (Rule rule : rules) {
            if (rule instanceof Rule.MaxRows max && rule.scope().applies(request)) {
                limit = max.limit().stricter(limit);
            }
        }
        return Optional.ofNullable(limit);
    }

    private Decision unparseable(PolicyRequest request, StatementAnalysis.Unparseable unparseable) {
        for (Rule rule : rules) {
            if (rule instanceof Rule.AllowUnparseable && rule.scope().applies(request)
                    && rule.scope().mode() == RuleScope.Mode.ENFORCE) {
                return new Decision.Allow(List.of(), rowLimit(request));
            }
        }
        return new Decision.Deny(UNPARSEABLE_RULE, SYNTAX, "denied: the gateway cannot analyse this statement ("
                + unparseable.reason() + "), and statements it cannot check are refused",
                "rewrite the statement in a more common form, or ask for an allow-unparseable rule on this target",
                List.of());
    }
}

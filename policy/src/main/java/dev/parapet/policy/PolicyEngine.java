package dev.parapet.policy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides on statements with an ordered list of rules. Precedence: an enforced deny wins over
 * everything, then a requirement for approval, then the statement runs; the first rule (in the
 * order given) with a verdict of the winning kind names the decision. A statement the analyzer
 * could not read is refused unless an {@link Rule.AllowUnparseable} rule covers it, and MySQL's
 * LOAD DATA LOCAL INFILE unless an {@link Rule.AllowLocalInfile} rule does (the other rules judge it
 * as well). Shadow-mode rules are evaluated too and only reported.
 *
 * <p>A rule with a {@code when:} condition has its say only where the condition is true; the
 * condition is evaluated only for a rule whose scope covers the request and which found something
 * to say. A condition that has no answer (a runtime error, a value the statement does not have)
 * fails closed: it counts as true for rules that refuse or hold a statement, and as false for
 * {@link Rule.AllowUnparseable} and {@link Rule.AllowLocalInfile}.
 *
 * <p>A statement that runs carries the strictest row limit of the {@link Rule.MaxRows} rules that
 * apply (an enforced one before a shadow one), and the columns that {@link Rule.DenyColumns} rules
 * narrow out of its result, and the first enforced {@link Rule.Mask} rule's directive that applies
 * to the identity. Immutable and thread-safe: a reload builds a new one.
 */
public final class PolicyEngine {

    public static final String UNPARSEABLE_RULE = "unparseable-statement";
    /** The built-in refusal of MySQL LOAD DATA LOCAL INFILE, lifted by {@link Rule.AllowLocalInfile}. */
    public static final String LOCAL_INFILE_RULE = "local-infile";
    private static final String ACCESS_RULE = "42000";
    private static final String DENIED = "42501";
    private static final String SYNTAX = "42601";
    private static final String HINT = "if you need this, ask for an approval or for the rule to be changed";

    private final List<Rule> rules;
    private final Clock clock;

    public PolicyEngine(List<Rule> rules) {
        this(rules, Clock.systemUTC());
    }

    /** With the clock that conditions read the time from. */
    public PolicyEngine(List<Rule> rules, Clock clock) {
        this.rules = List.copyOf(rules);
        this.clock = clock;
    }

    public List<Rule> rules() {
        return rules;
    }

    public Decision decide(PolicyRequest request) {
        return decide(request, false);
    }

    /**
     * The decision when {@code approved}: a person has approved the statement, so rules that ask
     * for approval are satisfied, and every other rule (refusals, row limits, masking) still
     * applies.
     */
    public Decision decide(PolicyRequest request, boolean approved) {
        if (request.analysis() instanceof StatementAnalysis.Unparseable unparseable) {
            return unparseable(request, unparseable);
        }
        StatementAnalysis.Analyzed analysis = (StatementAnalysis.Analyzed) request.analysis();
        ConditionInput facts = new ConditionInput(request, clock);
        List<Decision.Verdict> shadowed = new ArrayList<>();
        Decision.Verdict deny = null;
        Rule denyRule = null;
        Decision.Verdict approval = null;
        ApprovalTerms approvalTerms = ApprovalTerms.DEFAULT;
        RowLimit rowLimit = null;
        List<String> hidden = new ArrayList<>();
        MaskingDirective masking = null;
        for (Rule rule : rules) {
            if (!rule.scope().applies(request)) {
                continue;
            }
            if (rule instanceof Rule.Mask mask) {
                if (masking == null && rule.scope().mode() == RuleScope.Mode.ENFORCE && !mask.clearFor(request.principal())
                        && rule.scope().when().holds(facts, true)) {
                    masking = mask.directive();
                }
                continue;
            }
            if (rule instanceof Rule.MaxRows max) {
                if (rule.scope().when().holds(facts, true)) {
                    rowLimit = max.limit().stricter(rowLimit);
                }
                continue;
            }
            Optional<Decision.Verdict> verdict = rule.check(analysis, request.principal());
            if (verdict.isEmpty()) {
                if (rule instanceof Rule.DenyColumns columns && rule.scope().mode() == RuleScope.Mode.ENFORCE) {
                    List<String> narrowed = columns.narrowing(analysis);
                    if (!narrowed.isEmpty() && rule.scope().when().holds(facts, true)) {
                        narrowed.stream().filter(c -> !hidden.contains(c)).forEach(hidden::add);
                    }
                }
                continue;
            }
            if (!rule.scope().when().holds(facts, true)) {
                continue;
            }
            if (rule.scope().mode() == RuleScope.Mode.SHADOW) {
                shadowed.add(verdict.get());
            } else if (verdict.get().outcome() == Decision.Outcome.DENY && deny == null) {
                deny = verdict.get();
                denyRule = rule;
            } else if (verdict.get().outcome() == Decision.Outcome.REQUIRE_APPROVAL && approval == null && !approved) {
                approval = verdict.get();
                approvalTerms = rule instanceof Rule.RequireApproval r ? r.terms() : ApprovalTerms.DEFAULT;
            }
        }
        if (readsClientFile(analysis) && !localInfileAllowed(request, facts)) {
            return new Decision.Deny(LOCAL_INFILE_RULE, ACCESS_RULE, "denied by rule \"" + LOCAL_INFILE_RULE
                    + "\": LOAD DATA LOCAL reads a file from the client's machine, and the server, not the client,"
                    + " chooses which file", "if clients of this target need to load local files, ask for an"
                    + " allow-local-infile rule covering them", shadowed);
        }
        if (deny != null) {
            return deny(denyRule, deny, shadowed);
        }
        if (approval != null) {
            return new Decision.RequireApproval(approval.ruleId(), approval.reason(), shadowed, approvalTerms);
        }
        return new Decision.Allow(shadowed, Optional.ofNullable(rowLimit), hidden, Optional.ofNullable(masking));
    }

    /** The refusal a client gets: the rule's own SQLSTATE, reason and hint where it has them. */
    private static Decision deny(Rule rule, Decision.Verdict verdict, List<Decision.Verdict> shadowed) {
        Refusal refusal = rule.scope().refusal();
        String reason = refusal.message() != null ? refusal.message() : verdict.reason()
                + (rule.description() == null || rule.description().isBlank() ? "" : " (" + rule.description() + ")");
        return new Decision.Deny(verdict.ruleId(), refusal.sqlState() != null ? refusal.sqlState() : DENIED,
                "denied by rule \"" + verdict.ruleId() + "\": " + reason, refusal.hint() != null ? refusal.hint() : HINT,
                shadowed);
    }

    private static boolean readsClientFile(StatementAnalysis.Analyzed analysis) {
        return analysis.executedStatements().stream()
                .anyMatch(statement -> statement.serverAccess().contains(ServerAccess.READS_CLIENT_FILE));
    }

    /** Whether an enforced allow-local-infile rule covers the request; a condition without an answer does not. */
    private boolean localInfileAllowed(PolicyRequest request, ConditionInput facts) {
        for (Rule rule : rules) {
            if (rule instanceof Rule.AllowLocalInfile && rule.scope().applies(request)
                    && rule.scope().mode() == RuleScope.Mode.ENFORCE && rule.scope().when().holds(facts, false)) {
                return true;
            }
        }
        return false;
    }

    private Optional<RowLimit> rowLimit(PolicyRequest request, ConditionInput facts) {
        RowLimit limit = null;
        for (Rule rule : rules) {
            if (rule instanceof Rule.MaxRows max && rule.scope().applies(request) && rule.scope().when().holds(facts, true)) {
                limit = max.limit().stricter(limit);
            }
        }
        return Optional.ofNullable(limit);
    }

    private Decision unparseable(PolicyRequest request, StatementAnalysis.Unparseable unparseable) {
        ConditionInput facts = new ConditionInput(request, clock);
        for (Rule rule : rules) {
            if (rule instanceof Rule.AllowUnparseable && rule.scope().applies(request)
                    && rule.scope().mode() == RuleScope.Mode.ENFORCE && rule.scope().when().holds(facts, false)) {
                return new Decision.Allow(List.of(), rowLimit(request, facts));
            }
        }
        return new Decision.Deny(UNPARSEABLE_RULE, SYNTAX, "denied: the gateway cannot analyse this statement ("
                + unparseable.reason() + "), and statements it cannot check are refused",
                "rewrite the statement in a more common form, or ask for an allow-unparseable rule on this target",
                List.of());
    }
}

package dev.parapet.core;

import dev.parapet.config.TargetConfig;
import dev.parapet.policy.Decision;
import dev.parapet.policy.Dialect;
import dev.parapet.policy.PolicyEngine;
import dev.parapet.policy.PolicyRequest;
import dev.parapet.policy.Principal;
import dev.parapet.policy.SqlAnalyzer;
import dev.parapet.policy.StatementAnalysis;
import java.util.List;
import java.util.Optional;

/**
 * The one place both protocols ask whether a statement may run: it analyses the SQL (cached per
 * query shape) and asks the current policy. The policy can be swapped at any time (a reload);
 * a statement is decided by the policy in force when it arrives.
 */
public final class StatementGate {

    private final SqlAnalyzer postgres = new SqlAnalyzer(Dialect.POSTGRES);
    private final SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);
    /** The built-in rule that keeps masked data from being copied where it would be read in clear. */
    public static final String MASKED_DATA_RULE = "masked-data-stays-masked";

    private volatile PolicyEngine engine;
    private final MaskPlanner masks;
    private volatile int generation;
    public StatementGate(PolicyEngine engine) {
        this(engine, MaskPlanner.withEphemeralKey());
    }

    public StatementGate(PolicyEngine engine, MaskPlanner masks) {
        this.engine = engine;
        this.masks = masks;
    }

    /** No rules: only the built-in one (statements that cannot be analysed are refused). */
    public static StatementGate withoutRules() {
        return new StatementGate(new PolicyEngine(List.of()));
    }

    public void replace(PolicyEngine next) {
        engine = next;
        generation++;
    }

    /**
     * Which policy is in force: changes with every {@link #replace}. A session compares it to know
     * whether something it had decided earlier (a prepared statement) must be decided again; read
     * it before deciding, so that a decision is never credited to a newer policy than its own.
     */
    public int generation() {
        return generation;
    }

    /** The identity as policy sees it; a session computes it once, at login. */
    public static Principal principal(Identity identity) {
        return new Principal(identity.subject(), identity.name(), identity.email(), identity.groups(),
                identity.kind() == Identity.Kind.SERVICE ? Principal.Kind.SERVICE : Principal.Kind.HUMAN, identity.issuer());
    }

    public Decision decide(Principal principal, TargetConfig target, String sql) {
        return judge(principal, target, sql).decision();
    }

    /**
     * The decision on a statement, with what the protocol needs to carry it out: the masking to
     * apply to its results, prepared once here, when the decision asks for it.
     */
    public Judgement judge(Principal principal, TargetConfig target, String sql) {
        return judge(principal, target, sql, false);
    }

    /**
     * The judgement on a statement a person approved ({@code approved}): approval rules are
     * satisfied, every other rule applies as always.
     */
    public Judgement judge(Principal principal, TargetConfig target, String sql, boolean approved) {
        Judgement judgement = judgeAsWritten(principal, target, sql, approved);
        if (target.protocol() != TargetConfig.Protocol.MYSQL || sql.indexOf('"') < 0
                || !(judgement.decision() instanceof Decision.Allow)) {
            return judgement;
        }
        return underAnsiQuotes(judgement, judgeAsWritten(principal, target, sql.replace('"', '`'), approved));
    }

    /**
     * MySQL reads double quotes as strings by default and as identifiers under {@code sql_mode}
     * ANSI_QUOTES, which a session can switch on at any time ({@code SELECT "ssn" FROM users} reads
     * the column there). A statement allowed as strings is judged as identifiers too: refused if
     * that reading is, else run under that reading's judgement, whose masking sees every column the
     * statement may read.
     */
    private static Judgement underAnsiQuotes(Judgement asStrings, Judgement asIdentifiers) {
        String reading = " (reading \"...\" as identifiers, as sql_mode ANSI_QUOTES does)";
        return switch (asIdentifiers.decision()) {
            case Decision.Allow allow -> asIdentifiers;
            case Decision.Deny deny -> new Judgement(new Decision.Deny(deny.ruleId(), deny.sqlState(),
                    deny.message() + reading, deny.hint(), deny.shadowed()), Optional.empty(), false, asStrings.analysis());
            case Decision.RequireApproval approval -> new Judgement(new Decision.Deny(approval.ruleId(), "42501",
                    "rule \"" + approval.ruleId() + "\" requires approval" + reading + ": " + approval.reason(),
                    "write strings in single quotes and identifiers in backticks", List.of()), Optional.empty(), false,
                    asStrings.analysis());
        };
    }

    private Judgement judgeAsWritten(Principal principal, TargetConfig target, String sql, boolean approved) {
        SqlAnalyzer analyzer = target.protocol() == TargetConfig.Protocol.MYSQL ? mysql : postgres;
        StatementAnalysis analysis = analyzer.analyze(sql);
        Decision decision = engine.decide(new PolicyRequest(principal, target.name(), target.environment(),
                analyzer.dialect(), analysis), approved);
        Optional<MaskPlanner.StatementMasking> masking = decision instanceof Decision.Allow allow
                ? allow.masking().map(directive -> masks.forStatement(directive, analysis))
                : Optional.empty();
        if (masking.isPresent()) {
            Optional<String> sideDoor = masking.get().sideDoor();
            if (sideDoor.isPresent()) {
                return new Judgement(new Decision.Deny(MASKED_DATA_RULE, "42501", "denied by rule \"" + MASKED_DATA_RULE
                        + "\": " + sideDoor.get() + ", and data masked for you must not leave the gateway in clear",
                        "select the columns you need directly; their values come back masked", decision.shadowed()),
                        Optional.empty(), false, analysis);
            }
        }
        boolean changesDefinitions = analysis instanceof StatementAnalysis.Analyzed analyzed
                && analyzed.changesDefinitions();
        return new Judgement(decision, masking, changesDefinitions, analysis);
    }

    /**
     * A decision and, when its results are masked, how; {@code changesDefinitions} when the
     * statement creates, alters or drops something (what the gateway knows of the database's
     * tables and columns is then out of date); {@code analysis} is what the decision was made on.
     */
    public record Judgement(Decision decision, Optional<MaskPlanner.StatementMasking> masking,
            boolean changesDefinitions, StatementAnalysis analysis) {
    }

    /** Plans the masking of results. */
    public MaskPlanner masks() {
        return masks;
    }

    /**
     * The decision on a request that carries no SQL to analyse ({@code what} says what it is, e.g.
     * a fast-path function call): like an unreadable statement, refused unless an
     * allow-unparseable rule covers the target.
     */
    public Decision decideUnreadable(Principal principal, TargetConfig target, String what) {
        return engine.decide(new PolicyRequest(principal, target.name(), target.environment(),
                new StatementAnalysis.Unparseable(what, "")));
    }
}

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

/**
 * The one place both protocols ask whether a statement may run: it analyses the SQL (cached per
 * query shape) and asks the current policy. The policy can be swapped at any time (a reload);
 * a statement is decided by the policy in force when it arrives.
 */
public final class StatementGate {

    private final SqlAnalyzer postgres = new SqlAnalyzer(Dialect.POSTGRES);
    private final SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);
    private volatile PolicyEngine engine;
    private volatile int generation;

    public StatementGate(PolicyEngine engine) {
        this.engine = engine;
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
        return new Principal(identity.subject(), identity.groups(),
                identity.kind() == Identity.Kind.SERVICE ? Principal.Kind.SERVICE : Principal.Kind.HUMAN);
    }

    public Decision decide(Principal principal, TargetConfig target, String sql) {
        SqlAnalyzer analyzer = target.protocol() == TargetConfig.Protocol.MYSQL ? mysql : postgres;
        return engine.decide(new PolicyRequest(principal, target.name(), target.environment(), analyzer.analyze(sql)));
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

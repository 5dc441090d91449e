package dev.parapet.core;

import dev.parapet.config.TargetConfig;
import dev.parapet.policy.ApprovalTerms;
import dev.parapet.policy.Decision;
import dev.parapet.policy.Principal;
import dev.parapet.policy.StatementAnalysis;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every protocol does with a logged-in session's statements before its own wire work:
 * judges them (the policy, approval tickets, a fail-closed audit trail), opens and follows the
 * approval requests of statements held for a person's decision, and turns a decision into the
 * judgement to carry out. One per session, used on the session's event loop.
 */
public final class SessionGovernance {

    private static final Logger log = LoggerFactory.getLogger(SessionGovernance.class);

    /** The rule named when a fail-closed target refuses what it cannot audit. */
    public static final String AUDIT_RULE = "audit-fail-closed";

    /** The planner's row estimate for a statement, when the protocol can ask its database for one. */
    @FunctionalInterface
    public interface RowEstimator {
        CompletableFuture<Optional<Long>> estimate(String sql, StatementAnalysis analysis);

        RowEstimator NONE = (sql, analysis) -> CompletableFuture.completedFuture(Optional.empty());
    }

    private final GatewayContext context;
    private final long sessionId;
    private final Identity identity;
    private final Principal principal;
    private final TargetConfig target;
    private final RowEstimator estimator;
    private final Executor loop;
    private AuditTrail.Session audit;

    public SessionGovernance(GatewayContext context, long sessionId, Identity identity, TargetConfig target,
            RowEstimator estimator, Executor loop) {
        this.context = context;
        this.sessionId = sessionId;
        this.identity = identity;
        this.principal = StatementGate.principal(identity);
        this.target = target;
        this.estimator = estimator;
        this.loop = loop;
    }

    /** The session's audit events, once it is logged in. */
    public void audit(AuditTrail.Session session) {
        this.audit = session;
    }

    public Principal principal() {
        return principal;
    }

    /**
     * The judgement on a statement: the policy's, with an approval ticket redeemed when the rule
     * asks for tickets (a statement without an approved ticket is refused naming the request it
     * opened or found), and every statement refused while a fail-closed target cannot audit.
     * {@code approved}: a person approved this very statement (it was held).
     */
    public StatementGate.Judgement judge(String sql, boolean approved) {
        StatementGate.Judgement judgement = context.statements().judge(principal, target, sql, approved);
        if (judgement.decision() instanceof Decision.RequireApproval approval
                && approval.terms().mode() == ApprovalTerms.Mode.TICKET) {
            judgement = ticket(sql, judgement, approval);
        }
        Optional<String> refusal = auditRefusal();
        if (refusal.isPresent()) {
            judgement = new StatementGate.Judgement(auditDenial(refusal.get()), Optional.empty(), false,
                    judgement.analysis());
        }
        return judgement;
    }

    private StatementGate.Judgement ticket(String sql, StatementGate.Judgement judgement,
            Decision.RequireApproval approval) {
        var ticket = context.approvals().redeem(identity, target.name(), sql, judgement.analysis().fingerprint());
        if (ticket.isPresent()) {
            approvalEvent("executed", ticket.get(), null, "run with the approved ticket");
            return context.statements().judge(principal, target, sql, true);
        }
        var open = context.approvals().pendingTicket(identity, target.name(), sql);
        var request = open.orElseGet(() -> context.approvals().open(approval.ruleId(), approval.reason(),
                approval.terms(), identity, target.name(), target.environment(), judgement.analysis().fingerprint(), sql));
        if (open.isEmpty()) {
            approvalEvent("requested", request, null, null);
            estimateThenNotify(request, approval, judgement.analysis(), sql);
        }
        log.info("session {}: {} asked for approval of a statement on {} (rule {}): request {}", sessionId,
                identity.label(), target.name(), approval.ruleId(), request.id());
        return new StatementGate.Judgement(new Decision.Deny(approval.ruleId(), "42501",
                "rule \"" + approval.ruleId() + "\" requires approval: " + approval.reason() + "; approval request "
                        + request.id() + " is open until " + request.expires(),
                "once it is approved (parapet approvals approve " + request.id() + "), run the same statement again",
                approval.shadowed()), Optional.empty(), false, judgement.analysis());
    }

    /** Whether the statement is to wait in its session for a person's decision (a rule in hold mode). */
    public static boolean held(StatementGate.Judgement judgement) {
        return judgement.decision() instanceof Decision.RequireApproval approval
                && approval.terms().mode() == ApprovalTerms.Mode.HOLD;
    }

    /**
     * Opens the approval request of a statement that waits in its session ({@link #held}),
     * records it and tells the approvers. The protocol stops reading its client and resumes when
     * the request's outcome completes, calling {@link #decided}.
     */
    public Approvals.Request hold(StatementGate.Judgement judgement, String sql) {
        var approval = (Decision.RequireApproval) judgement.decision();
        Approvals.Request request = context.approvals().open(approval.ruleId(), approval.reason(), approval.terms(),
                identity, target.name(), target.environment(), judgement.analysis().fingerprint(), sql);
        approvalEvent("requested", request, null, null);
        estimateThenNotify(request, approval, judgement.analysis(), sql);
        log.info("session {}: {} holds a statement on {} for approval (rule {}): request {}", sessionId,
                identity.label(), target.name(), approval.ruleId(), request.id());
        return request;
    }

    /** What the client is told while its statement waits: the request and how to approve it. */
    public static String holdMessage(Approvals.Request request) {
        return "rule \"" + request.ruleId() + "\" requires approval: " + request.reason()
                + "; the statement waits for approval request " + request.id() + " (until " + request.expires() + ")";
    }

    public static String holdHint(Approvals.Request request) {
        return "an approver runs: parapet approvals approve " + request.id()
                + "  (or POST /api/approvals/" + request.id() + "/approve on the gateway's admin listener)";
    }

    /**
     * A held statement's request is decided: records the outcome and returns the judgement to
     * carry out — the statement judged again as approved, or a refusal saying who rejected it,
     * that it was withdrawn (SQLSTATE 57014) or that it expired.
     */
    public StatementGate.Judgement decided(Approvals.Request request, Approvals.Outcome outcome, String sql) {
        switch (outcome) {
            case Approvals.Outcome.Approved approved -> {
                String by = String.join(", ", approved.approvers());
                approvalEvent("approved", request, by, null);
                log.info("session {}: request {} approved by {}; the statement runs", sessionId, request.id(), by);
                StatementGate.Judgement judgement = judge(sql, true);
                approvalEvent("executed", request, by, null);
                return judgement;
            }
            case Approvals.Outcome.Rejected rejected -> {
                approvalEvent("rejected", request, rejected.by(), rejected.why());
                log.info("session {}: request {} rejected by {}", sessionId, request.id(), rejected.by());
                return refusedAfterApproval(sql, request, "42501", "approval request " + request.id()
                        + " was rejected by " + rejected.by() + ": " + rejected.why());
            }
            case Approvals.Outcome.Withdrawn withdrawn -> {
                approvalEvent("withdrawn", request, null, withdrawn.why());
                log.info("session {}: request {} withdrawn: {}", sessionId, request.id(), withdrawn.why());
                return refusedAfterApproval(sql, request, "57014", "canceling statement due to user request: approval request "
                        + request.id() + " withdrawn");
            }
            case Approvals.Outcome.Expired expired -> {
                approvalEvent("expired", request, null, null);
                log.info("session {}: request {} expired", sessionId, request.id());
                return refusedAfterApproval(sql, request, "42501", "approval request " + request.id() + " expired at "
                        + expired.at() + " without a decision");
            }
        }
    }

    private StatementGate.Judgement refusedAfterApproval(String sql, Approvals.Request request, String sqlState,
            String why) {
        StatementGate.Judgement judged = context.statements().judge(principal, target, sql);
        return new StatementGate.Judgement(new Decision.Deny(request.ruleId(), sqlState, why,
                "ask an approver again, or run what needs no approval", List.of()), Optional.empty(), false,
                judged.analysis());
    }

    /** Why the target refuses statements now because the audit trail cannot record them, if it does. */
    public Optional<String> auditRefusal() {
        return context.audit().refusal(target);
    }

    public static Decision auditDenial(String why) {
        return new Decision.Deny(AUDIT_RULE, "58000", why, "try again when the audit trail has recovered; operators: see the"
                + " parapet_audit_* metrics and the gateway log", List.of());
    }

    /**
     * When the rule asks for it, attaches the planner's row estimate to a new request (at most five
     * seconds' wait), then tells the approvers.
     */
    private void estimateThenNotify(Approvals.Request request, Decision.RequireApproval approval,
            StatementAnalysis analysis, String sql) {
        if (!approval.terms().estimateRows()) {
            notifyApprovers(request);
            return;
        }
        estimator.estimate(sql, analysis)
                .completeOnTimeout(Optional.empty(), 5, TimeUnit.SECONDS)
                .whenComplete((estimate, failure) -> {
                    if (estimate != null) {
                        estimate.ifPresent(rows -> context.approvals().estimated(request, rows));
                    }
                    notifyApprovers(request);
                });
    }

    private void notifyApprovers(Approvals.Request request) {
        if (!context.approvals().notifier().configured()) {
            return;
        }
        context.approvals().notifier().notify(request).thenAccept(took -> {
            if (!took.isEmpty()) {
                loop.execute(() -> approvalEvent("notified", request, null, "sent to " + String.join(", ", took)));
            }
        });
    }

    private void approvalEvent(String step, Approvals.Request request, String by, String detail) {
        if (audit != null) {
            audit.approval(step, request, by, detail);
        }
    }
}

package dev.parapet.policy;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How a require-approval rule wants its statements approved.
 *
 * @param mode {@link Mode#HOLD}: the statement waits in its session until approved, rejected or
 *     expired; {@link Mode#TICKET}: it is refused at once, and once approved the same identity may
 *     run the same text once within {@code ticketWindow}
 * @param approvers the groups whose members may approve or reject (empty: anyone logged in
 *     through the gateway's identity provider)
 * @param selfApproval whether the requester may approve their own request
 * @param approvals how many different approvers it takes
 * @param expiresAfter how long a request waits for a decision
 * @param ticketWindow how long an approved ticket may be used
 * @param approversWhen a condition an approver must meet as well, with {@code identity} the
 *     approver and {@code target} and {@code statement} the request's ({@link Condition#ALWAYS}: none)
 * @param estimateRows whether a request carries the planner's row estimate for its statement
 *     ({@code EXPLAIN}, for the kinds EXPLAIN takes)
 * @param ticketMatch what a statement must share with the approved one to run on its ticket
 * @param ticketReuse whether a ticket runs matching statements as often as asked within its window
 *     (false: once)
 */
public record ApprovalTerms(Mode mode, Set<String> approvers, boolean selfApproval, int approvals, Duration expiresAfter,
        Duration ticketWindow, Condition approversWhen, boolean estimateRows, TicketMatch ticketMatch, boolean ticketReuse) {

    /** What a rule that says nothing more asks for: held, one approver from any group, 15 minutes. */
    public static final ApprovalTerms DEFAULT = new ApprovalTerms(Mode.HOLD, Set.of(), false, 1, Duration.ofMinutes(15),
            Duration.ofHours(1), Condition.ALWAYS, false, TicketMatch.TEXT, false);

    public ApprovalTerms {
        Objects.requireNonNull(mode, "mode");
        approvers = Set.copyOf(approvers);
        if (approvals < 1) {
            throw new IllegalArgumentException("approvals must be 1 or more");
        }
        approversWhen = approversWhen == null ? Condition.ALWAYS : approversWhen;
        ticketMatch = ticketMatch == null ? TicketMatch.TEXT : ticketMatch;
    }

    /** What a later statement must share with the approved one to run on its ticket. */
    public enum TicketMatch {
        /** Exactly the same text, literals included. */
        TEXT,
        /** The same statement shape: the same text once literals are set aside. */
        FINGERPRINT
    }

    public ApprovalTerms(Mode mode, Set<String> approvers, boolean selfApproval, int approvals, Duration expiresAfter,
            Duration ticketWindow) {
        this(mode, approvers, selfApproval, approvals, expiresAfter, ticketWindow, Condition.ALWAYS, false, TicketMatch.TEXT, false);
    }

    public ApprovalTerms(Mode mode, Set<String> approvers, boolean selfApproval, int approvals, Duration expiresAfter,
            Duration ticketWindow, Condition approversWhen) {
        this(mode, approvers, selfApproval, approvals, expiresAfter, ticketWindow, approversWhen, false, TicketMatch.TEXT, false);
    }

    /** Where the statement waits. */
    public enum Mode { HOLD, TICKET }
}

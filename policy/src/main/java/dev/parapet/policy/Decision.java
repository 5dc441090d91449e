package dev.parapet.policy;

import java.util.List;
import java.util.Optional;

/**
 * What happens to a statement. Exactly one of: it runs ({@link Allow}), it is refused with the
 * rule that refused it ({@link Deny}), or it waits for a person to approve it
 * ({@link RequireApproval}). Rules in shadow mode never change the outcome; what they would have
 * done is carried along so it can be logged and audited.
 */
public sealed interface Decision permits Decision.Allow, Decision.Deny, Decision.RequireApproval {

    /** Verdicts of shadow-mode rules: what would have happened. */
    List<Verdict> shadowed();

    /**
     * The statement runs; {@code rowLimit}, when present, caps the rows it may return to the
     * client (a max-rows rule); {@code hiddenColumns} are columns ({@code table.column} or
     * {@code schema.table.column}) to remove from its result (a deny-columns rule that narrows
     * {@code SELECT *}); {@code masking}, when present, asks for sensitive values in its result
     * to be masked (a mask rule).
     */
    record Allow(List<Verdict> shadowed, Optional<RowLimit> rowLimit, List<String> hiddenColumns,
            Optional<MaskingDirective> masking) implements Decision {
        public Allow {
            shadowed = List.copyOf(shadowed);
            rowLimit = rowLimit == null ? Optional.empty() : rowLimit;
            hiddenColumns = List.copyOf(hiddenColumns);
            masking = masking == null ? Optional.empty() : masking;
        }

        public Allow(List<Verdict> shadowed, Optional<RowLimit> rowLimit, List<String> hiddenColumns) {
            this(shadowed, rowLimit, hiddenColumns, Optional.empty());
        }

        public Allow(List<Verdict> shadowed, Optional<RowLimit> rowLimit) {
            this(shadowed, rowLimit, List.of());
        }

        public Allow(List<Verdict> shadowed) {
            this(shadowed, Optional.empty(), List.of());
        }
    }

    /**
     * The statement is refused. {@code sqlState} is the code the client gets (42501, insufficient
     * privilege, unless a rule says otherwise), {@code message} names the rule and why, {@code hint}
     * says what to do instead.
     */
    record Deny(String ruleId, String sqlState, String message, String hint, List<Verdict> shadowed) implements Decision {
        public Deny {
            shadowed = List.copyOf(shadowed);
        }
    }

    /** The statement needs a person's approval first, by the rule named, on the rule's terms. */
    record RequireApproval(String ruleId, String reason, List<Verdict> shadowed, ApprovalTerms terms) implements Decision {
        public RequireApproval {
            shadowed = List.copyOf(shadowed);
            terms = terms == null ? ApprovalTerms.DEFAULT : terms;
        }

        public RequireApproval(String ruleId, String reason, List<Verdict> shadowed) {
            this(ruleId, reason, shadowed, ApprovalTerms.DEFAULT);
        }
    }

    /** One rule's finding about one statement. */
    record Verdict(String ruleId, Outcome outcome, String reason) {
    }

    /** What a rule asks for. */
    enum Outcome { DENY, REQUIRE_APPROVAL }
}

package dev.parapet.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One case from a policy test file, validated: a statement, who sends it and where, and what the
 * policy must decide about it. {@code file} and {@code line} say where it was written.
 */
record PolicyTestCase(String file, int line, String name, Principal principal, String target, String environment,
        Dialect dialect, String sql, Expectation expectation) {

    /** The decision's kind, in the words test files use. */
    enum Outcome {
        ALLOW, DENY, REQUIRE_APPROVAL;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Outcome of(Decision decision) {
            return switch (decision) {
                case Decision.Allow a -> ALLOW;
                case Decision.Deny d -> DENY;
                case Decision.RequireApproval r -> REQUIRE_APPROVAL;
            };
        }
    }

    /**
     * What the decision must be. Only the outcome is always checked; an empty {@code rule},
     * {@code shadowed} or {@code message} is not looked at.
     *
     * @param rule the rule that must name a deny or approval
     * @param shadowed exactly the shadow-mode rules that must have reported (empty set: none)
     * @param message a piece of text the refusal's message or the approval's reason must contain
     * @param rowLimit the rows an allowed statement may return at most (a max-rows rule)
     * @param masking the mask rule whose masking applies to an allowed statement's results, or
     *     {@code none}
     */
    record Expectation(Outcome outcome, Optional<String> rule, Optional<Set<String>> shadowed, Optional<String> message,
            Optional<Long> rowLimit, Optional<String> masking) {

        Expectation {
            shadowed = shadowed.map(Set::copyOf);
        }

        boolean isMetBy(Decision decision) {
            return outcome == Outcome.of(decision)
                    && rule.map(id -> id.equals(ruleOf(decision))).orElse(true)
                    && shadowed.map(ids -> ids.equals(shadowedIds(decision))).orElse(true)
                    && message.map(text -> messageOf(decision).contains(text)).orElse(true)
                    && rowLimit.map(rows -> rows.equals(rowLimitOf(decision))).orElse(true)
                    && masking.map(id -> id.equals(maskingOf(decision))).orElse(true);
        }

        /** The expectation in one line: {@code deny by where-required, shadowed [x], message containing "..."}. */
        String describe() {
            List<String> parts = new ArrayList<>();
            parts.add(outcome.word() + rule.map(id -> " by " + id).orElse(""));
            shadowed.ifPresent(ids -> parts.add("shadowed " + new TreeSet<>(ids)));
            message.ifPresent(text -> parts.add("message containing \"" + text + "\""));
            rowLimit.ifPresent(rows -> parts.add("row limit " + rows));
            masking.ifPresent(id -> parts.add("masking " + id));
            return String.join(", ", parts);
        }

        /**
         * The decision in the same words, followed by its message: shadow verdicts are shown when
         * there are some or when they are expected.
         */
        String describe(Decision decision) {
            String ruleId = ruleOf(decision);
            StringBuilder text = new StringBuilder(Outcome.of(decision).word());
            if (!ruleId.isEmpty()) {
                text.append(" by ").append(ruleId);
            }
            Set<String> actualShadowed = shadowedIds(decision);
            if (!actualShadowed.isEmpty() || shadowed.isPresent()) {
                text.append(", shadowed ").append(actualShadowed);
            }
            Long rows = rowLimitOf(decision);
            if (rows != null) {
                text.append(", row limit ").append(rows);
            }
            if (decision instanceof Decision.Allow allow && (allow.masking().isPresent() || masking.isPresent())) {
                text.append(", masking ").append(maskingOf(decision));
            }
            String said = messageOf(decision);
            if (!said.isEmpty()) {
                text.append(": ").append(said);
            }
            return text.toString();
        }

        private static String ruleOf(Decision decision) {
            return switch (decision) {
                case Decision.Allow a -> "";
                case Decision.Deny d -> d.ruleId();
                case Decision.RequireApproval r -> r.ruleId();
            };
        }

        private static String messageOf(Decision decision) {
            return switch (decision) {
                case Decision.Allow a -> "";
                case Decision.Deny d -> d.message();
                case Decision.RequireApproval r -> r.reason();
            };
        }

        private static String maskingOf(Decision decision) {
            return decision instanceof Decision.Allow allow
                    ? allow.masking().map(MaskingDirective::ruleId).orElse("none") : "none";
        }

        private static Long rowLimitOf(Decision decision) {
            return decision instanceof Decision.Allow allow ? allow.rowLimit().map(RowLimit::rows).orElse(null) : null;
        }

        private static Set<String> shadowedIds(Decision decision) {
            Set<String> ids = new TreeSet<>();
            decision.shadowed().forEach(verdict -> ids.add(verdict.ruleId()));
            return ids;
        }
    }
}

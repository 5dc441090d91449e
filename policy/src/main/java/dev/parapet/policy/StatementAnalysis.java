package dev.parapet.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The result of analysing one SQL string (which may hold several statements): either every
 * statement was understood, or the string is unparseable and policy decides what to do with it
 * (by default: deny). There is no partial result: one statement the analyzer cannot read makes
 * the whole string unparseable, since it could be the one that does harm.
 */
public sealed interface StatementAnalysis {

    /**
     * The literal-free shape of the string: literals and parameter markers replaced by {@code ?},
     * comments and whitespace folded, keywords (and, for PostgreSQL, unquoted identifiers)
     * lower-cased, statements joined by {@code "; "}. It is what the audit trail stores instead of
     * the raw text. Empty when the string could not even be split into tokens.
     */
    String fingerprint();

    /**
     * Every statement of the string, understood.
     *
     * @param statements the statements, in order (empty for a string of only comments)
     * @param multiStatement whether the string holds more than one statement
     * @param fingerprint see {@link StatementAnalysis#fingerprint()}
     */
    record Analyzed(List<StatementInfo> statements, boolean multiStatement, String fingerprint)
            implements StatementAnalysis {

        public Analyzed {
            statements = List.copyOf(statements);
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        /** All statements that run, including carried ones: see {@link StatementInfo#executed()}. */
        public List<StatementInfo> executedStatements() {
            List<StatementInfo> all = new ArrayList<>();
            for (StatementInfo statement : statements) {
                all.addAll(statement.executed());
            }
            return Collections.unmodifiableList(all);
        }
    }

    /**
     * A string the analyzer could not read.
     *
     * @param reason what could not be read, in a sentence fit for a log or an error message
     * @param fingerprint see {@link StatementAnalysis#fingerprint()}
     */
    record Unparseable(String reason, String fingerprint) implements StatementAnalysis {

        public Unparseable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }
}

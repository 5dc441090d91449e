package dev.parapet.policy;

import java.util.ArrayList;
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
     * @param executedStatements all statements that run, including carried ones (see
     *     {@link StatementInfo#executed()}); worked out once, since every rule reads it for every
     *     statement and the analysis is cached per query shape
     */
    record Analyzed(List<StatementInfo> statements, boolean multiStatement, String fingerprint,
            List<StatementInfo> executedStatements) implements StatementAnalysis {

        public Analyzed {
            statements = List.copyOf(statements);
            executedStatements = List.copyOf(executedStatements);
            Objects.requireNonNull(fingerprint, "fingerprint");
        }

        public Analyzed(List<StatementInfo> statements, boolean multiStatement, String fingerprint) {
            this(statements, multiStatement, fingerprint, executedOf(statements));
        }

        private static List<StatementInfo> executedOf(List<StatementInfo> statements) {
            List<StatementInfo> all = new ArrayList<>();
            for (StatementInfo statement : statements) {
                all.addAll(statement.executed());
            }
            return all;
        }

        /** Whether a statement that runs creates, alters or drops something. */
        public boolean changesDefinitions() {
            for (StatementInfo statement : executedStatements) {
                if (statement.kind().isDdl()) {
                    return true;
                }
            }
            return false;
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

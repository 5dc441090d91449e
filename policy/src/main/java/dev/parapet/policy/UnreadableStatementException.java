package dev.parapet.policy;

/**
 * Raised wherever the analysis meets SQL it cannot read with confidence; the analyzer turns it into
 * {@link StatementAnalysis.Unparseable} with this message as the reason.
 */
final class UnreadableStatementException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UnreadableStatementException(String reason) {
        super(reason, null, false, false);
    }
}

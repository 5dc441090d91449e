package dev.parapet.core;

import dev.parapet.masking.MaskAction;
import dev.parapet.masking.MaskStrategy;
import dev.parapet.policy.Decision;
import dev.parapet.policy.StatementAnalysis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One statement on its way through the gateway, as the audit trail will record it: what was
 * asked and decided (set when it arrives), and what came of it (filled in by the protocol as the
 * database answers). Lives on the session's event loop.
 */
public final class AuditedStatement {

    final String sql;
    final StatementAnalysis analysis;
    final Decision decision;
    final String maskingRule;
    final String queryProtocol;
    final long startNanos;
    final List<String> tags = new ArrayList<>(1);
    final List<Map<String, Object>> masked = new ArrayList<>(0);
    long rowsReturned;
    long rowsAffected;
    boolean anyRowsReturned;
    String errorCode;
    String errorMessage;
    long transaction;

    /**
     * @param sql the statement as the client sent it
     * @param judgement what the gate decided, on which analysis (null when unknown: an Execute of a
     *     statement the gateway did not see prepared)
     * @param queryProtocol how it came: simple, extended, fast-path
     */
    public AuditedStatement(String sql, StatementGate.Judgement judgement, String queryProtocol) {
        this.sql = sql == null ? "" : sql;
        this.analysis = judgement == null ? null : judgement.analysis();
        this.decision = judgement == null ? null : judgement.decision();
        this.maskingRule = judgement == null ? null
                : judgement.masking().map(m -> m.directive().ruleId()).orElse(null);
        this.queryProtocol = queryProtocol;
        this.startNanos = System.nanoTime();
    }

    /** Whether the gate refused it (the refusal is recorded when decided, not again when the database echoes it). */
    public boolean refused() {
        return !(decision instanceof Decision.Allow) && decision != null;
    }

    /** A command tag from the database: SELECT 3, UPDATE 1, INSERT 0 5, COPY 10, FETCH 50. */
    public void completed(String tag) {
        tags.add(tag);
        int space = tag.lastIndexOf(' ');
        if (space < 0) {
            return;
        }
        long n;
        try {
            n = Long.parseLong(tag, space + 1, tag.length(), 10);
        } catch (NumberFormatException e) {
            return;
        }
        String verb = tag.substring(0, tag.indexOf(' '));
        switch (verb) {
            case "SELECT", "FETCH", "SHOW" -> {
                rowsReturned += n;
                anyRowsReturned = true;
            }
            case "INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "MOVE" -> rowsAffected += n;
            default -> { }
        }
    }

    /** A result the protocol counts itself (MySQL's OK packet): its tag, and the rows it changed. */
    public void affected(String tag, long rows) {
        tags.add(tag + " " + rows);
        rowsAffected += rows;
    }

    /** A portal that stopped after {@code rows} rows and will go on at its next Execute. */
    public void suspended(long rows) {
        rowsReturned += rows;
        anyRowsReturned = true;
    }

    /** Rows the database sent that the gateway did not (dropped past a row limit). */
    public void rowsWithheld(long rows) {
        rowsReturned = Math.max(0, rowsReturned - rows);
    }

    public void failed(String code, String message) {
        if (errorCode == null) {
            errorCode = code;
            errorMessage = message;
        }
    }

    public void transaction(long number) {
        this.transaction = number;
    }

    /** What masking did to a result: per masked column, its label, class, strategy and why. */
    public void masked(List<String> labels, List<MaskAction> actions, List<String> reasons) {
        for (int i = 0; i < actions.size() && i < labels.size(); i++) {
            MaskAction action = actions.get(i);
            if (action == null) {
                continue;
            }
            Map<String, Object> column = new LinkedHashMap<>();
            column.put("column", labels.get(i));
            switch (action) {
                case MaskAction.WholeValue whole -> {
                    column.put("class", words(whole.dataClass().name()));
                    column.put("strategy", strategy(whole.strategy()));
                }
                case MaskAction.ScanContent scan -> column.put("strategy", "content-scan");
                case MaskAction.JsonFields json -> column.put("strategy", "json-fields");
            }
            for (String reason : reasons) {
                if (reason.startsWith(labels.get(i) + ":") || reason.contains("." + labels.get(i) + ":")) {
                    column.put("reason", reason);
                    break;
                }
            }
            if (masked.size() < 256) {
                masked.add(column);
            }
        }
    }

    static String strategy(MaskStrategy strategy) {
        return switch (strategy) {
            case MaskStrategy.Redact r -> "redact";
            case MaskStrategy.Partial p -> "partial";
            case MaskStrategy.KeyedHash h -> "keyed-hash";
            case MaskStrategy.Nullify n -> "nullify";
            case MaskStrategy.Fixed f -> "fixed";
        };
    }

    private static String words(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

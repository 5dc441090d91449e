package dev.parapet.postgres.frontend;

import dev.parapet.core.AuditTrail;
import dev.parapet.core.AuditedStatement;
import dev.parapet.core.SessionFacts;
import dev.parapet.core.StatementGate;
import dev.parapet.masking.MaskAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Follows a session's statements for the audit trail, in the order the database answers them:
 * a simple query until its ReadyForQuery, an Execute until its CommandComplete, error or
 * PortalSuspended (a portal fetched piece by piece is one statement, its rows added up), and
 * records each once its batch ends (at the ReadyForQuery after it), with its command tags, rows,
 * duration, error and the session's transaction number. A statement the gateway refused is
 * recorded when it is refused, not again when the database raises the refusal. Executes that
 * the database skipped after an earlier error in their batch ran nothing and are not recorded.
 *
 * <p>Lives on the session's event loop. Does nothing when the audit trail is off.
 */
final class StatementLog {

    private enum Kind { QUERY, EXECUTE, SYNC }

    private static final class Entry {
        final Kind kind;
        final AuditedStatement statement;
        final String portal;
        final String statementName;
        final int maxRows;
        boolean answered;
        boolean suspended;

        Entry(Kind kind, AuditedStatement statement, String portal, String statementName, int maxRows) {
            this.kind = kind;
            this.statement = statement;
            this.portal = portal;
            this.statementName = statementName;
            this.maxRows = maxRows;
        }
    }

    /** What a prepared statement was decided on. */
    private record Prepared(String sql, StatementGate.Judgement judgement) {
    }

    private static final Entry SYNC = new Entry(Kind.SYNC, null, null, null, 0);

    private final AuditTrail trail;
    private final boolean on;
    private AuditTrail.Session session;
    private final ArrayDeque<Entry> inFlight = new ArrayDeque<>();
    private final Map<String, Prepared> prepared = new HashMap<>();
    private final Map<String, String> portals = new HashMap<>();
    private final Map<String, AuditedStatement> suspended = new HashMap<>();
    private final Map<String, MaskedColumns> maskedByStatement = new HashMap<>();
    private long transactions;
    private char status = 'I';
    private long statements;

    private record MaskedColumns(List<String> labels, List<MaskAction> actions, List<String> reasons) {
    }

    StatementLog(AuditTrail trail) {
        this.trail = trail;
        this.on = trail.enabled();
    }

    /** The session is logged in: from now on its statements are recorded under these facts. */
    void start(SessionFacts facts) {
        this.session = trail.session(facts);
    }

    /** The session's events, once it logged in; null before. */
    AuditTrail.Session session() {
        return session;
    }

    /** Statements the client sent (simple queries, Executes and fast-path calls). */
    long statements() {
        return statements;
    }

    // ---- what the client asked -----------------------------------------------------------

    void query(String sql, StatementGate.Judgement judgement) {
        statements++;
        if (!on) {
            return;
        }
        AuditedStatement statement = new AuditedStatement(sql, judgement, "simple");
        if (statement.refused()) {
            session.statement(statement);
        }
        inFlight.add(new Entry(Kind.QUERY, statement, null, null, 0));
    }

    /** A fast-path function call, with what it was decided on. */
    void functionCall(AuditedStatement statement) {
        statements++;
        if (!on) {
            return;
        }
        if (statement.refused()) {
            session.statement(statement);
        }
        inFlight.add(new Entry(Kind.QUERY, statement, null, null, 0));
    }

    /** Statement {@code name} prepared (or decided again after a policy reload). */
    void parse(String name, String sql, StatementGate.Judgement judgement) {
        if (!on) {
            return;
        }
        prepared.put(name, new Prepared(sql, judgement));
        maskedByStatement.remove(name);
        AuditedStatement probe = new AuditedStatement(sql, judgement, "extended");
        if (probe.refused()) {
            session.statement(probe);
        }
    }

    void closeStatement(String name) {
        prepared.remove(name);
        maskedByStatement.remove(name);
    }

    void bind(String portal, String statement) {
        if (on) {
            portals.put(portal, statement);
            AuditedStatement left = suspended.remove(portal);
            if (left != null) {
                session.statement(left); // the portal is replaced: what was read of it is all there is
            }
        }
    }

    void closePortal(String portal) {
        if (on) {
            portals.remove(portal);
            AuditedStatement left = suspended.remove(portal);
            if (left != null) {
                session.statement(left);
            }
        }
    }

    void execute(String portal, int maxRows) {
        statements++;
        if (!on) {
            return;
        }
        String name = portals.get(portal);
        AuditedStatement statement = suspended.remove(portal);
        if (statement == null) {
            Prepared p = name == null ? null : prepared.get(name);
            statement = p == null
                    ? new AuditedStatement("", null, "extended")
                    : new AuditedStatement(p.sql(), p.judgement(), "extended");
            MaskedColumns masked = name == null ? null : maskedByStatement.get(name);
            if (masked != null) {
                statement.masked(masked.labels(), masked.actions(), masked.reasons());
            }
        }
        inFlight.add(new Entry(Kind.EXECUTE, statement, portal, name, maxRows));
    }

    void sync() {
        if (on) {
            inFlight.add(SYNC);
        }
    }

    // ---- what the database answered ------------------------------------------------------

    /** The statement the next answer belongs to, or null. */
    private Entry current() {
        for (Entry entry : inFlight) {
            switch (entry.kind) {
                case QUERY -> {
                    return entry;
                }
                case EXECUTE -> {
                    if (!entry.answered) {
                        return entry;
                    }
                }
                case SYNC -> {
                    return null;
                }
            }
        }
        return null;
    }

    void commandComplete(String tag) {
        Entry entry = on ? current() : null;
        if (entry != null) {
            entry.statement.completed(tag);
            entry.answered = true;
        }
    }

    void emptyQuery() {
        Entry entry = on ? current() : null;
        if (entry != null) {
            entry.answered = true;
        }
    }

    void error(String code, String message) {
        Entry entry = on ? current() : null;
        if (entry != null) {
            entry.statement.failed(code, message);
            entry.answered = true;
        }
    }

    void portalSuspended() {
        Entry entry = on ? current() : null;
        if (entry != null && entry.kind == Kind.EXECUTE) {
            entry.statement.suspended(entry.maxRows);
            entry.answered = true;
            entry.suspended = true;
        }
    }

    /** A result's columns were masked: recorded with the statement answered now, and with its prepared statement. */
    void masked(List<String> labels, List<MaskAction> actions, List<String> reasons) {
        Entry entry = on ? current() : null;
        if (entry == null) {
            return;
        }
        entry.statement.masked(labels, actions, reasons);
        if (entry.statementName != null) {
            maskedByStatement.put(entry.statementName, new MaskedColumns(List.copyOf(labels), new ArrayList<>(actions),
                    List.copyOf(reasons)));
        }
    }

    /** ReadyForQuery: the batch before it is over; its statements are recorded. */
    void ready(char newStatus) {
        if (!on) {
            status = newStatus;
            return;
        }
        if (status == 'I' && newStatus != 'I') {
            transactions++;
        }
        long transaction = status != 'I' || newStatus != 'I' ? transactions : 0;
        status = newStatus;
        Iterator<Entry> it = inFlight.iterator();
        while (it.hasNext()) {
            Entry entry = it.next();
            it.remove();
            if (entry.kind == Kind.SYNC) {
                break;
            }
            if (entry.suspended) {
                suspended.put(entry.portal, entry.statement);
                continue;
            }
            if ((entry.kind == Kind.QUERY || entry.answered) && !entry.statement.refused()) {
                entry.statement.transaction(transaction);
                session.statement(entry.statement);
            }
            if (entry.kind == Kind.QUERY) {
                break;
            }
        }
        if (newStatus == 'I' && !suspended.isEmpty()) {
            // the transaction ended: its portals are gone, and so are those left half-read
            suspended.values().forEach(statement -> session.statement(statement));
            suspended.clear();
        }
    }

    /** The session ends: what is still open is recorded as it stands. */
    void end() {
        if (!on) {
            return;
        }
        for (Entry entry : inFlight) {
            if (entry.statement != null && !entry.statement.refused() && (entry.answered || entry.kind == Kind.QUERY)) {
                session.statement(entry.statement);
            }
        }
        inFlight.clear();
        suspended.values().forEach(statement -> session.statement(statement));
        suspended.clear();
    }
}

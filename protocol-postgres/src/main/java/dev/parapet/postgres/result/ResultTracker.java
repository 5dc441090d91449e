package dev.parapet.postgres.result;


import dev.parapet.core.MaskPlanner.StatementMasking;
import dev.parapet.policy.RowLimit;
import dev.parapet.postgres.message.ErrorResponse;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows one session's requests in the order the database answers them, so that each result
 * row can be matched with the statement it belongs to and with what the policy said about that
 * statement: a row limit ({@link RowLimit}) and columns to remove from its result.
 *
 * <p>Requests: a simple query (results until its ReadyForQuery), a Describe (its
 * RowDescription or NoData), an Execute of a portal (rows until its CommandComplete,
 * PortalSuspended or error), a Sync (its ReadyForQuery). A prepared statement carries what was
 * decided when it was parsed, and passes it to the portals bound to it.
 *
 * <p>Row limits: a portal's rows count across the Executes that fetch it piece by piece, so a
 * client fetching 100 rows at a time does not get past the limit; each result of a simple query
 * string counts on its own. Past the limit, rows are dropped. With {@link RowLimit.Action#NOTICE}
 * the client then gets a notice before the result's completion; with {@link RowLimit.Action#ERROR}
 * it gets an error in place of the first row over the limit, and nothing more until the
 * ReadyForQuery that ends the request, as after any error. A shadow limit drops nothing.
 *
 * <p>Hidden columns: the shape of a result (which of its columns come from a hidden column) is
 * learnt from its RowDescription: the one a simple query's result starts with, or the one
 * answering a Describe of the portal (the session sends one itself before an Execute when it has
 * none). Rows whose shape is not known when columns must be hidden are refused, never forwarded.
 *
 * <p>Lives on the session's event loop; not thread-safe.
 */
public final class ResultTracker {

    /** What to do with a row. */
    public enum RowVerdict { FORWARD, DROP, FAIL }

    private enum Kind { QUERY, DESCRIBE, EXECUTE, SYNC }

    /** What the policy said about a statement's results: a row limit, columns to hide, masking. */
    private record Rules(RowLimit limit, List<String> hidden, StatementMasking masking) {
        static final Rules NONE = new Rules(null, List.of(), null);

        boolean any() {
            return limit != null || reshapes();
        }

        /** Whether its results must be rewritten, which needs their shape. */
        boolean reshapes() {
            return !hidden.isEmpty() || masking != null;
        }
    }

    private static final class Portal {
        final Rules rules;
        final String statement;
        long rows;
        BitSet drop;
        RowRewrite plan;
        boolean described;

        Portal(Rules rules, String statement) {
            this.rules = rules;
            this.statement = statement;
        }
    }

    private static final class Request {
        final Kind kind;
        final Rules rules;
        final Portal portal;
        final char describeKind;
        final String describeName;
        final boolean injected;
        long rows;
        long dropped;
        BitSet drop;
        RowRewrite plan;
        boolean shapeKnown;

        Request(Kind kind, Rules rules, Portal portal, char describeKind, String describeName,
                boolean injected) {
            this.kind = kind;
            this.rules = rules;
            this.portal = portal;
            this.describeKind = describeKind;
            this.describeName = describeName;
            this.injected = injected;
            this.rows = portal == null ? 0 : portal.rows;
        }

        /** A result of a simple query ended: the next one starts from nothing. */
        void nextResult() {
            if (rules.any()) {
                rows = 0;
                dropped = 0;
                drop = null;
                plan = null;
                shapeKnown = false;
            }
        }
    }

    /*
     * Requests with no rules about their rows carry no state that changes, so the most common
     * ones (a query, an Execute of a portal without rules, a Sync) are shared, not made anew for
     * every statement.
     */
    private static final Request UNRULED_QUERY = new Request(Kind.QUERY, Rules.NONE, null, ' ', null, false);
    private static final Request UNRULED_EXECUTE = new Request(Kind.EXECUTE, Rules.NONE, null, ' ', null, false);
    private static final Request SYNC = new Request(Kind.SYNC, Rules.NONE, null, ' ', null, false);

    private final ArrayDeque<Request> inFlight = new ArrayDeque<>();
    private final Map<String, Rules> statements = new HashMap<>();
    private final Map<String, Portal> portals = new HashMap<>();
    private final Map<String, BitSet> statementShapes = new HashMap<>();
    private int inspectedInFlight;
    private boolean failed;
    private RowLimit exceededShadow;

    // ---- what the client asked, in order -----------------------------------------------------

    /** A simple query string, with what its decision says about its results. */
    public void query(RowLimit limit, List<String> hidden, StatementMasking masking) {
        Rules rules = rules(limit, hidden, masking);
        add(rules == Rules.NONE ? UNRULED_QUERY : new Request(Kind.QUERY, rules, null, ' ', null, false));
    }

    /** A function call: answered with its own ReadyForQuery, and no rows. */
    public void functionCall() {
        add(UNRULED_QUERY);
    }

    /** Statement {@code name} prepared, with what its decision says about its results. */
    public void parse(String name, RowLimit limit, List<String> hidden, StatementMasking masking) {
        Rules rules = rules(limit, hidden, masking);
        statementShapes.remove(name);
        if (rules.any()) {
            statements.put(name, rules);
        } else {
            statements.remove(name);
        }
    }



    public void bind(String portal, String statement) {
        Rules rules = statements.get(statement);
        if (rules == null) {
            portals.remove(portal);
            return;
        }
        Portal bound = new Portal(rules, statement);
        bound.drop = statementShapes.get(statement);
        portals.put(portal, bound);
    }

    /** The positions of the columns hidden from prepared statement {@code name}'s rows, if known. */
    public BitSet statementShape(String name) {
        return statementShapes.get(name);
    }

    public void describe(char kind, String name) {
        Rules rules = kind == 'S' ? statements.getOrDefault(name, Rules.NONE)
                : portals.containsKey(name) ? portals.get(name).rules : Rules.NONE;
        add(new Request(Kind.DESCRIBE, rules.reshapes() ? rules : Rules.NONE, null, kind, name, false));
    }

    /**
     * Whether the session must describe the portal itself before executing it: columns are to be
     * hidden from its rows and its shape is not known yet. If so, it sends the Describe and calls
     * {@link #describedByGateway}.
     */
    public boolean needsDescribe(String portal) {
        Portal bound = portals.get(portal);
        return bound != null && bound.rules.reshapes() && (bound.drop == null || bound.rules.masking() != null && !bound.described);
    }

    /** The session sent a Describe of {@code portal} of its own: its answer is not the client's. */
    public void describedByGateway(String portal) {
        add(new Request(Kind.DESCRIBE, portals.get(portal).rules, null, 'P', portal, true));
    }

    public void execute(String portal) {
        Portal bound = portals.get(portal);
        add(bound == null ? UNRULED_EXECUTE : new Request(Kind.EXECUTE, bound.rules, bound, ' ', null, false));
    }

    public void close(char kind, String name) {
        if (kind == 'S') {
            statements.remove(name);
            statementShapes.remove(name);
        } else {
            portals.remove(name);
        }
    }

    public void sync() {
        add(SYNC);
    }

    private void add(Request request) {
        if (request.rules.any()) {
            inspectedInFlight++;
        }
        inFlight.add(request);
    }

    private static Rules rules(RowLimit limit, List<String> hidden, StatementMasking masking) {
        return limit == null && hidden.isEmpty() && masking == null ? Rules.NONE : new Rules(limit, List.copyOf(hidden), masking);
    }

    /** Whether some request waiting for its answer has rules about its rows: read the answers message by message. */
    public boolean inspecting() {
        return inspectedInFlight > 0;
    }

    // ---- what the database answered ----------------------------------------------------------

    /** Whether the rest of the answer, up to the ReadyForQuery, is dropped (after an error the gateway sent). */
    public boolean discarding() {
        return failed;
    }

    /**
     * The columns to hide from the RowDescription arriving now ({@code table.column} patterns), or
     * an empty list when it goes to the client as it is.
     */
    public List<String> hiddenForDescription() {
        Request current = describedRequest();
        return current == null ? List.of() : current.rules.hidden();
    }

    /** The masking of the result the RowDescription arriving now describes, or null when none. */
    public StatementMasking maskingForDescription() {
        Request current = describedRequest();
        return current == null ? null : current.rules.masking();
    }

    /** Whether the RowDescription arriving now must be looked into before it goes on. */
    public boolean descriptionReshapes() {
        Request current = describedRequest();
        return current != null && current.rules.reshapes();
    }

    private Request describedRequest() {
        Request current = inFlight.peek();
        if (current == null || failed || current.kind == Kind.EXECUTE || current.kind == Kind.SYNC) {
            return null;
        }
        return current;
    }

    /** Whether the description (or NoData) arriving now answers a Describe the gateway sent itself. */
    public boolean descriptionIsGateways() {
        Request current = inFlight.peek();
        return current != null && current.kind == Kind.DESCRIBE && current.injected;
    }

    /**
     * The RowDescription arriving now has been read: {@code drop} are the positions of the columns
     * removed from it (and so from the rows that follow).
     */
    public void described(BitSet drop, RowRewrite plan) {
        Request current = inFlight.peek();
        if (current == null) {
            return;
        }
        switch (current.kind) {
            case QUERY -> {
                if (current.rules.any()) {
                    current.drop = drop;
                    current.plan = plan;
                    current.shapeKnown = true;
                }
            }
            case DESCRIBE -> {
                inFlight.poll();
                finish(current);
                if (current.describeKind == 'P') {
                    Portal portal = portals.get(current.describeName);
                    if (portal != null) {
                        portal.drop = drop;
                        portal.plan = plan;
                        portal.described = true;
                        if (statements.containsKey(portal.statement)) {
                            // the client now knows the statement's columns as this description says
                            statementShapes.put(portal.statement, drop);
                        }
                    }
                } else if (statements.containsKey(current.describeName)) {
                    statementShapes.put(current.describeName, drop);
                }
            }
            default -> { }
        }
    }

    /** NoData: a Describe's answer for a statement that returns no rows. */
    public void noData() {
        Request current = inFlight.peek();
        if (current != null && current.kind == Kind.DESCRIBE) {
            inFlight.poll();
            finish(current);
            if (current.describeKind == 'P' && portals.containsKey(current.describeName)) {
                portals.get(current.describeName).drop = new BitSet();
                portals.get(current.describeName).plan = null;
                portals.get(current.describeName).described = true;
            }
        }
    }

    /** The masking plan of the current result's columns (after any are dropped), or null when nothing is masked. */
    public RowRewrite maskPlan() {
        Request current = inFlight.peek();
        if (current == null) {
            return null;
        }
        return current.kind == Kind.EXECUTE && current.portal != null ? current.portal.plan : current.plan;
    }

    /**
     * A data row of the current result. {@link RowVerdict#FAIL} means the row must not be sent:
     * send {@link #failure()} in its place; nothing more is sent until the ReadyForQuery.
     */
    public RowVerdict row() {
        Request current = inFlight.peek();
        if (failed) {
            return RowVerdict.DROP;
        }
        if (current == null || current.kind == Kind.SYNC || current.kind == Kind.DESCRIBE) {
            return RowVerdict.FORWARD;
        }
        if (current.rules.reshapes() && !shapeKnown(current)) {
            failed = true;
            failure = ErrorResponse.error("42501", "the gateway cannot tell which columns of this result to hide or"
                    + " mask, so it sends none of it", "describe the statement or run it again");
            return RowVerdict.FAIL;
        }
        RowLimit limit = current.rules.limit();
        if (limit == null) {
            return RowVerdict.FORWARD;
        }
        current.rows++;
        if (current.rows <= limit.rows()) {
            return RowVerdict.FORWARD;
        }
        if (limit.shadow()) {
            if (current.dropped++ == 0) {
                exceededShadow = limit;
            }
            return RowVerdict.FORWARD;
        }
        current.dropped++;
        if (limit.action() == RowLimit.Action.ERROR) {
            failed = true;
            failure = ErrorResponse.error("54000", "denied by rule \"" + limit.ruleId() + "\": the result has more than "
                    + limit.rows() + " rows, the most this identity may receive from one statement",
                    "narrow the query (a WHERE clause or a LIMIT), or fetch fewer rows at a time");
            return RowVerdict.FAIL;
        }
        return RowVerdict.DROP;
    }

    private ErrorResponse failure;

    private static boolean shapeKnown(Request current) {
        if (current.kind != Kind.EXECUTE) {
            return current.shapeKnown;
        }
        return current.portal != null && current.portal.drop != null
                && (current.rules.masking() == null || current.portal.described);
    }

    /** The error the client gets in place of a row refused with {@link RowVerdict#FAIL}. */
    public ErrorResponse failure() {
        return failure;
    }

    /**
     * Fails the current request with {@code error} (sent by the caller): nothing more of its answer
     * goes to the client until the ReadyForQuery.
     */
    public void fail(ErrorResponse error) {
        failed = true;
        failure = error;
    }

    /**
     * The notice to send before the completion of the current result, if rows were dropped from
     * it (null otherwise). Call when the result's CommandComplete or PortalSuspended goes by.
     */
    public ErrorResponse truncationNotice(boolean suspended) {
        Request current = inFlight.peek();
        if (failed || current == null || current.dropped == 0 || current.rules.limit() == null
                || current.rules.limit().shadow()) {
            return null;
        }
        RowLimit limit = current.rules.limit();
        String message = "rule \"" + limit.ruleId() + "\" limits results to " + limit.rows() + " rows: "
                + (suspended ? "the rest of this result is not sent" : current.dropped + " more rows were not sent");
        return ErrorResponse.notice("01000", message, "narrow the query (a WHERE clause or a LIMIT) to see the rows you need");
    }

    /** The shadow limit a result went past since the last call, if any (to be logged once). */
    public RowLimit takeExceededShadow() {
        RowLimit limit = exceededShadow;
        exceededShadow = null;
        return limit;
    }

    /** A result ended (CommandComplete or EmptyQueryResponse). */
    public void completed() {
        Request current = inFlight.peek();
        if (current == null) {
            return;
        }
        if (current.kind == Kind.EXECUTE) {
            finish(inFlight.poll());
            if (current.portal != null) {
                current.portal.rows = 0;
            }
        } else if (current.kind == Kind.QUERY) {
            current.nextResult();
        }
    }

    /** An Execute stopped at its row count; the portal keeps its rows counted. */
    public void suspended() {
        Request current = inFlight.peek();
        if (current != null && current.kind == Kind.EXECUTE) {
            finish(inFlight.poll());
            if (current.portal != null) {
                current.portal.rows = current.rows;
            }
        }
    }

    /** An error: in the extended protocol the database skips the rest of the batch up to its Sync. */
    public void error() {
        Request current = inFlight.peek();
        if (current == null) {
            return;
        }
        if (current.kind == Kind.QUERY) {
            current.nextResult();
            return;
        }
        while (!inFlight.isEmpty() && (inFlight.peek().kind == Kind.EXECUTE || inFlight.peek().kind == Kind.DESCRIBE)) {
            finish(inFlight.poll());
        }
    }

    /** ReadyForQuery: the request it answers (a query or a Sync, and anything before it) is done. */
    public void ready() {
        failed = false;
        failure = null;
        while (!inFlight.isEmpty()) {
            Request done = inFlight.poll();
            finish(done);
            if (done.kind == Kind.QUERY || done.kind == Kind.SYNC) {
                return;
            }
        }
    }

    private void finish(Request request) {
        if (request.rules.any()) {
            inspectedInFlight--;
        }
    }
}

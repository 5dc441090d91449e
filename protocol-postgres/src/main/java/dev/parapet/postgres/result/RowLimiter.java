package dev.parapet.postgres.result;

import dev.parapet.policy.RowLimit;
import dev.parapet.postgres.message.ErrorResponse;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Enforces row limits ({@link RowLimit}) on one session's results. It follows the session's
 * requests in the order the database answers them: a simple query (results until its
 * ReadyForQuery), an Execute of a portal (rows until its CommandComplete, PortalSuspended or
 * error), a Sync (its ReadyForQuery). A prepared statement's limit is the one decided when it was
 * parsed, and it passes to the portals bound to it; a portal's rows count across the Executes
 * that fetch it piece by piece, so a client fetching 100 rows at a time does not get past the
 * limit. Each result of a simple query string counts on its own.
 *
 * <p>Past the limit, rows are dropped. With {@link RowLimit.Action#NOTICE} the client then gets a
 * notice before the result's completion; with {@link RowLimit.Action#ERROR} it gets an error in
 * place of the first row over the limit, and nothing more until the ReadyForQuery that ends the
 * request, as after any error. A shadow limit drops nothing and only reports.
 *
 * <p>Lives on the session's event loop; not thread-safe.
 */
public final class RowLimiter {

    /** What to do with a row. */
    public enum RowVerdict { FORWARD, DROP, FAIL }

    private enum Kind { QUERY, EXECUTE, SYNC }

    private static final class Request {
        final Kind kind;
        final RowLimit limit;
        final String portal;
        long rows;
        long dropped;

        Request(Kind kind, RowLimit limit, String portal, long rows) {
            this.kind = kind;
            this.limit = limit;
            this.portal = portal;
            this.rows = rows;
        }
    }

    private final ArrayDeque<Request> inFlight = new ArrayDeque<>();
    private final Map<String, RowLimit> statements = new HashMap<>();
    private final Map<String, RowLimit> portals = new HashMap<>();
    private final Map<String, Long> portalRows = new HashMap<>();
    private int limitedInFlight;
    private boolean failed;
    private RowLimit exceededShadow;

    // ---- what the client asked, in order -----------------------------------------------------

    /** A simple query string, with the limit its decision carries (null: none). */
    public void query(RowLimit limit) {
        add(new Request(Kind.QUERY, limit, null, 0));
    }

    /** A function call: answered with its own ReadyForQuery, and no rows. */
    public void functionCall() {
        add(new Request(Kind.QUERY, null, null, 0));
    }

    /** Statement {@code name} prepared with the limit its decision carries (null: none). */
    public void parse(String name, RowLimit limit) {
        if (limit == null) {
            statements.remove(name);
        } else {
            statements.put(name, limit);
        }
    }

    public void bind(String portal, String statement) {
        RowLimit limit = statements.get(statement);
        if (limit == null) {
            portals.remove(portal);
        } else {
            portals.put(portal, limit);
        }
        portalRows.remove(portal);
    }

    public void execute(String portal) {
        RowLimit limit = portals.get(portal);
        add(new Request(Kind.EXECUTE, limit, portal, limit == null ? 0 : portalRows.getOrDefault(portal, 0L)));
    }

    public void close(char kind, String name) {
        if (kind == 'S') {
            statements.remove(name);
        } else {
            portals.remove(name);
            portalRows.remove(name);
        }
    }

    public void sync() {
        add(new Request(Kind.SYNC, null, null, 0));
    }

    private void add(Request request) {
        if (request.limit != null) {
            limitedInFlight++;
        }
        inFlight.add(request);
    }

    /** Whether a request with a limit is waiting for its answer: results must be read message by message. */
    public boolean limiting() {
        return limitedInFlight > 0;
    }

    // ---- what the database answered ----------------------------------------------------------

    /** Whether the rest of the answer, up to the ReadyForQuery, is dropped (after a limit error). */
    public boolean discarding() {
        return failed;
    }

    /** A data row of the current result. */
    public RowVerdict row() {
        Request current = inFlight.peek();
        if (failed) {
            return RowVerdict.DROP;
        }
        if (current == null || current.limit == null || current.kind == Kind.SYNC) {
            return RowVerdict.FORWARD;
        }
        current.rows++;
        if (current.rows <= current.limit.rows()) {
            return RowVerdict.FORWARD;
        }
        if (current.limit.shadow()) {
            if (current.dropped++ == 0) {
                exceededShadow = current.limit;
            }
            return RowVerdict.FORWARD;
        }
        current.dropped++;
        if (current.limit.action() == RowLimit.Action.ERROR) {
            failed = true;
            return RowVerdict.FAIL;
        }
        return RowVerdict.DROP;
    }

    /** The error that takes the place of the first row over an {@code ERROR} limit. */
    public ErrorResponse limitError() {
        Request current = inFlight.peek();
        RowLimit limit = current.limit;
        return ErrorResponse.error("54000", "denied by rule \"" + limit.ruleId() + "\": the result has more than "
                + limit.rows() + " rows, the most this identity may receive from one statement",
                "narrow the query (a WHERE clause or a LIMIT), or fetch fewer rows at a time");
    }

    /**
     * The notice to send before the completion of the current result, if rows were dropped from
     * it (null otherwise). Call when the result's CommandComplete or PortalSuspended goes by.
     */
    public ErrorResponse truncationNotice(boolean suspended) {
        Request current = inFlight.peek();
        if (failed || current == null || current.dropped == 0 || current.limit == null || current.limit.shadow()) {
            return null;
        }
        RowLimit limit = current.limit;
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
            portalRows.remove(current.portal);
        } else if (current.kind == Kind.QUERY) {
            current.rows = 0;
            current.dropped = 0;
        }
    }

    /** An Execute stopped at its row count; the portal keeps its rows counted. */
    public void suspended() {
        Request current = inFlight.peek();
        if (current != null && current.kind == Kind.EXECUTE) {
            finish(inFlight.poll());
            if (current.limit != null) {
                portalRows.put(current.portal, current.rows);
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
            current.rows = 0;
            current.dropped = 0;
            return;
        }
        while (!inFlight.isEmpty() && inFlight.peek().kind == Kind.EXECUTE) {
            finish(inFlight.poll());
        }
    }

    /** ReadyForQuery: the request it answers (a query or a Sync, and anything before it) is done. */
    public void ready() {
        failed = false;
        while (!inFlight.isEmpty()) {
            Request done = inFlight.poll();
            finish(done);
            if (done.kind != Kind.EXECUTE) {
                return;
            }
        }
    }

    private void finish(Request request) {
        if (request.limit != null) {
            limitedInFlight--;
        }
    }
}

package dev.parapet.postgres.frontend;

import java.util.ArrayDeque;

/**
 * What the database still owes for the Parse and Close messages sent to it, in order, and where
 * each batch ends (at a Sync, Query or FunctionCall, which ReadyForQuery answers), so that the
 * answers to Parse and Close messages the gateway sent on its own are held back from the client.
 * After an error the database skips to the end of the batch and answers nothing more before
 * ReadyForQuery, which therefore drops whatever its batch still owed. Confined to the session's
 * event loop.
 */
final class OwedCompletions {

    private static final Byte CLIENT = 0;
    private static final Byte GATEWAY = 1;
    private static final Byte END = 2;

    private final ArrayDeque<Byte> owed = new ArrayDeque<>();

    /** The client sent a Parse or a Close. */
    void client() {
        owed.add(CLIENT);
    }

    /** The gateway sent a Parse or a Close of its own. */
    void gateway() {
        owed.add(GATEWAY);
    }

    /** A batch ended: Sync, Query or FunctionCall. */
    void end() {
        owed.add(END);
    }

    /** Whether the ParseComplete or CloseComplete just received answers the gateway, not the client. */
    boolean answersGateway() {
        Byte next = owed.peek();
        if (next == null || next.equals(END)) {
            return false; // not expected here: it can only be the client's
        }
        owed.poll();
        return next.equals(GATEWAY);
    }

    /** ReadyForQuery: the batch it ends owes nothing more. */
    void ready() {
        Byte next;
        while ((next = owed.poll()) != null && !next.equals(END)) {
            // answered, or skipped after an error
        }
    }
}

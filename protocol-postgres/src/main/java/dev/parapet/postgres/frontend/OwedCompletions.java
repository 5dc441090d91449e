package dev.parapet.postgres.frontend;

import java.util.ArrayDeque;

/**
 * What the database still owes for the Parse and Close messages sent to it, in order, and where
 * each batch ends (at a Sync, Query or FunctionCall, which ReadyForQuery answers). It tells the
 * answers to Parse and Close messages the gateway sent on its own, which the client must not see,
 * from the client's, and runs what must wait until the database has taken a message (a statement
 * is only known under its name once its Parse succeeded). After an error the database skips to
 * the end of the batch and answers nothing more before ReadyForQuery, which therefore drops
 * whatever its batch still owed, unanswered. Confined to the session's event loop.
 */
final class OwedCompletions {

    /** One answer owed, to the gateway or to the client, and what to do when it comes. */
    private record Owed(boolean gateway, Runnable whenAnswered) {
    }

    private static final Owed END = new Owed(false, null);
    private static final Owed CLIENT = new Owed(false, null);

    private final ArrayDeque<Owed> owed = new ArrayDeque<>();

    /** The client sent a Parse or a Close; {@code whenAnswered} (may be null) runs once it succeeds. */
    void client(Runnable whenAnswered) {
        owed.add(whenAnswered == null ? CLIENT : new Owed(false, whenAnswered));
    }

    /** The gateway sent a Parse or a Close of its own; {@code whenAnswered} (may be null) runs once it succeeds. */
    void gateway(Runnable whenAnswered) {
        owed.add(new Owed(true, whenAnswered));
    }

    /** A batch ended: Sync, Query or FunctionCall. */
    void end() {
        owed.add(END);
    }

    /** Whether the ParseComplete or CloseComplete just received answers the gateway, not the client. */
    boolean answersGateway() {
        Owed next = owed.peek();
        if (next == null || next == END) {
            return false; // not expected here: it can only be the client's
        }
        owed.poll();
        if (next.whenAnswered() != null) {
            next.whenAnswered().run();
        }
        return next.gateway();
    }

    /** ReadyForQuery: the batch it ends owes nothing more. */
    void ready() {
        Owed next;
        while ((next = owed.poll()) != null && next != END) {
            // answered, or skipped after an error
        }
    }
}

package dev.parapet.postgres.frontend;

import java.util.ArrayDeque;

/**
 * What the database still owes for the Parse and Close messages sent to it, in order, and where
 * each batch ends (at a Sync, Query or FunctionCall, which ReadyForQuery answers). It tells the
 * answers to Parse and Close messages the gateway sent on its own, which the client must not see,
 * from the client's, and runs what depends on whether the database took a message or skipped it.
 * After an error the database skips to the end of the batch and answers nothing more before
 * ReadyForQuery, so ReadyForQuery settles whatever its batch still owed as skipped. Confined to
 * the session's event loop.
 */
final class OwedCompletions {

    /** One answer owed, to the gateway or to the client, and what to do when it comes or never does. */
    private record Owed(boolean gateway, Runnable whenAnswered, Runnable whenSkipped) {
    }

    private static final Owed END = new Owed(false, null, null);
    private static final Owed CLIENT = new Owed(false, null, null);

    private final ArrayDeque<Owed> owed = new ArrayDeque<>();

    /** The client sent a Parse or a Close; either action may be null. */
    void client(Runnable whenAnswered, Runnable whenSkipped) {
        owed.add(whenAnswered == null && whenSkipped == null ? CLIENT : new Owed(false, whenAnswered, whenSkipped));
    }

    /** The gateway sent a Parse or a Close of its own; either action may be null. */
    void gateway(Runnable whenAnswered, Runnable whenSkipped) {
        owed.add(new Owed(true, whenAnswered, whenSkipped));
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
        run(next.whenAnswered());
        return next.gateway();
    }

    /** ReadyForQuery: what its batch still owed was skipped. */
    void ready() {
        Owed next;
        while ((next = owed.poll()) != null && next != END) {
            run(next.whenSkipped());
        }
    }

    private static void run(Runnable action) {
        if (action != null) {
            action.run();
        }
    }
}

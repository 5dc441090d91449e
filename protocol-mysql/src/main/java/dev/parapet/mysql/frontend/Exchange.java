package dev.parapet.mysql.frontend;

import dev.parapet.core.AuditedStatement;
import dev.parapet.core.MaskPlanner;
import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.policy.RowLimit;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One command of the client's and the answer it is owed, in the order the client sent them (a
 * client may send several before reading): answered by the database, whose packets are followed
 * here to know where the answer ends and which of them are rows, or by the gateway itself
 * ({@link #local}), which waits its turn behind the answers before it.
 */
final class Exchange {

    /** How the database's answer is laid out. */
    enum Shape {
        /** One packet: OK, ERR, EOF or a string (COM_STATISTICS). */
        ONE,
        /** Results of a query or an execute: OK, ERR, or result sets, as many as the status says. */
        RESULTS,
        /** The rows of a cursor (COM_STMT_FETCH), ending with EOF or OK, or an ERR. */
        FETCH,
        /** PREPARE_OK with parameter and column definitions, or an ERR. */
        PREPARE,
        /** Column definitions ending with EOF (COM_FIELD_LIST), or an ERR. */
        FIELDS
    }

    enum Phase { HEAD, COLUMNS, COLUMNS_END, ROWS, PARAMS, PREPARED_COLUMNS, INFILE, DONE }

    final int command;
    final Shape shape;
    /** The sequence id of the next packet to the client. */
    int seq;
    /** The gateway's own answer, or null when the database answers. */
    List<ByteBuf> local;
    /** The statement as the audit trail records it, or null. */
    AuditedStatement audited;
    /** The prepared statement the command runs (execute, fetch, prepare), or null. */
    PreparedStatements.Statement statement;
    MaskPlanner.StatementMasking masking;
    RowLimit rowLimit;
    boolean binary;
    /** LOAD DATA LOCAL was allowed for this statement: the database may ask the client for its file. */
    boolean localInfileAllowed;
    /** The database asked for a file the client may not send: the client gets this error at the end. */
    ByteBuf refusedInfile;

    Phase phase = Phase.HEAD;
    int remaining;
    int paramsLeft;
    final List<ColumnDefinition> columns = new ArrayList<>();
    RowMasking rows;
    long rowsInResult;
    long rowsSent;
    /** Past the row limit of an ERROR rule: the rest of the answer is swallowed, then this error ends it. */
    ByteBuf stopped;
    boolean truncated;
    boolean maskedRecorded;
    /**
     * The tables the statement reads, by name in lower case: a column definition's origin is
     * trusted only when it names one of them (MariaDB names a derived table's alias there).
     */
    java.util.Set<String> baseTables = java.util.Set.of();
    /** Columns a rule hides from this statement's results ({@code table.column}); empty when none. */
    List<String> hidden = List.of();
    /** While columns are hidden: the column-count packet and definitions, held until all have come. */
    List<ByteBuf> heldColumns = List.of();
    /** How the current result is narrowed, or null. */
    ColumnNarrowing narrowing;
    /** The next packet is the first after a result's column definitions. */
    boolean afterColumns;
    /** The statement id of a PREPARE_OK, -1 before. */
    long preparedId = -1;

    Exchange(int command, Shape shape, int seq) {
        this.command = command;
        this.shape = shape;
        this.seq = seq;
        if (shape == Shape.FETCH) {
            phase = Phase.ROWS;
            binary = true;
        }
    }

    static Exchange local(int command, int seq, ByteBuf... packets) {
        Exchange exchange = new Exchange(command, Shape.ONE, seq);
        exchange.local = new ArrayList<>(List.of(packets));
        return exchange;
    }

    void release() {
        if (local != null) {
            local.forEach(ByteBuf::release);
            local.clear();
        }
        if (stopped != null) {
            stopped.release();
            stopped = null;
        }
        if (refusedInfile != null) {
            refusedInfile.release();
            refusedInfile = null;
        }
        heldColumns.forEach(ByteBuf::release);
        heldColumns = List.of();
    }
}

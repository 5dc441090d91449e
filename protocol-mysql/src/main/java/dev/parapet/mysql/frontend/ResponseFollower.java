package dev.parapet.mysql.frontend;

import dev.parapet.mysql.wire.ColumnDefinition;
import dev.parapet.mysql.wire.Commands;
import dev.parapet.mysql.wire.Packets;
import dev.parapet.policy.RowLimit;
import io.netty.buffer.ByteBuf;

/**
 * Follows the database's answer to one command packet by packet: where it ends (several result
 * sets when the status says more follow; a cursor opened by an execute; the definitions after a
 * PREPARE_OK), which packets are rows (masked, counted, cut at a row limit) and what the audit
 * trail records (rows returned, rows affected, the error). Every packet goes on to the client in
 * the exchange's sequence, unless a row limit swallows the rest of the answer.
 */
final class ResponseFollower {

    private ResponseFollower() {
    }

    /** Takes one packet of {@code exchange}'s answer; true when it was the last. */
    static boolean follow(ClientSession session, Exchange exchange, ByteBuf packet) {
        return switch (exchange.shape) {
            case ONE -> one(session, exchange, packet);
            case FIELDS -> {
                boolean end = Packets.first(packet) == Packets.ERR || Packets.isTerminator(packet);
                if (Packets.first(packet) == Packets.ERR && exchange.audited != null) {
                    Packets.Error error = Packets.Error.of(packet);
                    exchange.audited.failed(error.sqlState(), error.message());
                }
                session.toClient(exchange, packet);
                yield end;
            }
            case PREPARE -> prepare(session, exchange, packet);
            case RESULTS, FETCH -> results(session, exchange, packet);
        };
    }

    private static boolean one(ClientSession session, Exchange exchange, ByteBuf packet) {
        int first = Packets.first(packet);
        if (first == Packets.ERR) {
            failed(exchange, packet);
        } else if (first == Packets.OK && exchange.command != Commands.STATISTICS) {
            session.status(Packets.status(packet, true));
            if (exchange.audited != null) {
                exchange.audited.affected("OK", Packets.affectedRows(packet));
            }
        }
        session.toClient(exchange, packet);
        return true;
    }

    private static boolean prepare(ClientSession session, Exchange exchange, ByteBuf packet) {
        if (exchange.phase == Exchange.Phase.HEAD) {
            int first = Packets.first(packet);
            if (first != Packets.OK) {
                session.toClient(exchange, packet);
                return true;
            }
            int at = packet.readerIndex() + 5;
            exchange.preparedId = packet.getUnsignedIntLE(at);
            int columns = packet.getUnsignedShortLE(at + 4);
            int params = packet.getUnsignedShortLE(at + 6);
            exchange.statement.params = params;
            boolean eof = !session.deprecateEof();
            exchange.remaining = params + (params > 0 && eof ? 1 : 0) + columns + (columns > 0 && eof ? 1 : 0);
            exchange.phase = Exchange.Phase.PARAMS;
            session.toClient(exchange, packet);
            return exchange.remaining == 0;
        }
        session.toClient(exchange, packet);
        return --exchange.remaining == 0;
    }

    private static boolean results(ClientSession session, Exchange exchange, ByteBuf packet) {
        switch (exchange.phase) {
            case HEAD -> {
                return head(session, exchange, packet);
            }
            case COLUMNS -> {
                if (exchange.masking != null || !exchange.hidden.isEmpty()) {
                    exchange.columns.add(ColumnDefinition.of(packet)); // read only when the rows are to be masked or narrowed
                }
                if (!exchange.hidden.isEmpty()) {
                    exchange.heldColumns.add(packet);
                } else {
                    pass(session, exchange, packet);
                }
                if (--exchange.remaining == 0) {
                    if (!exchange.hidden.isEmpty()) {
                        narrow(session, exchange);
                    }
                    exchange.rows = session.rowsOf(exchange);
                    if (exchange.command == Commands.STMT_EXECUTE && exchange.statement != null) {
                        exchange.statement.cursorRows = exchange.rows;
                        exchange.statement.cursorRowsSent = 0;
                    }
                    exchange.phase = session.deprecateEof() ? Exchange.Phase.ROWS : Exchange.Phase.COLUMNS_END;
                    exchange.afterColumns = true;
                }
                return false;
            }
            case COLUMNS_END -> {
                int status = Packets.status(packet, false);
                session.status(status);
                pass(session, exchange, packet);
                exchange.phase = Exchange.Phase.ROWS;
                if ((status & Commands.STATUS_CURSOR_EXISTS) != 0 && exchange.command == Commands.STMT_EXECUTE) {
                    return end(session, exchange); // a cursor: its rows come with COM_STMT_FETCH
                }
                return false;
            }
            case ROWS -> {
                return rows(session, exchange, packet);
            }
            default -> throw new IllegalStateException("phase " + exchange.phase);
        }
    }

    private static boolean head(ClientSession session, Exchange exchange, ByteBuf packet) {
        int first = Packets.first(packet);
        switch (first) {
            case Packets.OK -> {
                int status = Packets.status(packet, true);
                session.status(status);
                if (exchange.audited != null) {
                    exchange.audited.affected("OK", Packets.affectedRows(packet));
                }
                if (exchange.refusedInfile != null) {
                    packet.release();
                    ByteBuf refusal = exchange.refusedInfile;
                    exchange.refusedInfile = null;
                    if (exchange.audited != null) {
                        exchange.audited.failed("42000", "LOAD DATA LOCAL refused");
                    }
                    session.toClient(exchange, refusal);
                    return true;
                }
                pass(session, exchange, packet);
                return (status & Commands.STATUS_MORE_RESULTS) == 0 && end(session, exchange);
            }
            case Packets.ERR -> {
                failed(exchange, packet);
                if (exchange.refusedInfile != null) {
                    packet.release();
                    ByteBuf refusal = exchange.refusedInfile;
                    exchange.refusedInfile = null;
                    session.toClient(exchange, refusal);
                    return true;
                }
                pass(session, exchange, packet);
                return end(session, exchange);
            }
            case Packets.LOCAL_INFILE -> {
                if (exchange.command != Commands.QUERY || exchange.stopped != null) {
                    throw new IllegalArgumentException("a file request in answer to " + Commands.name(exchange.command));
                }
                session.localInfile(exchange, packet);
                return false;
            }
            default -> {
                long count = Packets.lenencAt(packet, packet.readerIndex() + 4);
                if (count <= 0 || count > 4096) {
                    throw new IllegalArgumentException("a result with " + count + " columns");
                }
                exchange.remaining = (int) count;
                exchange.columns.clear();
                exchange.rowsInResult = 0;
                exchange.narrowing = null;
                exchange.phase = Exchange.Phase.COLUMNS;
                if (!exchange.hidden.isEmpty()) {
                    exchange.heldColumns.add(packet); // sent once the hidden columns are known
                } else {
                    pass(session, exchange, packet);
                }
                return false;
            }
        }
    }

    private static boolean rows(ClientSession session, Exchange exchange, ByteBuf packet) {
        int first = Packets.first(packet);
        boolean afterColumns = exchange.afterColumns;
        exchange.afterColumns = false;
        if (Packets.isTerminator(packet)) {
            int status = Packets.status(packet, session.deprecateEof());
            session.status(status);
            if (exchange.audited != null) {
                exchange.audited.completed((exchange.shape == Exchange.Shape.FETCH ? "FETCH " : "SELECT ") + exchange.rowsSent);
            }
            if (exchange.shape == Exchange.Shape.FETCH && exchange.statement != null) {
                exchange.statement.cursorRowsSent = exchange.rowsInResult;
            }
            exchange.rowsSent = 0;
            pass(session, exchange, packet);
            if (afterColumns && (status & Commands.STATUS_CURSOR_EXISTS) != 0 && exchange.command == Commands.STMT_EXECUTE) {
                return end(session, exchange);
            }
            if ((status & Commands.STATUS_MORE_RESULTS) != 0 && exchange.shape == Exchange.Shape.RESULTS) {
                exchange.phase = Exchange.Phase.HEAD;
                return false;
            }
            return end(session, exchange);
        }
        if (first == Packets.ERR) {
            failed(exchange, packet);
            pass(session, exchange, packet);
            return end(session, exchange);
        }
        if (exchange.shape == Exchange.Shape.FETCH && exchange.rowsInResult == 0 && exchange.statement != null) {
            exchange.rowsInResult = exchange.statement.cursorRowsSent;
        }
        exchange.rowsInResult++;
        if (exchange.stopped != null || exchange.truncated) {
            packet.release();
            return false;
        }
        RowLimit limit = exchange.rowLimit;
        if (limit != null && exchange.rowsInResult > limit.rows()) {
            if (limit.shadow()) {
                if (exchange.rowsInResult == limit.rows() + 1) {
                    session.rowLimitReached(exchange, limit);
                }
            } else {
                session.rowLimitReached(exchange, limit);
                packet.release();
                if (limit.action() == RowLimit.Action.ERROR) {
                    exchange.stopped = session.rowLimitError(limit);
                } else {
                    exchange.truncated = true;
                }
                return false;
            }
        }
        ByteBuf row = exchange.narrowing == null ? packet : exchange.narrowing.apply(packet, session.alloc());
        row = exchange.rows == null ? row : exchange.rows.apply(row, session.masker(), session.alloc());
        exchange.rowsSent++;
        session.toClient(exchange, row);
        return false;
    }

    /**
     * All column definitions of a result with hidden columns are in: the count and the definitions
     * of the columns kept go on, the rows will lose the others' cells; a result whose columns'
     * origins are not all known is stopped with an error instead.
     */
    private static void narrow(ClientSession session, Exchange exchange) {
        ColumnNarrowing narrowing = ColumnNarrowing.of(exchange.columns, exchange.hidden, exchange.baseTables);
        ByteBuf countPacket = exchange.heldColumns.get(0);
        if (narrowing == null || narrowing.dropsAll()) {
            exchange.heldColumns.forEach(ByteBuf::release);
            exchange.heldColumns.clear();
            if (exchange.stopped == null) {
                exchange.stopped = session.narrowingRefusal(exchange, narrowing != null);
            }
            return;
        }
        if (!narrowing.dropsAny()) {
            exchange.heldColumns.forEach(p -> pass(session, exchange, p));
            exchange.heldColumns.clear();
            return;
        }
        countPacket.release();
        pass(session, exchange, narrowing.countPacket(session.alloc()));
        java.util.List<ColumnDefinition> kept = new java.util.ArrayList<>(narrowing.kept());
        for (int i = 0; i < exchange.columns.size(); i++) {
            ByteBuf definition = exchange.heldColumns.get(i + 1);
            if (narrowing.drops(i)) {
                definition.release();
            } else {
                kept.add(exchange.columns.get(i));
                pass(session, exchange, definition);
            }
        }
        exchange.heldColumns.clear();
        exchange.columns.clear();
        exchange.columns.addAll(kept);
        exchange.narrowing = narrowing;
    }

    /** Passes a packet on, unless a row limit stopped the answer. */
    private static void pass(ClientSession session, Exchange exchange, ByteBuf packet) {
        if (exchange.stopped != null) {
            packet.release();
        } else {
            session.toClient(exchange, packet);
        }
    }

    /** The answer's last packet went by: a stopped answer ends with the row limit's error instead. */
    private static boolean end(ClientSession session, Exchange exchange) {
        if (exchange.stopped != null) {
            ByteBuf stopped = exchange.stopped;
            exchange.stopped = null;
            if (exchange.audited != null) {
                Packets.Error error = Packets.Error.of(stopped);
                exchange.audited.failed(error.sqlState(), error.message());
            }
            session.toClient(exchange, stopped);
        }
        return true;
    }

    private static void failed(Exchange exchange, ByteBuf packet) {
        if (exchange.audited != null) {
            Packets.Error error = Packets.Error.of(packet);
            exchange.audited.failed(error.sqlState(), error.message());
        }
    }
}

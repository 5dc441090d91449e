package dev.parapet.mysql.wire;

/** Command bytes of the MySQL protocol's command phase, and the server status flags the gateway reads. */
public final class Commands {

    public static final int QUIT = 0x01;
    public static final int INIT_DB = 0x02;
    public static final int QUERY = 0x03;
    public static final int FIELD_LIST = 0x04;
    public static final int STATISTICS = 0x09;
    public static final int PING = 0x0e;
    public static final int CHANGE_USER = 0x11;
    public static final int STMT_PREPARE = 0x16;
    public static final int STMT_EXECUTE = 0x17;
    public static final int STMT_SEND_LONG_DATA = 0x18;
    public static final int STMT_CLOSE = 0x19;
    public static final int STMT_RESET = 0x1a;
    public static final int SET_OPTION = 0x1b;
    public static final int STMT_FETCH = 0x1c;
    public static final int RESET_CONNECTION = 0x1f;

    public static final int STATUS_IN_TRANS = 0x0001;
    public static final int STATUS_AUTOCOMMIT = 0x0002;
    public static final int STATUS_MORE_RESULTS = 0x0008;
    public static final int STATUS_CURSOR_EXISTS = 0x0040;
    public static final int STATUS_LAST_ROW_SENT = 0x0080;

    private Commands() {
    }

    /** A command's name for logs and errors; -1 (what {@link Packets#first} says of an empty packet) is named as such. */
    public static String name(int command) {
        return switch (command) {
            case -1 -> "an empty packet";
            case 0x00 -> "COM_SLEEP";
            case QUIT -> "COM_QUIT";
            case INIT_DB -> "COM_INIT_DB";
            case QUERY -> "COM_QUERY";
            case FIELD_LIST -> "COM_FIELD_LIST";
            case 0x05 -> "COM_CREATE_DB";
            case 0x06 -> "COM_DROP_DB";
            case 0x07 -> "COM_REFRESH";
            case 0x08 -> "COM_SHUTDOWN";
            case STATISTICS -> "COM_STATISTICS";
            case 0x0a -> "COM_PROCESS_INFO";
            case 0x0b -> "COM_CONNECT";
            case 0x0c -> "COM_PROCESS_KILL";
            case 0x0d -> "COM_DEBUG";
            case PING -> "COM_PING";
            case 0x0f -> "COM_TIME";
            case 0x10 -> "COM_DELAYED_INSERT";
            case CHANGE_USER -> "COM_CHANGE_USER";
            case 0x12 -> "COM_BINLOG_DUMP";
            case 0x13 -> "COM_TABLE_DUMP";
            case 0x14 -> "COM_CONNECT_OUT";
            case 0x15 -> "COM_REGISTER_SLAVE";
            case STMT_PREPARE -> "COM_STMT_PREPARE";
            case STMT_EXECUTE -> "COM_STMT_EXECUTE";
            case STMT_SEND_LONG_DATA -> "COM_STMT_SEND_LONG_DATA";
            case STMT_CLOSE -> "COM_STMT_CLOSE";
            case STMT_RESET -> "COM_STMT_RESET";
            case SET_OPTION -> "COM_SET_OPTION";
            case STMT_FETCH -> "COM_STMT_FETCH";
            case 0x1d -> "COM_DAEMON";
            case 0x1e -> "COM_BINLOG_DUMP_GTID";
            case RESET_CONNECTION -> "COM_RESET_CONNECTION";
            case 0xfa -> "COM_STMT_BULK_EXECUTE";
            default -> String.format("command 0x%02x", command);
        };
    }
}

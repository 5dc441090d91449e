package dev.parapet.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what a statement is from its leading keywords and reads the utility statements JSqlParser
 * does not (COPY, DO, PREPARE/EXECUTE/DEALLOCATE, EXPLAIN, CALL, VACUUM/ANALYZE, LISTEN/NOTIFY,
 * LOCK, LOAD, GRANT/REVOKE, SET ROLE, ALTER SYSTEM, CREATE FUNCTION, the DDL family, ...),
 * recursing into the statement a utility statement carries (EXPLAIN's, PREPARE's body, COPY's
 * query, CREATE VIEW / TABLE AS, CREATE RULE's actions, DECLARE CURSOR's query). Queries and DML go
 * to JSqlParser through {@link ParsedStatementAnalyzer}. A statement it does not recognise is
 * unreadable: guessing could classify a statement that writes as one that does not.
 */
final class StatementClassifier {

    /** Object types of more than one word, longest first where they share a prefix. */
    private static final String[][] MULTI_WORD_TYPES = {
        {"materialized", "view"}, {"foreign", "data", "wrapper"}, {"foreign", "table"}, {"event", "trigger"},
        {"access", "method"}, {"text", "search", "configuration"}, {"text", "search", "dictionary"},
        {"text", "search", "parser"}, {"text", "search", "template"}, {"operator", "class"},
        {"operator", "family"}, {"user", "mapping"}, {"default", "privileges"}, {"large", "object"},
        {"logfile", "group"}, {"spatial", "reference", "system"}, {"resource", "group"}, {"constraint", "trigger"},
        {"aggregate", "function"}, {"foreign", "schema"}, {"foreign", "server"}
    };

    /** Object types whose names are relations: their statements list the names as tables. */
    private static final List<String> RELATION_TYPES = List.of(
            "table", "view", "materialized view", "foreign table", "sequence");

    /** What GRANT and REVOKE can name after ON (PostgreSQL and MySQL); anything else is a table name. */
    private static final List<String> GRANT_OBJECT_TYPES = List.of(
            "table", "sequence", "database", "domain", "foreign data wrapper", "foreign server", "function",
            "procedure", "routine", "language", "large object", "parameter", "schema", "tablespace", "type", "proxy");

    private final Dialect dialect;
    private final ParsedStatementAnalyzer parsed;

    StatementClassifier(Dialect dialect, ParsedStatementAnalyzer parsed) {
        this.dialect = dialect;
        this.parsed = parsed;
    }

    StatementInfo classify(Shape s) {
        if (s.size() == 0) {
            throw new UnreadableStatementException("an empty statement where a statement was expected");
        }
        String first = s.word(0);
        if (first == null) {
            if (s.is(0, TokenKind.LPAREN)) {
                return parsed.analyze(s, 0, s.size());
            }
            throw new UnreadableStatementException("a statement cannot start with " + describe(s, 0));
        }
        boolean pg = dialect == Dialect.POSTGRES;
        return switch (first) {
            case "select", "with", "values", "table", "insert", "update", "delete", "merge" -> parsed.analyze(s, 0, s.size());
            case "replace" -> pg ? unknown(first) : parsed.analyze(s, 0, s.size());
            case "explain" -> explain(s);
            case "describe", "desc" -> pg ? unknown(first) : explain(s);
            case "copy" -> pg ? copy(s) : unknown(first);
            case "do" -> doStatement(s);
            case "prepare" -> prepare(s);
            case "execute" -> execute(s);
            case "deallocate" -> simple(StatementKind.DEALLOCATE);
            case "call" -> call(s);
            case "vacuum" -> pg ? maintenance(s, StatementKind.VACUUM, true) : unknown(first);
            case "analyze", "analyse" -> pg ? maintenance(s, StatementKind.ANALYZE, false) : mysqlTableMaintenance(s, StatementKind.ANALYZE, false);
            case "cluster" -> pg ? maintenance(s, StatementKind.CLUSTER, true) : unknown(first);
            case "reindex" -> pg ? reindex(s) : unknown(first);
            case "checkpoint" -> pg ? simple(StatementKind.ALTER_SYSTEM) : unknown(first);
            case "listen", "unlisten" -> pg ? simple(StatementKind.LISTEN) : unknown(first);
            case "notify" -> pg ? simple(StatementKind.NOTIFY) : unknown(first);
            case "lock" -> lock(s);
            case "unlock" -> pg ? unknown(first) : simple(StatementKind.LOCK);
            case "load" -> load(s);
            case "set" -> pg ? pgSet(s) : mysqlSet(s);
            case "reset" -> reset(s);
            case "discard" -> pg ? simple(StatementKind.SET) : unknown(first);
            case "show" -> show(s);
            case "use" -> pg ? unknown(first) : simple(StatementKind.USE);
            case "begin" -> begin(s);
            case "start" -> start(s);
            case "commit", "rollback", "savepoint", "release" -> simple(StatementKind.TRANSACTION);
            case "end", "abort" -> pg ? simple(StatementKind.TRANSACTION) : unknown(first);
            case "xa" -> pg ? unknown(first) : simple(StatementKind.TRANSACTION);
            case "grant" -> grant(s, StatementKind.GRANT, 1);
            case "revoke" -> grant(s, StatementKind.REVOKE, 1);
            case "comment" -> pg ? comment(s, 1) : unknown(first);
            case "security" -> pg && s.isWord(1, "label") ? comment(s, 2) : unknown(first);
            case "refresh" -> pg ? refresh(s) : unknown(first);
            case "declare" -> pg ? declare(s) : unknown(first);
            case "fetch", "move", "close" -> pg ? simple(StatementKind.CURSOR) : unknown(first);
            case "handler" -> pg ? unknown(first) : handler(s);
            case "truncate" -> truncate(s);
            case "create" -> create(s);
            case "alter" -> alter(s);
            case "drop" -> drop(s);
            case "rename" -> pg ? unknown(first) : rename(s);
            case "import" -> pg ? withObject(StatementKind.CREATE, "foreign schema") : unknown(first);
            case "reassign" -> pg ? withObject(StatementKind.ALTER, "owned") : unknown(first);
            case "optimize", "repair" -> pg ? unknown(first) : mysqlTableMaintenance(s, StatementKind.VACUUM, true);
            case "check", "checksum" -> pg ? unknown(first) : mysqlTableMaintenance(s, StatementKind.ANALYZE, false);
            case "flush", "kill", "shutdown", "restart", "purge", "change", "stop", "binlog" ->
                    pg ? unknown(first) : simple(StatementKind.ALTER_SYSTEM);
            case "install", "uninstall" -> pg ? unknown(first) : install(s);
            case "help" -> pg ? unknown(first) : simple(StatementKind.SHOW);
            case "cache", "signal", "resignal", "get" -> pg ? unknown(first) : simple(StatementKind.OTHER);
            default -> unknown(first);
        };
    }

    private static StatementInfo unknown(String word) {
        throw new UnreadableStatementException(
                "statements starting with " + word.toUpperCase(Locale.ROOT) + " are not recognised");
    }

    private static StatementInfo simple(StatementKind kind) {
        return new InfoBuilder(kind).build();
    }

    private static StatementInfo withObject(StatementKind kind, String objectType) {
        InfoBuilder info = new InfoBuilder(kind);
        info.objectType = objectType;
        return info.build();
    }

    private static String describe(Shape s, int p) {
        return switch (s.kind(p)) {
            case STRING -> "a string literal";
            case NUMBER -> "a number";
            case PARAM -> "a parameter marker";
            case QUOTED_IDENT -> "a quoted identifier";
            default -> "'" + s.text(p) + "'";
        };
    }

    // ---------------------------------------------------------------- carried statements

    /** The analysis of positions {@code [from, to)} as a statement of its own. */
    private StatementInfo carried(Shape s, int from, int to) {
        if (from >= to) {
            throw new UnreadableStatementException("a statement was expected after " + describe(s, from - 1));
        }
        return classify(s.slice(from, to));
    }

    private boolean startsQuery(Shape s, int p) {
        return s.isAnyWord(p, "select", "with", "values", "table") || s.is(p, TokenKind.LPAREN);
    }

    // ---------------------------------------------------------------- EXPLAIN, DESCRIBE

    private StatementInfo explain(Shape s) {
        int p = 1;
        boolean analyze = false;
        if (dialect == Dialect.MYSQL) {
            while (true) {
                if (s.isAnyWord(p, "extended", "partitions")) {
                    p++;
                } else if (s.isWord(p, "format") && s.isOperator(p + 1, "=")) {
                    p += 3;
                } else if (s.isWord(p, "analyze")) {
                    analyze = true;
                    p++;
                } else {
                    break;
                }
            }
            if (s.isWord(p, "for") && s.isWord(p + 1, "connection")) {
                return simple(StatementKind.EXPLAIN);
            }
            if (!startsQuery(s, p) && !s.isAnyWord(p, "insert", "update", "delete", "replace")) {
                // DESCRIBE table [column]: the table's definition
                InfoBuilder info = new InfoBuilder(StatementKind.SHOW);
                Name name = name(s, p);
                if (name == null) {
                    throw new UnreadableStatementException("DESCRIBE must name a table or a statement");
                }
                info.read(name.table());
                return info.build();
            }
        } else if (s.is(p, TokenKind.LPAREN)) {
            int close = requireClosing(s, p);
            for (int q = p + 1; q < close; q++) {
                if (s.isAnyWord(q, "analyze", "analyse") && (s.is(q - 1, TokenKind.LPAREN) || s.is(q - 1, TokenKind.COMMA))) {
                    // ANALYZE [boolean]: only the words false and off turn it off; a literal 0 counts as on,
                    // since literal values must not change an analysis that is cached per fingerprint
                    analyze |= !s.isAnyWord(q + 1, "false", "off");
                }
            }
            p = close + 1;
        } else {
            while (s.isAnyWord(p, "analyze", "analyse", "verbose")) {
                analyze |= !s.isWord(p, "verbose");
                p++;
            }
        }
        InfoBuilder info = new InfoBuilder(StatementKind.EXPLAIN);
        info.inner(carried(s, p, s.size()));
        info.innerExecutes = analyze;
        return info.build();
    }

    // ---------------------------------------------------------------- COPY

    private StatementInfo copy(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.COPY);
        int p = 1;
        TableName table = null;
        StatementInfo query = null;
        List<String> columns = new ArrayList<>();
        if (s.is(p, TokenKind.LPAREN)) {
            int close = requireClosing(s, p);
            query = carried(s, p + 1, close);
            info.inner(query);
            p = close + 1;
        } else {
            if (s.isWord(p, "binary") && (s.is(p + 1, TokenKind.WORD) || s.is(p + 1, TokenKind.QUOTED_IDENT))) {
                p++; // the pre-7.3 form COPY BINARY table, still accepted
            }
            Name name = name(s, p);
            if (name == null) {
                throw new UnreadableStatementException("COPY must name a table or a query");
            }
            table = name.table();
            p = name.next();
            if (s.is(p, TokenKind.LPAREN)) {
                int close = requireClosing(s, p);
                for (int q = p + 1; q < close; q++) {
                    if (s.is(q, TokenKind.WORD) || s.is(q, TokenKind.QUOTED_IDENT)) {
                        columns.add(identifier(s, q));
                    }
                }
                p = close + 1;
            }
        }
        boolean from = s.isWord(p, "from");
        if (!from && !s.isWord(p, "to")) {
            throw new UnreadableStatementException("COPY must be followed by FROM or TO");
        }
        p++;
        if (s.isWord(p, "program")) {
            info.access(ServerAccess.RUNS_PROGRAM);
        } else if (s.is(p, TokenKind.STRING)) {
            info.access(from ? ServerAccess.READS_FILE : ServerAccess.WRITES_FILE);
        } else if (!s.isAnyWord(p, "stdin", "stdout")) {
            throw new UnreadableStatementException("COPY must read from or write to a file, a program, STDIN or STDOUT");
        } else if (!from) {
            info.outputs(query != null ? query.outputColumns() : copiedColumns(table, columns));
        }
        if (table != null) {
            if (from) {
                info.written(table);
            } else {
                info.read(table);
            }
            if (columns.isEmpty()) {
                if (!from) {
                    info.column(table, "*");
                }
            } else {
                for (String column : columns) {
                    info.column(table, column);
                }
            }
        }
        int where = findWord(s, p, s.size(), "where");
        if (where >= 0) {
            info.absorb(parsed.expressions(s, where + 1, s.size(), table));
        }
        return info.build();
    }

    /** The rows COPY table [(columns)] TO STDOUT sends: the listed columns, or all of the table's. */
    private static List<OutputColumn> copiedColumns(TableName table, List<String> columns) {
        if (columns.isEmpty()) {
            return List.of(new OutputColumn("*", OutputColumn.Kind.STAR, Set.of(), Set.of(), List.of(table), true));
        }
        List<OutputColumn> outputs = new ArrayList<>(columns.size());
        for (String column : columns) {
            outputs.add(new OutputColumn(column, OutputColumn.Kind.PLAIN_COLUMN, Set.of(new ColumnRef(table, column)),
                    Set.of(), List.of(), false));
        }
        return outputs;
    }

    // ---------------------------------------------------------------- DO, PREPARE, EXECUTE, CALL

    private StatementInfo doStatement(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.DO);
        if (dialect == Dialect.MYSQL) {
            info.absorb(parsed.expressions(s, 1, s.size(), null));
        } else if (findKind(s, TokenKind.STRING) < 0) {
            throw new UnreadableStatementException("DO must be followed by a code block");
        }
        return info.build();
    }

    private StatementInfo prepare(Shape s) {
        if (s.isWord(1, "transaction")) {
            return simple(StatementKind.TRANSACTION);
        }
        InfoBuilder info = new InfoBuilder(StatementKind.PREPARE);
        if (dialect == Dialect.POSTGRES) {
            int as = findWord(s, 2, s.size(), "as");
            if (as < 0) {
                throw new UnreadableStatementException("PREPARE must be followed by AS and a statement");
            }
            StatementInfo prepared = carried(s, as + 1, s.size());
            info.inner(prepared).outputs(prepared.outputColumns()); // the rows EXECUTE will return
            return info.build();
        }
        String sql = s.mysqlPreparedSql();
        if (sql == null) {
            throw new UnreadableStatementException(
                    "PREPARE ... FROM a variable prepares text the gateway cannot see; prepare from a string literal");
        }
        if (s.prepareNesting() > 0) {
            throw new UnreadableStatementException("PREPARE inside a prepared statement is not analysed");
        }
        Tokens tokens;
        try {
            tokens = SqlLexer.lex(sql, Dialect.MYSQL);
        } catch (SqlLexer.LexException e) {
            throw new UnreadableStatementException("the prepared text cannot be read: " + e.getMessage());
        }
        for (StatementSplitter.Range range : StatementSplitter.split(tokens)) {
            StatementInfo prepared = classify(Shape.of(tokens, range.from(), range.to()));
            info.inner(prepared).outputs(prepared.outputColumns());
        }
        if (info.build().inner().isEmpty()) {
            throw new UnreadableStatementException("PREPARE of an empty statement");
        }
        return info.build();
    }

    private StatementInfo execute(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.EXECUTE);
        if (dialect == Dialect.POSTGRES && s.is(2, TokenKind.LPAREN)) {
            int close = requireClosing(s, 2);
            info.absorb(parsed.expressions(s, 3, close, null));
        }
        return info.build();
    }

    private StatementInfo call(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.CALL);
        Name name = name(s, 1);
        if (name == null) {
            throw new UnreadableStatementException("CALL must name a procedure");
        }
        info.function(functionName(s, 1, name.next()));
        int p = name.next();
        if (s.is(p, TokenKind.LPAREN)) {
            int close = requireClosing(s, p);
            info.absorb(parsed.expressions(s, p + 1, close, null));
        }
        return info.build();
    }

    // ---------------------------------------------------------------- maintenance

    /** VACUUM, ANALYZE, CLUSTER: options, then a list of tables (each maybe with columns or USING index). */
    private StatementInfo maintenance(Shape s, StatementKind kind, boolean writes) {
        InfoBuilder info = new InfoBuilder(kind);
        int p = 1;
        while (true) {
            if (s.isAnyWord(p, "full", "freeze", "verbose", "analyze", "analyse", "skip_locked")) {
                p++;
            } else if (s.is(p, TokenKind.LPAREN)) {
                p = requireClosing(s, p) + 1;
            } else {
                break;
            }
        }
        while (p < s.size()) {
            Name name = name(s, p);
            if (name == null) {
                throw new UnreadableStatementException(kind + " must be followed by table names");
            }
            if (writes) {
                info.written(name.table());
            } else {
                info.read(name.table());
            }
            p = name.next();
            if (s.is(p, TokenKind.LPAREN)) {
                p = requireClosing(s, p) + 1;
            }
            if (s.isWord(p, "using")) {
                p += 2;
            }
            if (s.is(p, TokenKind.COMMA)) {
                p++;
            } else if (p < s.size()) {
                throw new UnreadableStatementException(kind + " has an unexpected " + describe(s, p));
            }
        }
        return info.build();
    }

    private StatementInfo reindex(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.REINDEX);
        int p = 1;
        if (s.is(p, TokenKind.LPAREN)) {
            p = requireClosing(s, p) + 1;
        }
        String type = s.word(p);
        if (type == null) {
            throw new UnreadableStatementException("REINDEX must say what it rebuilds");
        }
        info.objectType = type;
        p++;
        if (s.isWord(p, "concurrently")) {
            p++;
        }
        Name name = name(s, p);
        if (name != null) {
            switch (type) {
                case "table" -> info.written(name.table());
                case "schema" -> info.written(TableName.of(name.table().name(), "*"));
                default -> {
                }
            }
        }
        return info.build();
    }

    /** MySQL ANALYZE / CHECK / CHECKSUM / OPTIMIZE / REPAIR [NO_WRITE_TO_BINLOG | LOCAL] TABLE t, ... */
    private StatementInfo mysqlTableMaintenance(Shape s, StatementKind kind, boolean writes) {
        InfoBuilder info = new InfoBuilder(kind);
        int p = 1;
        while (s.isAnyWord(p, "no_write_to_binlog", "local")) {
            p++;
        }
        if (!s.isAnyWord(p, "table", "tables")) {
            throw new UnreadableStatementException(kind + " must be followed by TABLE");
        }
        p++;
        for (TableName table : nameList(s, p)) {
            if (writes) {
                info.written(table);
            } else {
                info.read(table);
            }
        }
        return info.build();
    }

    // ---------------------------------------------------------------- LOCK, LOAD, HANDLER, TRUNCATE, RENAME

    private StatementInfo lock(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.LOCK);
        int p = 1;
        if (dialect == Dialect.MYSQL) {
            if (s.isWord(p, "instance")) {
                return info.build();
            }
            if (!s.isAnyWord(p, "table", "tables")) {
                throw new UnreadableStatementException("LOCK must be followed by TABLES");
            }
            p++;
            // LOCK TABLES t [[AS] a] READ [LOCAL] | [LOW_PRIORITY] WRITE, ...
            while (p < s.size()) {
                Name name = name(s, p);
                if (name == null) {
                    throw new UnreadableStatementException("LOCK TABLES must name tables");
                }
                info.read(name.table());
                p = name.next();
                while (p < s.size() && !s.is(p, TokenKind.COMMA)) {
                    p++;
                }
                p++;
            }
            return info.build();
        }
        if (s.isWord(p, "table")) {
            p++;
        }
        if (s.isWord(p, "only")) {
            p++;
        }
        while (p < s.size()) {
            Name name = name(s, p);
            if (name == null) {
                throw new UnreadableStatementException("LOCK must name tables");
            }
            info.read(name.table());
            p = name.next();
            if (s.isOperator(p, "*")) {
                p++;
            }
            if (s.is(p, TokenKind.COMMA)) {
                p++;
                if (s.isWord(p, "only")) {
                    p++;
                }
            } else {
                break;
            }
        }
        if (p < s.size() && !s.isAnyWord(p, "in", "nowait")) {
            throw new UnreadableStatementException("LOCK has an unexpected " + describe(s, p));
        }
        return info.build();
    }

    private StatementInfo load(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.LOAD);
        if (dialect == Dialect.POSTGRES) {
            if (!s.is(1, TokenKind.STRING)) {
                throw new UnreadableStatementException("LOAD must name a library");
            }
            info.access(ServerAccess.LOADS_LIBRARY);
            return info.build();
        }
        if (s.isWord(1, "index")) {
            info.kind = StatementKind.OTHER; // LOAD INDEX INTO CACHE
            return info.build();
        }
        if (!s.isAnyWord(1, "data", "xml")) {
            throw new UnreadableStatementException("LOAD must be followed by DATA or XML");
        }
        // LOAD {DATA | XML} [LOW_PRIORITY | CONCURRENT] [LOCAL] INFILE 'file' [REPLACE | IGNORE] INTO TABLE t ...
        // read word by word: a LOCAL missed here would let the server ask the client for a file unseen
        int p = 2;
        boolean local = false;
        while (s.isAnyWord(p, "low_priority", "concurrent", "local")) {
            local |= s.isWord(p, "local");
            p++;
        }
        if (!s.isWord(p, "infile") || !s.is(p + 1, TokenKind.STRING)) {
            throw new UnreadableStatementException("LOAD DATA must read INFILE 'file' INTO TABLE, with only"
                    + " LOW_PRIORITY, CONCURRENT or LOCAL before INFILE");
        }
        p += 2;
        if (s.isAnyWord(p, "replace", "ignore")) {
            p++;
        }
        int into = p;
        if (!s.isWord(into, "into") || !s.isWord(into + 1, "table")) {
            throw new UnreadableStatementException("LOAD DATA must read INFILE INTO TABLE");
        }
        info.access(local ? ServerAccess.READS_CLIENT_FILE : ServerAccess.READS_FILE);
        Name name = name(s, into + 2);
        if (name == null) {
            throw new UnreadableStatementException("LOAD DATA must name a table");
        }
        info.written(name.table());
        int set = findWord(s, name.next(), s.size(), "set");
        if (set >= 0) {
            info.absorb(parsed.expressions(s, set + 1, s.size(), name.table()));
        }
        return info.build();
    }

    private StatementInfo handler(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.CURSOR);
        Name name = name(s, 1);
        if (name == null) {
            throw new UnreadableStatementException("HANDLER must name a table");
        }
        info.read(name.table());
        // HANDLER ... READ returns whole rows of the table: what a column rule must see as SELECT *
        info.column(name.table(), "*");
        return info.build();
    }

    private StatementInfo truncate(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.TRUNCATE);
        int p = 1;
        if (s.isWord(p, "table")) {
            p++;
        }
        while (p < s.size()) {
            if (s.isWord(p, "only")) {
                p++;
            }
            Name name = name(s, p);
            if (name == null) {
                throw new UnreadableStatementException("TRUNCATE must name tables");
            }
            info.written(name.table());
            p = name.next();
            if (s.isOperator(p, "*")) {
                p++;
            }
            if (!s.is(p, TokenKind.COMMA)) {
                break;
            }
            p++;
        }
        return info.build();
    }

    /** MySQL RENAME TABLE a TO b, c TO d / RENAME USER. */
    private StatementInfo rename(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.ALTER);
        info.objectType = s.word(1) == null ? "" : s.word(1);
        if (s.isAnyWord(1, "table", "tables")) {
            info.objectType = "table";
            // old TO new [, old TO new ...]
            int p = 2;
            while (p < s.size()) {
                Name name = name(s, p);
                if (name == null) {
                    throw new UnreadableStatementException("RENAME TABLE must name tables");
                }
                info.written(name.table());
                p = name.next();
                if (s.isWord(p, "to") || s.is(p, TokenKind.COMMA)) {
                    p++;
                } else if (p < s.size()) {
                    throw new UnreadableStatementException("RENAME TABLE has an unexpected " + describe(s, p));
                }
            }
        }
        return info.build();
    }

    // ---------------------------------------------------------------- SET, RESET, SHOW, BEGIN, START

    private StatementInfo pgSet(Shape s) {
        int p = 1;
        if (s.isAnyWord(p, "session", "local") && !s.isAnyWord(p + 1, "authorization", "characteristics")) {
            p++;
        }
        // SET ROLE, SET SESSION AUTHORIZATION, and the settings behind them: SET role = x, SET "ROLE" = x,
        // SET session_authorization = x (setting names ignore case, quoted or not)
        String setting = settingName(s, p);
        if (setting.equals("role") || setting.equals("session_authorization")
                || (s.isWord(p, "session") && s.isWord(p + 1, "authorization"))) {
            return simple(StatementKind.SET_ROLE);
        }
        if (s.isAnyWord(p, "transaction", "constraints") || (s.isWord(p, "session") && s.isWord(p + 1, "characteristics"))) {
            return simple(StatementKind.TRANSACTION);
        }
        if (p >= s.size()) {
            throw new UnreadableStatementException("SET must name a setting");
        }
        // the setting's name, for rules that care which one changes (SET SCHEMA 'x' sets the search path)
        return withObject(StatementKind.SET, s.isWord(p, "schema") ? "search_path" : setting);
    }

    /** The lower-cased name of the PostgreSQL setting at {@code p}, quoted or not; empty when there is none. */
    private static String settingName(Shape s, int p) {
        if (s.is(p, TokenKind.QUOTED_IDENT)) {
            return Tokens.asciiLowerCase(s.value(p));
        }
        return s.word(p) == null ? "" : s.word(p);
    }

    private StatementInfo mysqlSet(Shape s) {
        if (s.isWord(1, "password")) {
            return withObject(StatementKind.ALTER, "user");
        }
        if (s.isWord(1, "role") || (s.isWord(1, "default") && s.isWord(2, "role"))) {
            return simple(StatementKind.SET_ROLE);
        }
        int p = 1;
        boolean global = false;
        if (s.isAnyWord(p, "global", "persist", "persist_only", "session", "local")) {
            global = s.isAnyWord(p, "global", "persist", "persist_only");
            p++;
        }
        if (s.isWord(p, "transaction")) {
            return simple(global ? StatementKind.ALTER_SYSTEM : StatementKind.TRANSACTION);
        }
        if (s.isAnyWord(1, "names", "charset") || (s.isWord(1, "character") && s.isWord(2, "set"))) {
            return simple(StatementKind.SET);
        }
        if (s.isWord(1, "statement")) {
            // MariaDB: SET STATEMENT var = value [, ...] FOR statement
            int forWord = findWord(s, 2, s.size(), "for");
            if (forWord < 0) {
                throw new UnreadableStatementException("SET STATEMENT must be followed by FOR and a statement");
            }
            InfoBuilder info = new InfoBuilder(StatementKind.SET);
            info.inner(carried(s, forWord + 1, s.size()));
            return info.build();
        }
        // assignments: [GLOBAL | SESSION | PERSIST ...] name = value, @var = value, @@global.name = value
        InfoBuilder info = new InfoBuilder(StatementKind.SET);
        int start = 1;
        for (int q = 1; q <= s.size(); q++) {
            if (q == s.size() || (s.is(q, TokenKind.COMMA) && depth(s, start, q) == 0)) {
                if (assignment(s, start, q, info)) {
                    global = true;
                }
                start = q + 1;
            }
        }
        if (global) {
            info.kind = StatementKind.ALTER_SYSTEM;
        }
        return info.build();
    }

    /** One MySQL SET assignment in {@code [from, to)}; true when it changes a global or persisted value. */
    private boolean assignment(Shape s, int from, int to, InfoBuilder info) {
        if (s.isAnyWord(from, "names", "charset") || (s.isWord(from, "character") && s.isWord(from + 1, "set"))) {
            return false; // SET a = 1, NAMES utf8mb4: MariaDB Connector/J's session setup has it in its list
        }
        boolean global = s.isAnyWord(from, "global", "persist", "persist_only")
                || (s.is(from, TokenKind.VARIABLE) && Tokens.asciiLowerCase(s.text(from)).matches("@@(global|persist|persist_only)(\\..*)?"));
        int equals = -1;
        for (int q = from; q < to; q++) {
            if (s.isOperator(q, "=") || s.isOperator(q, ":=")) {
                equals = q;
                break;
            }
        }
        if (equals < 0) {
            throw new UnreadableStatementException("SET has an assignment without '='");
        }
        boolean computed = false;
        for (int q = equals + 1; q < to; q++) {
            computed |= s.is(q, TokenKind.LPAREN);
        }
        if (computed) {
            info.absorb(parsed.expressions(s, equals + 1, to, null));
        }
        return global;
    }

    private static int depth(Shape s, int from, int to) {
        int depth = 0;
        for (int q = from; q < to; q++) {
            if (s.is(q, TokenKind.LPAREN)) {
                depth++;
            } else if (s.is(q, TokenKind.RPAREN)) {
                depth--;
            }
        }
        return depth;
    }

    private StatementInfo reset(Shape s) {
        if (dialect == Dialect.MYSQL) {
            return simple(StatementKind.ALTER_SYSTEM); // RESET MASTER / REPLICA / QUERY CACHE / PERSIST
        }
        String setting = settingName(s, 1);
        if (setting.equals("role") || setting.equals("session_authorization") || s.isWord(1, "all")
                || (s.isWord(1, "session") && s.isWord(2, "authorization"))) {
            return simple(StatementKind.SET_ROLE); // RESET ALL resets the role too
        }
        return simple(StatementKind.SET);
    }

    private StatementInfo show(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.SHOW);
        if (dialect == Dialect.MYSQL) {
            int p = 1;
            if (s.isAnyWord(p, "full", "extended")) {
                p++;
            }
            if (s.isWord(p, "create") && s.isAnyWord(p + 1, "table", "view")) {
                Name name = name(s, p + 2);
                if (name != null) {
                    info.read(name.table());
                }
            } else if (s.isAnyWord(p, "columns", "fields", "index", "indexes", "keys") && s.isAnyWord(p + 1, "from", "in")) {
                Name name = name(s, p + 2);
                if (name != null) {
                    TableName table = name.table();
                    if (s.isAnyWord(name.next(), "from", "in")) {
                        Name database = name(s, name.next() + 1);
                        if (database != null) {
                            table = TableName.of(database.table().name(), table.name());
                        }
                    }
                    info.read(table);
                }
            }
        }
        return info.build();
    }

    private StatementInfo begin(Shape s) {
        if (dialect == Dialect.MYSQL && s.isWord(1, "not") && s.isWord(2, "atomic")) {
            return simple(StatementKind.DO); // MariaDB anonymous block
        }
        return simple(StatementKind.TRANSACTION);
    }

    private StatementInfo start(Shape s) {
        if (s.isWord(1, "transaction")) {
            return simple(StatementKind.TRANSACTION);
        }
        if (dialect == Dialect.MYSQL) {
            return simple(StatementKind.ALTER_SYSTEM); // START SLAVE / REPLICA / GROUP_REPLICATION
        }
        return unknown("start " + (s.word(1) == null ? "" : s.word(1)));
    }

    // ---------------------------------------------------------------- GRANT, REVOKE, COMMENT

    private StatementInfo grant(Shape s, StatementKind kind, int from) {
        InfoBuilder info = new InfoBuilder(kind);
        String target = kind == StatementKind.GRANT ? "to" : "from";
        int end = findWord(s, from, s.size(), target);
        int on = findWord(s, from, end < 0 ? s.size() : end, "on");
        if (on < 0) {
            info.objectType = "role";
            return info.build();
        }
        int p = on + 1;
        if (s.isWord(p, "all") && s.isAnyWord(p + 1, "tables", "sequences", "functions", "procedures", "routines")
                && s.isWord(p + 2, "in") && s.isWord(p + 3, "schema")) {
            String objects = s.word(p + 1);
            info.objectType = objects.substring(0, objects.length() - 1);
            for (TableName schema : nameList(s, p + 4)) {
                if (objects.equals("tables") || objects.equals("sequences")) {
                    info.written(TableName.of(schema.name(), "*"));
                }
            }
            return info.build();
        }
        String type = objectType(s, p);
        if (type != null && GRANT_OBJECT_TYPES.contains(type)) {
            p += type.split(" ").length;
        } else {
            type = "table"; // GRANT ... ON name: a table (MySQL: also db.* and *.*)
        }
        info.objectType = type;
        if (RELATION_TYPES.contains(type)) {
            for (TableName table : nameList(s, p)) {
                info.written(table);
            }
        }
        return info.build();
    }

    private StatementInfo comment(Shape s, int p) {
        InfoBuilder info = new InfoBuilder(StatementKind.COMMENT);
        if (s.isWord(p, "for")) {
            p += 2; // SECURITY LABEL FOR provider
        }
        if (!s.isWord(p, "on")) {
            throw new UnreadableStatementException("COMMENT must be followed by ON");
        }
        p++;
        String type = objectType(s, p);
        if (type == null) {
            throw new UnreadableStatementException("COMMENT ON must name an object type");
        }
        info.objectType = type;
        p += type.split(" ").length;
        Name name = name(s, p);
        if (name != null) {
            if (RELATION_TYPES.contains(type)) {
                info.written(name.table());
            } else if (type.equals("column") && name.parts().size() >= 2) {
                List<String> parts = name.parts();
                String column = parts.get(parts.size() - 1);
                TableName table = parts.size() >= 3
                        ? TableName.of(parts.get(parts.size() - 3), parts.get(parts.size() - 2))
                        : TableName.of(parts.get(parts.size() - 2));
                info.written(table);
                info.column(table, column);
            } else if ((type.equals("trigger") || type.equals("rule") || type.equals("policy") || type.equals("constraint"))
                    && s.isWord(name.next(), "on")) {
                Name table = name(s, name.next() + 1);
                if (table != null) {
                    info.written(table.table());
                }
            }
        }
        return info.build();
    }

    // ---------------------------------------------------------------- REFRESH, DECLARE

    private StatementInfo refresh(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.REFRESH);
        if (!s.isWord(1, "materialized") || !s.isWord(2, "view")) {
            throw new UnreadableStatementException("REFRESH must be followed by MATERIALIZED VIEW");
        }
        int p = 3;
        if (s.isWord(p, "concurrently")) {
            p++;
        }
        Name name = name(s, p);
        if (name == null) {
            throw new UnreadableStatementException("REFRESH MATERIALIZED VIEW must name a view");
        }
        info.objectType = "materialized view";
        info.written(name.table());
        return info.build();
    }

    private StatementInfo declare(Shape s) {
        int cursor = findWord(s, 1, s.size(), "cursor");
        int forWord = cursor < 0 ? -1 : findWord(s, cursor + 1, s.size(), "for");
        if (forWord < 0) {
            throw new UnreadableStatementException("DECLARE must declare a CURSOR FOR a query");
        }
        InfoBuilder info = new InfoBuilder(StatementKind.CURSOR);
        StatementInfo query = carried(s, forWord + 1, s.size());
        info.inner(query).outputs(query.outputColumns()); // the rows FETCH will return
        return info.build();
    }

    // ---------------------------------------------------------------- CREATE

    private StatementInfo create(Shape s) {
        int p = skipCreateModifiers(s, 1);
        String type = objectType(s, p);
        if (type == null) {
            throw new UnreadableStatementException("CREATE must be followed by an object type");
        }
        p += type.split(" ").length;
        if (type.equals("constraint trigger")) {
            type = "trigger";
        }
        if (type.equals("schema") && dialect == Dialect.MYSQL) {
            type = "database";
        }
        InfoBuilder info = new InfoBuilder(StatementKind.CREATE);
        info.objectType = type;
        if (findWord(s, p, s.size(), "soname") >= 0) {
            info.access(ServerAccess.LOADS_LIBRARY); // MySQL user-defined function from a shared library
        }
        switch (type) {
            case "function", "procedure", "aggregate function" -> {
                info.kind = StatementKind.CREATE_FUNCTION;
                info.objectType = type.equals("aggregate function") ? "function" : type;
                int language = findWord(s, p, s.size(), "language");
                if (language >= 0 && (s.isAnyWord(language + 1, "c", "internal") || s.is(language + 1, TokenKind.STRING))) {
                    info.access(ServerAccess.LOADS_LIBRARY);
                }
            }
            case "table" -> createTable(s, p, info);
            case "view", "materialized view" -> createView(s, p, info);
            case "index" -> {
                int on = findWord(s, p, s.size(), "on");
                Name table = on < 0 ? null : name(s, s.isWord(on + 1, "only") ? on + 2 : on + 1);
                if (table == null) {
                    throw new UnreadableStatementException("CREATE INDEX must name its table after ON");
                }
                info.written(table.table());
            }
            case "sequence" -> {
                Name name = name(s, skipIfNotExists(s, p));
                if (name != null) {
                    info.written(name.table());
                }
            }
            case "trigger" -> createTrigger(s, p, info);
            case "event" -> info.kind = StatementKind.CREATE_FUNCTION; // MySQL: scheduled code
            case "rule" -> createRule(s, p, info);
            case "policy" -> {
                int on = findWord(s, p, s.size(), "on");
                Name table = on < 0 ? null : name(s, on + 1);
                if (table != null) {
                    info.written(table.table());
                }
            }
            case "extension" -> info.access(ServerAccess.LOADS_LIBRARY);
            case "schema" -> {
                if (findWord(s, p + 1, s.size(), "create") >= 0) {
                    throw new UnreadableStatementException("CREATE SCHEMA with schema elements is not analysed");
                }
            }
            default -> {
            }
        }
        referencedFunctions(s, p, info);
        return info.build();
    }

    /** Words that can stand before "(" in a definition without being a function's name. */
    private static final Set<String> NOT_CALLS = Set.of(
            "check", "unique", "key", "references", "exclude", "include", "in", "exists", "values", "as", "on",
            "using", "with", "table", "index", "by", "range", "list", "hash", "of", "for", "from", "to", "where",
            "when", "filter", "over", "within", "and", "or", "not", "is", "array", "row", "returns", "setof", "like",
            "inherits", "identity", "options", "set", "reset", "cast", "any", "all", "some", "default", "then",
            "else", "case", "distinct", "select", "partition", "varchar", "char", "character", "varying", "nchar",
            "numeric", "decimal", "dec", "bit", "varbit", "float", "time", "timestamp", "timetz", "timestamptz",
            "interval", "enum", "btree", "gist", "spgist", "gin", "brin", "int", "integer", "bigint", "smallint",
            "tinyint", "mediumint", "double", "real", "binary", "varbinary", "datetime", "year");

    /** Words after which a name followed by "(" is the object being defined, not a call. */
    private static final Set<String> DEFINED_AFTER = Set.of(
            "table", "on", "references", "only", "exists", "view", "type", "domain", "index", "aggregate",
            "statistics", "collation", "configuration", "dictionary", "parser", "template", "function", "procedure",
            "routine", "sequence", "inherits", "of", "key");

    /** Options whose value names a support function (CREATE OPERATOR, AGGREGATE, TYPE, ...). */
    private static final Set<String> FUNCTION_OPTIONS = Set.of(
            "function", "procedure", "restrict", "join", "input", "output", "receive", "send", "canonical",
            "subtype_diff", "handler", "validator", "inline");

    /**
     * Records the functions a definition names: they run later, for statements that do not name
     * them (column defaults and CHECK expressions, index expressions, ALTER ... USING, policies,
     * casts, trigger, operator and aggregate support functions). Read from the tokens: a name
     * followed by "(" that is neither a keyword nor the object being defined, a name after WITH /
     * EXECUTE FUNCTION, and the value of an option such as {@code FUNCTION =} or {@code SFUNC =}.
     * Taking some other name for a function only makes a rule about functions stricter.
     */
    private void referencedFunctions(Shape s, int from, InfoBuilder info) {
        for (int p = from; p < s.size(); p++) {
            if (!s.is(p, TokenKind.WORD) && !s.is(p, TokenKind.QUOTED_IDENT)) {
                continue;
            }
            if (s.is(p - 1, TokenKind.DOT)) {
                continue; // read with the name it qualifies
            }
            Name name = name(s, p);
            String word = s.word(p);
            boolean optionValue = s.isOperator(p - 1, "=") && s.word(p - 2) != null
                    && (FUNCTION_OPTIONS.contains(s.word(p - 2)) || s.word(p - 2).endsWith("func"));
            boolean namedRoutine = s.isAnyWord(p - 1, "function", "procedure") && s.isAnyWord(p - 2, "with", "execute");
            boolean call = s.is(name.next(), TokenKind.LPAREN)
                    && !(name.parts().size() == 1 && word != null && NOT_CALLS.contains(word))
                    && !(s.word(p - 1) != null && DEFINED_AFTER.contains(s.word(p - 1)));
            if (optionValue || namedRoutine || call) {
                info.function(functionName(s, p, name.next()));
            }
            p = name.next() - 1;
        }
    }

    /** OR REPLACE, TEMP, UNLOGGED, UNIQUE, MySQL ALGORITHM= / DEFINER= / SQL SECURITY ... */
    private int skipCreateModifiers(Shape s, int p) {
        while (true) {
            if (s.isWord(p, "or") && s.isWord(p + 1, "replace")) {
                p += 2;
            } else if (s.isWord(p, "default") && s.isWord(p + 1, "privileges")) {
                return p;
            } else if (s.isAnyWord(p, "temp", "temporary", "unlogged", "global", "local", "unique", "fulltext",
                    "spatial", "recursive", "trusted", "procedural", "default", "online", "offline", "ignore")) {
                p++;
            } else if (s.isAnyWord(p, "algorithm", "definer") && s.isOperator(p + 1, "=")) {
                p += 3;
                if (s.is(p, TokenKind.VARIABLE)) {
                    p++; // 'user'@'host'
                }
                if (s.is(p, TokenKind.LPAREN) && s.is(p + 1, TokenKind.RPAREN)) {
                    p += 2; // DEFINER = CURRENT_USER()
                }
            } else if (s.isWord(p, "sql") && s.isWord(p + 1, "security")) {
                p += 3;
            } else {
                return p;
            }
        }
    }

    private static int skipIfNotExists(Shape s, int p) {
        if (s.isWord(p, "if") && s.isWord(p + 1, "not") && s.isWord(p + 2, "exists")) {
            return p + 3;
        }
        return p;
    }

    private static int skipIfExists(Shape s, int p) {
        if (s.isWord(p, "if") && s.isWord(p + 1, "exists")) {
            return p + 2;
        }
        return p;
    }

    private void createTable(Shape s, int p, InfoBuilder info) {
        Name name = name(s, skipIfNotExists(s, p));
        if (name == null) {
            throw new UnreadableStatementException("CREATE TABLE must name the table");
        }
        info.written(name.table());
        int q = name.next();
        if (s.isWord(q, "partition") && s.isWord(q + 1, "of")) {
            Name parent = name(s, q + 2);
            if (parent != null) {
                info.written(parent.table());
            }
        }
        if (s.isWord(q, "like")) {
            Name source = name(s, q + 1);
            if (source != null) {
                info.read(source.table());
            }
        }
        // CREATE TABLE ... AS query / MySQL CREATE TABLE ... [AS] SELECT ...: the first query outside parentheses
        int depth = 0;
        for (int r = q; r < s.size(); r++) {
            if (s.is(r, TokenKind.LPAREN)) {
                depth++;
            } else if (s.is(r, TokenKind.RPAREN)) {
                depth--;
            } else if (depth == 0 && s.isWord(r, "as") && s.isWord(r + 1, "execute")) {
                return; // CREATE TABLE AS EXECUTE prepared: the prepared statement was checked when prepared
            } else if (depth == 0 && s.isWord(r, "as") && startsQuery(s, r + 1)) {
                info.inner(carried(s, r + 1, trimTrailingData(s, r + 1, s.size())));
                return;
            } else if (depth == 0 && dialect == Dialect.MYSQL && s.isAnyWord(r, "select", "with")) {
                info.inner(carried(s, r, s.size()));
                return;
            }
        }
    }

    private void createView(Shape s, int p, InfoBuilder info) {
        Name name = name(s, skipIfNotExists(s, p));
        if (name == null) {
            throw new UnreadableStatementException("CREATE VIEW must name the view");
        }
        info.written(name.table());
        int as = findWord(s, name.next(), s.size(), "as");
        if (as < 0) {
            throw new UnreadableStatementException("CREATE VIEW must be followed by AS and a query");
        }
        info.inner(carried(s, as + 1, trimTrailingData(s, as + 1, s.size())));
    }

    /** The end of a view's or table's query, before WITH [NO] DATA or WITH [CASCADED | LOCAL] CHECK OPTION. */
    private static int trimTrailingData(Shape s, int from, int to) {
        if (to - from > 3 && s.isWord(to - 1, "data") && s.isWord(to - 2, "no") && s.isWord(to - 3, "with")) {
            return to - 3;
        }
        if (to - from > 2 && s.isWord(to - 1, "data") && s.isWord(to - 2, "with")) {
            return to - 2;
        }
        if (to - from > 3 && s.isWord(to - 1, "option") && s.isWord(to - 2, "check")) {
            return s.isAnyWord(to - 3, "cascaded", "local") ? to - 4 : to - 3;
        }
        return to;
    }

    private void createTrigger(Shape s, int p, InfoBuilder info) {
        int on = findWord(s, p, s.size(), "on");
        Name table = on < 0 ? null : name(s, on + 1);
        if (table == null) {
            throw new UnreadableStatementException("CREATE TRIGGER must name its table after ON");
        }
        info.written(table.table());
        if (dialect == Dialect.MYSQL) {
            info.kind = StatementKind.CREATE_FUNCTION; // the trigger's body is code
            return;
        }
        int execute = findWord(s, table.next(), s.size(), "execute");
        if (execute >= 0 && s.isAnyWord(execute + 1, "function", "procedure")) {
            Name function = name(s, execute + 2);
            if (function != null) {
                info.function(functionName(s, execute + 2, function.next()));
                if (s.is(function.next(), TokenKind.LPAREN)) {
                    // trigger arguments are literals; nothing else to learn
                    requireClosing(s, function.next());
                }
            }
        }
    }

    /** CREATE RULE name AS ON event TO table [WHERE ...] DO [ALSO | INSTEAD] {NOTHING | command | (command; ...)} */
    private void createRule(Shape s, int p, InfoBuilder info) {
        int to = findWord(s, p, s.size(), "to");
        Name table = to < 0 ? null : name(s, to + 1);
        int doWord = table == null ? -1 : findWord(s, table.next(), s.size(), "do");
        if (doWord < 0) {
            throw new UnreadableStatementException("CREATE RULE must name its table and its action");
        }
        info.written(table.table());
        int q = doWord + 1;
        if (s.isAnyWord(q, "also", "instead")) {
            q++;
        }
        if (s.isWord(q, "nothing")) {
            return;
        }
        if (s.is(q, TokenKind.LPAREN) && s.closing(q) == s.size() - 1) {
            int close = requireClosing(s, q);
            int start = q + 1;
            for (int r = q + 1; r <= close; r++) {
                if (r == close || s.is(r, TokenKind.SEMICOLON)) {
                    if (r > start) {
                        info.inner(carried(s, start, r));
                    }
                    start = r + 1;
                }
            }
            return;
        }
        info.inner(carried(s, q, s.size()));
    }

    // ---------------------------------------------------------------- ALTER

    private StatementInfo alter(Shape s) {
        int p = skipCreateModifiers(s, 1);
        String type = objectType(s, p);
        if (type == null) {
            throw new UnreadableStatementException("ALTER must be followed by an object type");
        }
        if (type.equals("schema") && dialect == Dialect.MYSQL) {
            type = "database";
        }
        p += type.split(" ").length;
        InfoBuilder info = new InfoBuilder(StatementKind.ALTER);
        info.objectType = type;
        switch (type) {
            case "system" -> {
                info.kind = StatementKind.ALTER_SYSTEM;
                settingForLaterSessions(s, p, info);
            }
            case "role", "user", "database" -> settingForLaterSessions(s, p, info);
            case "instance" -> info.kind = dialect == Dialect.MYSQL ? StatementKind.ALTER_SYSTEM : StatementKind.ALTER;
            case "default privileges" -> {
                int grant = findWord(s, p, s.size(), "grant");
                int revoke = findWord(s, p, s.size(), "revoke");
                if (grant < 0 && revoke < 0) {
                    throw new UnreadableStatementException("ALTER DEFAULT PRIVILEGES must GRANT or REVOKE");
                }
                info.kind = grant >= 0 && (revoke < 0 || grant < revoke) ? StatementKind.GRANT : StatementKind.REVOKE;
            }
            case "schema" -> {
                // renaming a schema renames every table in it, as far as names in statements go
                Name name = name(s, p);
                if (name != null && dialect == Dialect.POSTGRES) {
                    info.written(TableName.of(name.table().name(), "*"));
                }
            }
            case "table", "view", "materialized view", "foreign table", "sequence", "index" -> {
                p = skipIfExists(s, p);
                if (s.isWord(p, "only")) {
                    p++;
                }
                Name name = name(s, p);
                if (name == null) {
                    throw new UnreadableStatementException("ALTER " + type.toUpperCase(Locale.ROOT) + " must name it");
                }
                info.written(name.table());
                int partition = findWord(s, name.next(), s.size(), "partition");
                if (partition >= 0 && s.isAnyWord(partition - 1, "attach", "detach")) {
                    Name attached = name(s, partition + 1);
                    if (attached != null) {
                        info.written(attached.table());
                    }
                }
                int rename = findWord(s, name.next(), s.size(), "rename");
                if (rename >= 0 && s.isWord(rename + 1, "to")) {
                    Name renamed = name(s, rename + 2);
                    if (renamed != null) {
                        info.written(TableName.of(name.table().schema(), renamed.table().name()));
                    }
                }
            }
            default -> {
            }
        }
        referencedFunctions(s, p, info);
        return info.build();
    }

    /**
     * ALTER SYSTEM / ROLE / DATABASE ... SET name = value: the SET runs in every later session, so
     * it is an inner statement that runs, for rules that care which setting changes.
     */
    private void settingForLaterSessions(Shape s, int p, InfoBuilder info) {
        int set = findWord(s, p, s.size(), "set");
        if (set >= 0 && dialect == Dialect.POSTGRES) {
            info.inner(carried(s, set, s.size()));
        }
    }

    // ---------------------------------------------------------------- DROP

    private StatementInfo drop(Shape s) {
        if (dialect == Dialect.MYSQL && s.isWord(1, "prepare")) {
            return simple(StatementKind.DEALLOCATE);
        }
        int p = 1;
        if (s.isWord(p, "temporary")) {
            p++;
        }
        String type = objectType(s, p);
        if (type == null) {
            throw new UnreadableStatementException("DROP must be followed by an object type");
        }
        p += type.split(" ").length;
        if (type.equals("schema") && dialect == Dialect.MYSQL) {
            type = "database";
        }
        InfoBuilder info = new InfoBuilder(StatementKind.DROP);
        info.objectType = type;
        if (s.isWord(p, "concurrently")) {
            p++;
        }
        p = skipIfExists(s, p);
        List<Name> names = new ArrayList<>();
        while (p < s.size()) {
            Name name = name(s, p);
            if (name == null) {
                break;
            }
            names.add(name);
            p = name.next();
            if (s.is(p, TokenKind.LPAREN)) {
                p = requireClosing(s, p) + 1; // DROP FUNCTION f(args)
            }
            if (!s.is(p, TokenKind.COMMA)) {
                break;
            }
            p++;
        }
        switch (type) {
            case "table", "view", "materialized view", "foreign table", "sequence" ->
                    names.forEach(name -> info.written(name.table()));
            case "index" -> {
                if (dialect == Dialect.MYSQL && s.isWord(p, "on")) {
                    Name table = name(s, p + 1);
                    if (table != null) {
                        info.written(table.table());
                    }
                } else {
                    names.forEach(name -> info.written(name.table()));
                }
            }
            case "schema", "database" -> {
                if (type.equals("schema") || dialect == Dialect.MYSQL) {
                    names.forEach(name -> info.written(TableName.of(name.table().name(), "*")));
                }
            }
            case "trigger", "rule", "policy" -> {
                if (s.isWord(p, "on")) {
                    Name table = name(s, p + 1);
                    if (table != null) {
                        info.written(table.table());
                    }
                }
            }
            default -> {
            }
        }
        return info.build();
    }

    private StatementInfo install(Shape s) {
        InfoBuilder info = new InfoBuilder(StatementKind.ALTER_SYSTEM);
        if (s.isWord(0, "install")) {
            info.access(ServerAccess.LOADS_LIBRARY);
        }
        return info.build();
    }

    // ---------------------------------------------------------------- names

    /** A possibly qualified name: its parts (normalised), the table it denotes, the position after it. */
    record Name(List<String> parts, TableName table, int next) {
    }

    /** Reads {@code a}, {@code a.b}, {@code a.b.c} (catalog dropped), MySQL {@code db.*} and {@code *.*}. */
    private Name name(Shape s, int p) {
        List<String> parts = new ArrayList<>(3);
        int q = p;
        while (true) {
            if (s.is(q, TokenKind.WORD) || s.is(q, TokenKind.QUOTED_IDENT)) {
                parts.add(identifier(s, q));
            } else if (dialect == Dialect.MYSQL && s.isOperator(q, "*")) {
                parts.add("*");
            } else {
                break;
            }
            q++;
            if (s.is(q, TokenKind.DOT)) {
                q++;
            } else {
                break;
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        String last = parts.get(parts.size() - 1);
        String schema = parts.size() >= 2 ? parts.get(parts.size() - 2) : "";
        if (parts.size() == 1 && last.equals("*")) {
            schema = "*"; // MySQL: * alone is the current database's tables
        }
        return new Name(parts, new TableName(schema, last), q);
    }

    /** name, name, ... from {@code p}, stopping at the first token that does not continue the list. */
    private List<TableName> nameList(Shape s, int p) {
        List<TableName> names = new ArrayList<>();
        while (p < s.size()) {
            Name name = name(s, p);
            if (name == null) {
                break;
            }
            names.add(name.table());
            p = name.next();
            if (!s.is(p, TokenKind.COMMA)) {
                break;
            }
            p++;
        }
        return names;
    }

    private String identifier(Shape s, int p) {
        if (s.is(p, TokenKind.QUOTED_IDENT)) {
            return s.value(p);
        }
        return dialect == Dialect.POSTGRES ? Tokens.asciiLowerCase(s.text(p)) : s.text(p);
    }

    private String functionName(Shape s, int from, int to) {
        StringBuilder name = new StringBuilder();
        for (int p = from; p < to; p++) {
            if (s.is(p, TokenKind.DOT)) {
                name.append('.');
            } else if (s.is(p, TokenKind.QUOTED_IDENT) && dialect == Dialect.POSTGRES) {
                name.append(s.value(p));
            } else {
                name.append(Tokens.asciiLowerCase(identifier(s, p)));
            }
        }
        return name.toString();
    }

    /** The object type at {@code p}: one of the multi-word types, or the single word there. */
    private static String objectType(Shape s, int p) {
        for (String[] words : MULTI_WORD_TYPES) {
            boolean matches = true;
            for (int k = 0; k < words.length && matches; k++) {
                matches = s.isWord(p + k, words[k]);
            }
            if (matches) {
                return String.join(" ", words);
            }
        }
        return s.word(p);
    }

    // ---------------------------------------------------------------- positions

    private static int requireClosing(Shape s, int open) {
        int close = s.closing(open);
        if (close < 0) {
            throw new UnreadableStatementException("a parenthesis is not closed");
        }
        return close;
    }

    /** The first position in {@code [from, to)} outside parentheses holding the word, or -1. */
    private static int findWord(Shape s, int from, int to, String word) {
        int depth = 0;
        for (int p = from; p < to; p++) {
            TokenKind kind = s.kind(p);
            if (kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) {
                depth++;
            } else if (kind == TokenKind.RPAREN || kind == TokenKind.RBRACKET) {
                depth--;
            } else if (depth == 0 && s.isWord(p, word)) {
                return p;
            }
        }
        return -1;
    }

    private static int findKind(Shape s, TokenKind kind) {
        for (int p = 0; p < s.size(); p++) {
            if (s.is(p, kind)) {
                return p;
            }
        }
        return -1;
    }
}

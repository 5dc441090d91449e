package dev.parapet.policy;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;

/**
 * Reads queries and DML (SELECT, INSERT, UPDATE, DELETE, MERGE, MySQL REPLACE) with JSqlParser.
 *
 * <p>JSqlParser never sees the client's text. It gets a rendering of the statement's
 * {@link Shape}: comments gone (so a nested PostgreSQL comment cannot fool it), every string
 * literal written as {@code 's'}, every number as {@code 1}, every parameter marker as {@code ?},
 * {@code U&"..."} identifiers decoded, and a few constructs JSqlParser 5.3 does not know rewritten
 * into ones it does without changing which tables, columns and functions are involved
 * ({@code OPERATOR(pg_catalog.~)}, {@code COLLATE "C"}, operators it lacks such as {@code <->},
 * {@code BETWEEN SYMMETRIC}, {@code SELECT INTO TEMP}, {@code UPDATE ONLY}, named arguments,
 * MySQL {@code INTO @var} / {@code INTO OUTFILE}, row aliases, {@code LOCK IN SHARE MODE},
 * {@code WHERE CURRENT OF}). So the parse, and the analysis built on
 * it, cannot depend on literal values, and a huge literal costs nothing to parse.
 */
final class ParsedStatementAnalyzer {

    /** Binary operators JSqlParser 5.3 reads; any other PostgreSQL operator is rendered as {@code +}. */
    private static final Set<String> KNOWN_OPERATORS = Set.of(
            "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "||", "~", "~*", "!~", "!~*",
            "@>", "<@", "->", "->>", "#>", "#>>", "&&", "&", "|", "^", "<<", ">>", "#", "@@", "?", "?|", "?&",
            "<=>", "!", ":=", "=>");

    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "parapet-sql-parse-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true); // a parse that finishes in time leaves nothing behind
        return executor;
    }

    private final Dialect dialect;
    private final long timeoutMillis;

    ParsedStatementAnalyzer(Dialect dialect, long timeoutMillis) {
        this.dialect = dialect;
        this.timeoutMillis = timeoutMillis;
    }

    /** What JSqlParser is given, and what the rendering removed that the analysis must still know. */
    record ParserInput(String sql, boolean whereCurrentOf, boolean writesFile, boolean intoVariables) {
    }

    /** The analysis of positions {@code [from, to)} of {@code shape}, a query or DML statement. */
    StatementInfo analyze(Shape shape, int from, int to) {
        ParserInput input = render(shape, from, to);
        Statement statement = parse(input.sql());
        InfoBuilder info = ParseTreeWalker.walk(dialect, statement, input.whereCurrentOf());
        if (input.writesFile()) {
            info.access(ServerAccess.WRITES_FILE);
        }
        lineage(statement, info);
        if (input.intoVariables()) {
            // SELECT ... INTO @v returns no rows: its values go into variables that a later SELECT @v returns
            List<OutputColumn> values = info.build().outputColumns();
            info.outputs(List.of()).writtenValues(values);
        }
        return info.build();
    }

    /**
     * Adds the output and predicate columns. The lineage walk is stricter than what a policy needs to
     * decide, so a statement it cannot work out stays readable; it then gets the widest lineage the
     * rest of the analysis allows: every column and table it references may flow into any output
     * and is looked at by its filters.
     */
    private void lineage(Statement statement, InfoBuilder info) {
        try {
            LineageWalker.Lineage lineage = LineageWalker.lineage(dialect, statement);
            info.outputs(lineage.outputs()).predicates(lineage.predicates()).writtenValues(lineage.written());
        } catch (RuntimeException | StackOverflowError e) {
            StatementInfo soFar = info.build();
            Set<ColumnRef> columns = new LinkedHashSet<>();
            soFar.columns().forEach((table, names) -> names.forEach(name -> columns.add(new ColumnRef(table, name))));
            for (TableName table : soFar.tablesRead()) {
                columns.add(new ColumnRef(table, "*"));
            }
            info.predicates(columns);
            Set<ColumnRef> sources = new LinkedHashSet<>();
            columns.stream().filter(column -> !column.everyColumn()).forEach(sources::add);
            OutputColumn anything = new OutputColumn("?column?", OutputColumn.Kind.UNKNOWN, sources,
                    soFar.tablesRead(), List.of(), true);
            if (LineageWalker.returnsRows(statement)) {
                info.outputs(List.of(anything));
            }
            if (!soFar.tablesWritten().isEmpty()) {
                info.writtenValues(List.of(anything));
            }
        }
    }

    /**
     * The tables, columns and functions of a comma-separated list of expressions found in a statement
     * JSqlParser cannot read as a whole (CALL arguments, COPY's WHERE, MySQL SET values): they are
     * parsed as {@code SELECT <list> [FROM context]}.
     */
    StatementInfo expressions(Shape shape, int from, int to, TableName context) {
        if (from >= to) {
            return new InfoBuilder(StatementKind.SELECT).build();
        }
        ParserInput input = render(shape, from, to);
        StringBuilder sql = new StringBuilder("SELECT ").append(input.sql());
        if (context != null) {
            sql.append(" FROM ");
            if (context.qualified()) {
                sql.append(quote(context.schema())).append('.');
            }
            sql.append(quote(context.name()));
        }
        return ParseTreeWalker.walk(dialect, parse(sql.toString()), false).build();
    }

    private String quote(String identifier) {
        return dialect == Dialect.POSTGRES
                ? '"' + identifier.replace("\"", "\"\"") + '"'
                : '`' + identifier.replace("`", "``") + '`';
    }

    // ---------------------------------------------------------------- rendering

    ParserInput render(Shape s, int from, int to) {
        StringBuilder out = new StringBuilder((to - from) * 6);
        boolean currentOf = false;
        boolean writesFile = false;
        boolean intoVariables = false;
        Set<Integer> convertCommas = new HashSet<>();
        for (int p = from; p < to; p++) {
            // WHERE CURRENT OF cursor: JSqlParser lacks it; the statement restricts itself to one row
            if (s.isWord(p, "where") && s.isWord(p + 1, "current") && s.isWord(p + 2, "of") && p + 3 < to) {
                currentOf = true;
                p += 3;
                continue;
            }
            if (dialect == Dialect.POSTGRES && s.isWord(p, "only")
                    && (s.isWord(p - 1, "update") || (s.isWord(p - 1, "from") && s.isWord(p - 2, "delete")))) {
                continue; // UPDATE ONLY t / DELETE FROM ONLY t: the same table, without its inheritance children
            }
            if (s.isWord(p, "collate")) {
                p = skipName(s, p + 1, to) - 1;
                continue;
            }
            if (s.isWord(p, "between") && s.isAnyWord(p + 1, "symmetric", "asymmetric")) {
                out.append(" BETWEEN");
                p++;
                continue;
            }
            if (dialect == Dialect.POSTGRES && (s.is(p, TokenKind.WORD) || s.is(p, TokenKind.QUOTED_IDENT))
                    && (s.isOperator(p + 1, "=>") || s.isOperator(p + 1, ":="))
                    && (p == from || s.is(p - 1, TokenKind.LPAREN) || s.is(p - 1, TokenKind.COMMA))) {
                p++; // a named argument, name => value: the value is what matters
                continue;
            }
            if (s.isWord(p, "into") && !s.isAnyWord(p - 1, "insert", "merge")) {
                // SELECT ... INTO: PostgreSQL's INTO [TEMP | UNLOGGED] [TABLE] name, MySQL's INTO @var / OUTFILE
                int q = p + 1;
                if (dialect == Dialect.POSTGRES) {
                    while (s.isAnyWord(q, "temp", "temporary", "unlogged")) {
                        q++;
                    }
                    if (s.isWord(q, "table")) {
                        q++;
                    }
                    out.append(" INTO");
                    p = q - 1;
                    continue;
                }
                if (s.is(q, TokenKind.VARIABLE)) {
                    intoVariables = true;
                    while (s.is(q, TokenKind.VARIABLE) && s.is(q + 1, TokenKind.COMMA) && s.is(q + 2, TokenKind.VARIABLE)) {
                        q += 2;
                    }
                    p = q;
                    continue;
                }
                if (s.isAnyWord(q, "outfile", "dumpfile")) {
                    writesFile = true;
                    q++;
                    while (q < to && !s.isAnyWord(q, "from", "where", "group", "having", "order", "limit", "for",
                            "lock", "union", "window") && !s.is(q, TokenKind.RPAREN)) {
                        if (s.is(q, TokenKind.LPAREN)) {
                            throw new UnreadableStatementException("INTO OUTFILE options hold an expression");
                        }
                        q++;
                    }
                    p = q - 1;
                    continue;
                }
            }
            if (dialect == Dialect.MYSQL && s.isWord(p, "as") && s.is(p - 1, TokenKind.RPAREN)
                    && (s.is(p + 1, TokenKind.WORD) || s.is(p + 1, TokenKind.QUOTED_IDENT))) {
                // INSERT ... VALUES (...) AS new [(a, b)] ON DUPLICATE KEY UPDATE: the row alias (MySQL 8.0.19)
                int q = p + 2;
                if (s.is(q, TokenKind.LPAREN)) {
                    q = s.closing(q) + 1;
                }
                if (q > 0 && s.isWord(q, "on") && s.isWord(q + 1, "duplicate")) {
                    p = q - 1;
                    continue;
                }
            }
            if (dialect == Dialect.MYSQL && s.isWord(p, "lock") && s.isWord(p + 1, "in") && s.isWord(p + 2, "share")
                    && s.isWord(p + 3, "mode")) {
                out.append(" FOR SHARE"); // the same row locks, in words JSqlParser reads
                p += 3;
                continue;
            }
            if (dialect == Dialect.MYSQL && s.isWord(p, "binary") && !s.isAnyWord(p - 1, "as", "set", "charset")
                    && startsOperand(s, p + 1)) {
                // the BINARY operator, which JSqlParser would read as a column named binary with an alias
                out.append(" +");
                continue;
            }
            if (dialect == Dialect.MYSQL && s.isWord(p, "convert") && s.is(p + 1, TokenKind.LPAREN)) {
                // CONVERT(expr, type) is CAST(expr AS type); JSqlParser reads the type as a column
                int comma = topLevelComma(s, p + 2, s.closing(p + 1));
                if (comma >= 0) {
                    convertCommas.add(comma);
                    out.append(" CAST");
                    continue;
                }
            }
            if (convertCommas.contains(p)) {
                out.append(" AS");
                continue;
            }
            if (dialect == Dialect.POSTGRES && s.isWord(p, "operator") && s.is(p + 1, TokenKind.LPAREN)) {
                int close = s.closing(p + 1);
                if (close > p + 2 && close < to && s.is(close - 1, TokenKind.OPERATOR)) {
                    out.append(' ').append(operator(s.text(close - 1)));
                    p = close;
                    continue;
                }
            }
            out.append(' ');
            appendToken(s, p, out);
        }
        return new ParserInput(out.toString().trim(), currentOf, writesFile, intoVariables);
    }

    private static boolean startsOperand(Shape s, int p) {
        return s.is(p, TokenKind.WORD) || s.is(p, TokenKind.QUOTED_IDENT) || s.is(p, TokenKind.STRING)
                || s.is(p, TokenKind.NUMBER) || s.is(p, TokenKind.PARAM) || s.is(p, TokenKind.VARIABLE)
                || s.is(p, TokenKind.LPAREN);
    }

    /** The first comma between {@code from} and {@code to} outside parentheses, or -1. */
    private static int topLevelComma(Shape s, int from, int to) {
        int depth = 0;
        for (int p = from; p < to; p++) {
            if (s.is(p, TokenKind.LPAREN)) {
                depth++;
            } else if (s.is(p, TokenKind.RPAREN)) {
                depth--;
            } else if (depth == 0 && s.is(p, TokenKind.COMMA)) {
                return p;
            }
        }
        return -1;
    }

    private static int skipName(Shape s, int p, int to) {
        if (p < to && (s.is(p, TokenKind.WORD) || s.is(p, TokenKind.QUOTED_IDENT) || s.is(p, TokenKind.STRING))) {
            p++;
            while (p + 1 < to && s.is(p, TokenKind.DOT)
                    && (s.is(p + 1, TokenKind.WORD) || s.is(p + 1, TokenKind.QUOTED_IDENT))) {
                p += 2;
            }
        }
        return p;
    }

    private void appendToken(Shape s, int p, StringBuilder out) {
        switch (s.kind(p)) {
            case STRING -> out.append("'s'");
            case NUMBER -> out.append('1');
            case PARAM -> out.append('?');
            case QUOTED_IDENT -> out.append(quote(s.value(p)));
            case OPERATOR -> out.append(dialect == Dialect.POSTGRES ? operator(s.text(p)) : s.text(p));
            default -> out.append(s.text(p));
        }
    }

    private static String operator(String text) {
        return KNOWN_OPERATORS.contains(text) ? text : "+";
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Parses one statement: first without JSqlParser's slow "complex parsing", then, for statements
     * that are not deeply nested, with it, as CCJSqlParserUtil does. A watchdog interrupts a parse
     * that runs longer than the timeout (pathological input), which then counts as unreadable.
     */
    Statement parse(String sql) {
        String firstError;
        try {
            return parseOnce(sql, false);
        } catch (ParseFailure failure) {
            firstError = failure.getMessage();
        }
        if (CCJSqlParserUtil.getNestingDepth(sql) <= CCJSqlParserUtil.ALLOWED_NESTING_DEPTH) {
            try {
                return parseOnce(sql, true);
            } catch (ParseFailure failure) {
                // report the first error: it is about the simpler reading
            }
        }
        throw new UnreadableStatementException("the SQL parser could not read the statement: " + firstError);
    }

    private static final class ParseFailure extends Exception {
        private static final long serialVersionUID = 1L;

        ParseFailure(String message) {
            super(message, null, false, false);
        }
    }

    private Statement parseOnce(String sql, boolean complex) throws ParseFailure {
        CCJSqlParser parser = CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(complex);
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            parser.interrupted = true;
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            Statement statement = parser.Statement();
            if (parser.interrupted) {
                throw new ParseFailure("parsing took longer than " + timeoutMillis + " ms");
            }
            return statement;
        } catch (ParseFailure failure) {
            throw failure;
        } catch (StackOverflowError e) {
            throw new ParseFailure("the statement is nested too deeply");
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError error) {
                throw error;
            }
            if (parser.interrupted) {
                throw new ParseFailure("parsing took longer than " + timeoutMillis + " ms");
            }
            throw new ParseFailure(firstLine(e));
        } finally {
            watchdog.cancel(false);
        }
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("").strip();
        if (line.length() > 160) {
            line = line.substring(0, 160) + "...";
        }
        return line;
    }
}

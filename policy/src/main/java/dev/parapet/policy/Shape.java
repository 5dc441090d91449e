package dev.parapet.policy;

import java.util.Arrays;
import java.util.Set;

/**
 * One statement's tokens as the analysis sees them, and their fingerprint. Lists of literals that
 * only repeat a shape are folded away here ({@code IN (1, 2, 3)} and {@code IN (7)} both read
 * {@code in (?)}, as do {@code ARRAY[...]} of literals and the repeated rows of a multi-row
 * {@code VALUES}), and a sign before a number is folded into the number. Everything downstream,
 * the fingerprint, the classifier and the text handed to JSqlParser, reads only the remaining
 * tokens and never a literal's value, only its kind (string, number, parameter). So the analysis
 * is a function of the {@link #cacheKey()}, the fingerprint plus those kinds; that is what makes
 * caching analyses per query shape sound.
 *
 * <p>The one exception is MySQL's {@code PREPARE name FROM 'text'}: the string is SQL to be
 * analysed, so the fingerprint carries the fingerprint of that text instead of {@code ?}.
 */
final class Shape {

    /** MySQL reserved words: they cannot be unquoted identifiers, so lower-casing them merges nothing. */
    private static final Set<String> MYSQL_RESERVED = Set.of(
            "accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive", "before", "between",
            "bigint", "binary", "blob", "both", "by", "call", "cascade", "case", "change", "char", "character",
            "check", "collate", "column", "condition", "constraint", "continue", "convert", "create", "cross",
            "current_date", "current_time", "current_timestamp", "current_user", "cursor", "database", "databases",
            "dec", "decimal", "declare", "default", "delayed", "delete", "desc", "describe", "deterministic",
            "distinct", "distinctrow", "div", "double", "drop", "dual", "each", "else", "elseif", "enclosed",
            "escaped", "except", "exists", "exit", "explain", "false", "fetch", "float", "for", "force", "foreign",
            "from", "fulltext", "function", "generated", "get", "grant", "group", "having", "high_priority", "if",
            "ignore", "in", "index", "infile", "inner", "inout", "insensitive", "insert", "int", "integer",
            "intersect", "interval", "into", "is", "iterate", "join", "key", "keys", "kill", "lateral", "leading",
            "leave", "left", "like", "limit", "linear", "lines", "load", "localtime", "localtimestamp", "lock",
            "long", "loop", "low_priority", "match", "maxvalue", "mod", "modifies", "natural", "not",
            "no_write_to_binlog", "null", "numeric", "of", "on", "optimize", "option", "optionally", "or", "order",
            "out", "outer", "outfile", "over", "partition", "precision", "primary", "procedure", "purge", "range",
            "read", "reads", "real", "recursive", "references", "regexp", "release", "rename", "repeat", "replace",
            "require", "resignal", "restrict", "return", "revoke", "right", "rlike", "row", "rows", "schema",
            "schemas", "select", "sensitive", "separator", "set", "show", "signal", "smallint", "spatial",
            "specific", "sql", "sqlexception", "sqlstate", "sqlwarning", "sql_big_result", "sql_calc_found_rows",
            "sql_small_result", "ssl", "starting", "stored", "straight_join", "system", "table", "terminated",
            "then", "tinyint", "to", "trailing", "trigger", "true", "undo", "union", "unique", "unlock",
            "unsigned", "update", "usage", "use", "using", "utc_date", "utc_time", "utc_timestamp", "values",
            "varbinary", "varchar", "varying", "virtual", "when", "where", "while", "window", "with", "write",
            "xor", "zerofill");

    /** Words after which a sign is unary: "where x = -1", "select -1", "limit -1". */
    private static final Set<String> UNARY_CONTEXT = Set.of(
            "select", "where", "and", "or", "not", "then", "else", "when", "values", "set", "return", "returning",
            "by", "limit", "offset", "in", "between", "like", "is", "on", "having", "case", "to", "from");

    /** Words after which the fingerprint keeps a space before "(", because they are not function names. */
    private static final Set<String> SPACED_BEFORE_PAREN = Set.of(
            "in", "values", "as", "exists", "any", "all", "some", "and", "or", "not", "on", "using", "from", "join",
            "where", "select", "into", "set", "by", "with", "lateral", "over", "filter", "returning", "when", "then",
            "else", "case", "between", "like", "is", "table", "union", "except", "intersect", "do", "default", "copy",
            "explain", "analyze", "verbose", "to", "atomic");

    private static final int MAX_PREPARE_NESTING = 3;

    final Tokens tokens;
    private final int[] ix;
    private final int prepareNesting;
    private String fingerprint;
    private String cacheKey;

    private Shape(Tokens tokens, int[] ix, int prepareNesting) {
        this.tokens = tokens;
        this.ix = ix;
        this.prepareNesting = prepareNesting;
    }

    /** The shape of the statement in {@code [from, to)} of {@code tokens}, with literal lists folded. */
    static Shape of(Tokens tokens, int from, int to) {
        return of(tokens, from, to, 0);
    }

    private static Shape of(Tokens tokens, int from, int to, int prepareNesting) {
        boolean[] skip = new boolean[to - from];
        foldSigns(tokens, from, to, skip);
        foldLiteralLists(tokens, from, to, skip);
        int[] ix = new int[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!skip[i - from]) {
                ix[n++] = i;
            }
        }
        Shape shape = new Shape(tokens, n == ix.length ? ix : Arrays.copyOf(ix, n), prepareNesting);
        int[] folded = shape.foldValuesRows();
        return folded == shape.ix ? shape : new Shape(tokens, folded, prepareNesting);
    }

    /** Positions {@code [from, to)} of this shape as a shape of its own (an EXPLAIN's statement, a PREPARE's body). */
    Shape slice(int from, int to) {
        return new Shape(tokens, Arrays.copyOfRange(ix, from, to), prepareNesting);
    }

    // ---------------------------------------------------------------- access by position

    int size() {
        return ix.length;
    }

    TokenKind kind(int p) {
        return p >= 0 && p < ix.length ? tokens.kind(ix[p]) : null;
    }

    boolean is(int p, TokenKind kind) {
        return kind(p) == kind;
    }

    boolean isWord(int p, String lowerCaseWord) {
        return p >= 0 && p < ix.length && tokens.isWord(ix[p], lowerCaseWord);
    }

    boolean isAnyWord(int p, String... lowerCaseWords) {
        return p >= 0 && p < ix.length && tokens.isAnyWord(ix[p], lowerCaseWords);
    }

    /** The lower-cased word at {@code p}, or null when it is not an unquoted word. */
    String word(int p) {
        return p >= 0 && p < ix.length ? tokens.word(ix[p]) : null;
    }

    String text(int p) {
        return tokens.text(ix[p]);
    }

    String value(int p) {
        return tokens.value(ix[p]);
    }

    boolean isOperator(int p, String operator) {
        return p >= 0 && p < ix.length && tokens.isOperator(ix[p], operator);
    }

    Dialect dialect() {
        return tokens.dialect;
    }

    int prepareNesting() {
        return prepareNesting;
    }

    /** The position of the parenthesis closing the one opened at {@code open}, or -1. */
    int closing(int open) {
        int depth = 0;
        for (int p = open; p < ix.length; p++) {
            TokenKind kind = kind(p);
            if (kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) {
                depth++;
            } else if (kind == TokenKind.RPAREN || kind == TokenKind.RBRACKET) {
                if (--depth == 0) {
                    return p;
                }
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- fingerprint

    /** The literal-free text of this statement (see {@link StatementAnalysis#fingerprint()}). */
    String fingerprint() {
        if (fingerprint == null) {
            fingerprint = render(0, ix.length, null);
        }
        return fingerprint;
    }

    /**
     * What the analysis of this statement is cached under: the fingerprint and, after a NUL, the
     * kind of each literal in order (s: string, n: number, p: parameter). The text handed to
     * JSqlParser writes a string as 's' and a number as 1, so {@code LIMIT 'x'} and {@code LIMIT 10}
     * could parse differently; keying on the kinds too means no statement can make another
     * statement of its fingerprint unreadable, and the analysis stays a function of the key alone.
     */
    String cacheKey() {
        if (cacheKey == null) {
            StringBuilder kinds = new StringBuilder();
            fingerprint = render(0, ix.length, kinds);
            cacheKey = kinds.isEmpty() ? fingerprint : fingerprint + '\0' + kinds;
        }
        return cacheKey;
    }

    private String render(int from, int to, StringBuilder kinds) {
        StringBuilder out = new StringBuilder(Math.max(16, (to - from) * 6));
        int preparedText = mysqlPreparedText();
        for (int p = from; p < to; p++) {
            if (p > from && spaceBefore(p)) {
                out.append(' ');
            }
            int i = ix[p];
            switch (tokens.kind(i)) {
                case WORD -> appendWord(out, i);
                case QUOTED_IDENT -> {
                    if (tokens.dialect == Dialect.POSTGRES) {
                        out.append('"').append(tokens.value(i).replace("\"", "\"\"")).append('"');
                    } else {
                        out.append('`').append(tokens.value(i).replace("`", "``")).append('`');
                    }
                }
                case STRING -> {
                    if (p == preparedText) {
                        out.append('\'').append(preparedFingerprint(p, kinds).replace("'", "''")).append('\'');
                    } else {
                        out.append('?');
                        if (kinds != null) {
                            kinds.append('s');
                        }
                    }
                }
                case NUMBER, PARAM -> {
                    out.append('?');
                    if (kinds != null) {
                        kinds.append(tokens.kind(i) == TokenKind.NUMBER ? 'n' : 'p');
                    }
                }
                case OPERATOR -> {
                    String text = tokens.text(i);
                    // PostgreSQL's jsonb operators contain '?': keep them apart from the literal marker
                    out.append(text.indexOf('?') >= 0 ? "operator(" + text + ")" : text);
                }
                default -> out.append(tokens.sql, tokens.start(i), tokens.end(i));
            }
        }
        return out.toString();
    }

    /** PostgreSQL folds every unquoted word to lower case; MySQL only reserved words (see {@link #MYSQL_RESERVED}). */
    private void appendWord(StringBuilder out, int i) {
        String sql = tokens.sql;
        int start = tokens.start(i);
        int end = tokens.end(i);
        if (tokens.dialect == Dialect.MYSQL && !MYSQL_RESERVED.contains(Tokens.asciiLowerCase(sql.substring(start, end)))) {
            out.append(sql, start, end);
            return;
        }
        for (int k = start; k < end; k++) {
            char c = sql.charAt(k);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
    }

    private boolean spaceBefore(int p) {
        TokenKind kind = kind(p);
        TokenKind previous = kind(p - 1);
        if (kind == TokenKind.COMMA || kind == TokenKind.RPAREN || kind == TokenKind.RBRACKET
                || kind == TokenKind.DOT || kind == TokenKind.CAST || kind == TokenKind.SEMICOLON) {
            return false;
        }
        if (previous == TokenKind.LPAREN || previous == TokenKind.LBRACKET || previous == TokenKind.DOT
                || previous == TokenKind.CAST) {
            return false;
        }
        if (kind == TokenKind.LPAREN || kind == TokenKind.LBRACKET) {
            if (previous == TokenKind.QUOTED_IDENT || previous == TokenKind.RPAREN) {
                return previous == TokenKind.RPAREN;
            }
            if (previous == TokenKind.WORD) {
                return SPACED_BEFORE_PAREN.contains(word(p - 1));
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- MySQL PREPARE ... FROM 'text'

    /** The position of the string in MySQL's {@code PREPARE name FROM 'text'}, or -1. */
    int mysqlPreparedText() {
        if (tokens.dialect != Dialect.MYSQL || ix.length != 4 || !isWord(0, "prepare") || !isWord(2, "from")
                || !is(3, TokenKind.STRING)) {
            return -1;
        }
        return 3;
    }

    /** The decoded SQL text of MySQL's {@code PREPARE name FROM 'text'}, or null when it is not a plain string. */
    String mysqlPreparedSql() {
        int p = mysqlPreparedText();
        return p < 0 ? null : decodeMysqlString(text(p));
    }

    /** The fingerprint of the text a MySQL PREPARE prepares; {@code kinds} (when not null) gets its literal kinds. */
    private String preparedFingerprint(int p, StringBuilder kinds) {
        String sql = decodeMysqlString(text(p));
        if (sql == null || prepareNesting >= MAX_PREPARE_NESTING) {
            if (kinds != null) {
                kinds.append('s');
            }
            return "?";
        }
        try {
            Tokens inner = SqlLexer.lex(sql, Dialect.MYSQL);
            StringBuilder out = new StringBuilder();
            for (StatementSplitter.Range range : StatementSplitter.split(inner)) {
                if (!out.isEmpty()) {
                    out.append("; ");
                }
                Shape shape = of(inner, range.from(), range.to(), prepareNesting + 1);
                out.append(shape.fingerprint());
                if (kinds != null) {
                    kinds.append('[').append(shape.cacheKey().substring(shape.fingerprint().length())).append(']');
                }
            }
            return out.toString();
        } catch (SqlLexer.LexException e) {
            if (kinds != null) {
                kinds.append('s');
            }
            return "?";
        }
    }

    /** A MySQL '...' or "..." literal (optionally N- or charset-prefixed) decoded, or null for other forms. */
    static String decodeMysqlString(String literal) {
        int quote = 0;
        if (!literal.isEmpty() && literal.charAt(0) != '\'' && literal.charAt(0) != '"') {
            char first = Character.toLowerCase(literal.charAt(0));
            if (first != 'n' && first != '_') {
                return null; // X'..' or B'..'
            }
            int single = literal.indexOf('\'');
            int dbl = literal.indexOf('"');
            quote = single < 0 ? dbl : dbl < 0 ? single : Math.min(single, dbl);
        }
        char q = literal.charAt(quote);
        StringBuilder out = new StringBuilder(literal.length());
        for (int i = quote + 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length() - 1) {
                char next = literal.charAt(++i);
                switch (next) {
                    case '0' -> out.append('\0');
                    case 'b' -> out.append('\b');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'Z' -> out.append('\u001A');
                    case '%', '_' -> out.append('\\').append(next);
                    default -> out.append(next);
                }
            } else if (c == q && i + 1 < literal.length() - 1 && literal.charAt(i + 1) == q) {
                out.append(q);
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- folding

    private static void foldSigns(Tokens tokens, int from, int to, boolean[] skip) {
        for (int i = from; i < to - 1; i++) {
            if ((tokens.isOperator(i, "-") || tokens.isOperator(i, "+")) && tokens.is(i + 1, TokenKind.NUMBER)) {
                int previous = i - 1;
                boolean unary = previous < from
                        || tokens.is(previous, TokenKind.OPERATOR) || tokens.is(previous, TokenKind.LPAREN)
                        || tokens.is(previous, TokenKind.LBRACKET) || tokens.is(previous, TokenKind.COMMA)
                        || (tokens.is(previous, TokenKind.WORD) && UNARY_CONTEXT.contains(tokens.word(previous)));
                if (unary) {
                    skip[i - from] = true;
                }
            }
        }
    }

    /** IN (literal, ...) and ARRAY[literal, ...]: keep the first element only. */
    private static void foldLiteralLists(Tokens tokens, int from, int to, boolean[] skip) {
        for (int i = from; i < to - 1; i++) {
            boolean in = tokens.isWord(i, "in") && tokens.is(i + 1, TokenKind.LPAREN);
            boolean array = tokens.isWord(i, "array") && tokens.is(i + 1, TokenKind.LBRACKET);
            if (!in && !array) {
                continue;
            }
            TokenKind close = in ? TokenKind.RPAREN : TokenKind.RBRACKET;
            int p = i + 2;
            int elements = 0;
            boolean literals = true;
            while (p < to) {
                while (p < to && skip[p - from]) {
                    p++; // a folded sign
                }
                if (p >= to || !tokens.isLiteral(p)) {
                    literals = false;
                    break;
                }
                elements++;
                p++;
                if (tokens.is(p, TokenKind.COMMA)) {
                    p++;
                } else {
                    break;
                }
            }
            if (!literals || p >= to || !tokens.is(p, close) || elements < 2) {
                continue;
            }
            // keep "( first", skip from the first comma up to the closing bracket
            int firstComma = i + 3;
            while (!tokens.is(firstComma, TokenKind.COMMA)) {
                firstComma++;
            }
            for (int k = firstComma; k < p; k++) {
                skip[k - from] = true;
            }
            i = p;
        }
    }

    /** VALUES (...), (...): the token indexes without the rows whose shape repeats the first row's. */
    private int[] foldValuesRows() {
        boolean[] dropped = null;
        for (int p = 0; p < ix.length; p++) {
            if (!isWord(p, "values") || !is(p + 1, TokenKind.LPAREN)) {
                continue;
            }
            int firstEnd = closing(p + 1);
            if (firstEnd < 0) {
                return ix;
            }
            String first = render(p + 1, firstEnd + 1, null);
            int q = firstEnd + 1;
            while (is(q, TokenKind.COMMA) && is(q + 1, TokenKind.LPAREN)) {
                int rowEnd = closing(q + 1);
                if (rowEnd < 0) {
                    return ix;
                }
                if (render(q + 1, rowEnd + 1, null).equals(first)) {
                    if (dropped == null) {
                        dropped = new boolean[ix.length];
                    }
                    for (int k = q; k <= rowEnd; k++) {
                        dropped[k] = true;
                    }
                }
                q = rowEnd + 1;
            }
            p = q - 1;
        }
        if (dropped == null) {
            return ix;
        }
        int[] folded = new int[ix.length];
        int n = 0;
        for (int p = 0; p < ix.length; p++) {
            if (!dropped[p]) {
                folded[n++] = ix[p];
            }
        }
        return Arrays.copyOf(folded, n);
    }
}

package dev.parapet.policy;

/**
 * Splits SQL text into tokens by the lexical rules of PostgreSQL or MySQL, written by hand so that
 * the gateway reads statement boundaries exactly as the server does: single-quoted strings with
 * {@code ''}, PostgreSQL E'' strings with backslash escapes, dollar quotes {@code $tag$...$tag$},
 * double-quoted and {@code U&"..."} identifiers, MySQL backtick identifiers and backslash escapes,
 * {@code --} comments (MySQL: only when followed by a space), nested PostgreSQL {@code /* *}{@code /}
 * comments, MySQL {@code #} comments and {@code /*! ... *}{@code /} comments, whose content MySQL
 * executes and so is lexed as code.
 *
 * <p>Two server settings change where a string literal ends: PostgreSQL's
 * {@code standard_conforming_strings} (off: backslashes escape in '' strings) and MySQL's
 * {@code NO_BACKSLASH_ESCAPES}. A client can change either in its session. The lexer follows the
 * defaults and sets {@link Tokens#settingSensitive} when it met a backslash whose meaning depends
 * on them; the analyzer then lexes again with {@code alternateEscapes} and refuses the text if the
 * two readings differ.
 *
 * <p>Whether MySQL runs an executable comment can depend on the server too: {@code /*!NNNNN ... *}{@code /}
 * runs only on servers of version NNNNN or later, {@code /*M! ... *}{@code /} only on MariaDB, and a
 * server that does not run one skips it up to the first {@code *}{@code /}, whatever the content
 * holds. The lexer reads the content of every executable comment as code and sets
 * {@link Tokens#versionGated} when one is not run by every supported server (MySQL 5.7 and later,
 * MariaDB); the analyzer then lexes again with {@code skipGatedComments} and refuses the text if
 * the two readings differ, so {@code DELETE FROM t /*!90000 WHERE id = 1 *}{@code /} is not taken
 * for a DELETE with a WHERE.
 */
final class SqlLexer {

    /** Text that no server would split into tokens: an unterminated literal or comment, a stray character. */
    static final class LexException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LexException(String message) {
            super(message, null, false, false);
        }
    }

    private static final String PG_OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
    private static final String[] MYSQL_OPERATORS = {
        "<=>", "->>", "<<", ">>", "<=", ">=", "<>", "!=", "&&", "||", "->",
        "+", "-", "*", "/", "%", "=", "<", ">", "!", "~", "^", "&", "|"
    };

    private final String sql;
    private final int length;
    private final Dialect dialect;
    private final boolean alternateEscapes;
    private final boolean skipGatedComments;
    private final Tokens tokens;
    private int pos;
    private boolean inExecutableComment;

    /** Executable comments of this version or older run on every MySQL and MariaDB server the gateway supports. */
    private static final int EVERY_SERVER_RUNS = 50700;

    private SqlLexer(String sql, Dialect dialect, boolean alternateEscapes, boolean skipGatedComments) {
        this.sql = sql;
        this.length = sql.length();
        this.dialect = dialect;
        this.alternateEscapes = alternateEscapes;
        this.skipGatedComments = skipGatedComments;
        this.tokens = new Tokens(sql, dialect);
    }

    /** Tokens of {@code sql} read with the server's default settings. */
    static Tokens lex(String sql, Dialect dialect) {
        return lex(sql, dialect, false);
    }

    /**
     * Tokens of {@code sql}; with {@code alternateEscapes}, as read by a PostgreSQL session with
     * {@code standard_conforming_strings = off} or a MySQL session with {@code NO_BACKSLASH_ESCAPES}.
     */
    static Tokens lex(String sql, Dialect dialect, boolean alternateEscapes) {
        SqlLexer lexer = new SqlLexer(sql, dialect, alternateEscapes, false);
        lexer.run();
        return lexer.tokens;
    }

    /**
     * Tokens of {@code sql} as read by a MySQL server that runs only the executable comments that
     * every supported server runs, skipping the others as comments.
     */
    static Tokens lexSkippingGatedComments(String sql, Dialect dialect) {
        SqlLexer lexer = new SqlLexer(sql, dialect, false, true);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (true) {
            skipSpaceAndComments();
            if (pos >= length) {
                break;
            }
            char c = sql.charAt(pos);
            int start = pos;
            switch (c) {
                case '(' -> single(TokenKind.LPAREN);
                case ')' -> single(TokenKind.RPAREN);
                case '[' -> single(TokenKind.LBRACKET);
                case ']' -> single(TokenKind.RBRACKET);
                case ',' -> single(TokenKind.COMMA);
                case ';' -> single(TokenKind.SEMICOLON);
                case ':' -> colon();
                case '\'' -> {
                    if (dialect == Dialect.POSTGRES) {
                        pgString(start, start, alternateEscapes);
                    } else {
                        mysqlString(start, start);
                    }
                }
                case '"' -> {
                    if (dialect == Dialect.POSTGRES) {
                        pgQuotedIdentifier(start, start);
                    } else {
                        mysqlString(start, start);
                    }
                }
                case '`' -> {
                    if (dialect == Dialect.MYSQL) {
                        backtickIdentifier();
                    } else {
                        throw new LexException("unexpected character '`' at offset " + start);
                    }
                }
                case '.' -> {
                    if (pos + 1 < length && isDigit(sql.charAt(pos + 1))) {
                        number();
                    } else {
                        single(TokenKind.DOT);
                    }
                }
                default -> other(c, start);
            }
        }
        if (inExecutableComment) {
            throw new LexException("an executable comment /*! is not closed");
        }
    }

    private void other(char c, int start) {
        if (isDigit(c)) {
            if (dialect == Dialect.MYSQL) {
                mysqlNumberOrWord();
            } else {
                number();
            }
        } else if (c == '$' && dialect == Dialect.POSTGRES) {
            dollar(start);
        } else if (c == '?' && dialect == Dialect.MYSQL) {
            pos++;
            tokens.add(TokenKind.PARAM, start, pos, null);
        } else if (c == '@' && dialect == Dialect.MYSQL) {
            mysqlVariable(start);
        } else if (isIdentifierStart(c)) {
            word(start);
        } else if (dialect == Dialect.POSTGRES && PG_OPERATOR_CHARS.indexOf(c) >= 0) {
            pgOperator(start);
        } else if (dialect == Dialect.MYSQL && mysqlOperator(start)) {
            return;
        } else {
            throw new LexException("unexpected character '" + c + "' at offset " + start);
        }
    }

    private void single(TokenKind kind) {
        tokens.add(kind, pos, pos + 1, null);
        pos++;
    }

    private void colon() {
        int start = pos;
        if (charAt(pos + 1) == ':') {
            pos += 2;
            tokens.add(TokenKind.CAST, start, pos, null);
        } else if (charAt(pos + 1) == '=') {
            pos += 2;
            tokens.add(TokenKind.OPERATOR, start, pos, null);
        } else {
            single(TokenKind.COLON);
        }
    }

    // ---------------------------------------------------------------- whitespace and comments

    private void skipSpaceAndComments() {
        while (pos < length) {
            char c = sql.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (c == '-' && charAt(pos + 1) == '-'
                    && (dialect == Dialect.POSTGRES || pos + 2 >= length || sql.charAt(pos + 2) <= ' ')) {
                skipLine();
            } else if (c == '#' && dialect == Dialect.MYSQL) {
                skipLine();
            } else if (c == '/' && charAt(pos + 1) == '*') {
                if (dialect == Dialect.POSTGRES) {
                    skipNestedComment();
                } else {
                    mysqlComment();
                }
            } else if (c == '*' && charAt(pos + 1) == '/' && inExecutableComment) {
                pos += 2;
                inExecutableComment = false;
            } else {
                return;
            }
        }
    }

    private void skipLine() {
        while (pos < length && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
            pos++;
        }
    }

    private void skipNestedComment() {
        int start = pos;
        int depth = 0;
        while (pos < length) {
            if (sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                depth--;
                pos += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        throw new LexException("the comment starting at offset " + start + " is not closed");
    }

    /** MySQL: /*! and /*M! comments hold code (lexed in place); others are skipped, not nested. */
    private void mysqlComment() {
        int start = pos;
        int codeStart = -1;
        if (charAt(pos + 2) == '!') {
            codeStart = pos + 3;
        } else if (charAt(pos + 2) == 'M' && charAt(pos + 3) == '!') {
            codeStart = pos + 4;
        }
        if (codeStart >= 0) {
            if (inExecutableComment) {
                throw new LexException("executable comments cannot nest (offset " + start + ")");
            }
            int digits = 0;
            while (codeStart + digits < length && isDigit(sql.charAt(codeStart + digits))) {
                digits++;
            }
            boolean mariaDbOnly = codeStart == pos + 4;
            // servers read five digits as the version (MariaDB also six); with any other count they
            // would disagree on where the version ends and the code starts
            if (digits != 0 && digits != 5 && !(mariaDbOnly && digits == 6)) {
                throw new LexException("the version of the executable comment at offset " + start
                        + " does not have five digits, and servers disagree on where such a version ends");
            }
            boolean gated = mariaDbOnly
                    || digits == 5 && Integer.parseInt(sql, codeStart, codeStart + digits, 10) > EVERY_SERVER_RUNS;
            if (gated) {
                tokens.versionGated = true;
                if (skipGatedComments) {
                    skipPlainComment(start);
                    return;
                }
            }
            pos = codeStart + digits;
            inExecutableComment = true;
            return;
        }
        skipPlainComment(start);
    }

    private void skipPlainComment(int start) {
        int end = sql.indexOf("*/", pos + 2);
        if (end < 0) {
            throw new LexException("the comment starting at offset " + start + " is not closed");
        }
        pos = end + 2;
    }

    // ---------------------------------------------------------------- PostgreSQL literals

    /** A '...' string (possibly after a prefix that starts at {@code start}); E'' strings pass {@code escapes}. */
    private void pgString(int start, int quote, boolean escapes) {
        scanPgQuoted(start, quote, escapes);
        // 'foo'<newline>'bar' is one literal in PostgreSQL when only whitespace with a newline separates the parts.
        while (true) {
            int p = pos;
            boolean newline = false;
            while (p < length && isSpace(sql.charAt(p))) {
                newline |= sql.charAt(p) == '\n' || sql.charAt(p) == '\r';
                p++;
            }
            if (!newline || charAt(p) != '\'') {
                break;
            }
            scanPgQuoted(start, p, escapes);
        }
        tokens.add(TokenKind.STRING, start, pos, null);
    }

    private void scanPgQuoted(int start, int quote, boolean escapes) {
        pos = quote + 1;
        while (true) {
            if (pos >= length) {
                throw new LexException("the string starting at offset " + start + " is not closed");
            }
            char c = sql.charAt(pos);
            if (c == '\\') {
                if (escapes) {
                    pos += 2;
                    continue;
                }
                tokens.settingSensitive = true;
                pos++;
            } else if (c == '\'') {
                if (charAt(pos + 1) == '\'') {
                    pos += 2;
                } else {
                    pos++;
                    return;
                }
            } else {
                pos++;
            }
        }
    }

    private void pgQuotedIdentifier(int start, int quote) {
        String name = readDoubleQuoted(start, quote);
        tokens.add(TokenKind.QUOTED_IDENT, start, pos, name);
    }

    /** Reads "..." from {@code quote} with "" as an escaped quote; leaves pos after the closing quote. */
    private String readDoubleQuoted(int start, int quote) {
        return readQuoted(start, quote, '"');
    }

    /**
     * Reads an identifier quoted with {@code mark} starting at {@code open}, a doubled mark standing
     * for itself; leaves pos after the closing mark.
     */
    private String readQuoted(int start, int open, char mark) {
        StringBuilder name = new StringBuilder();
        pos = open + 1;
        while (true) {
            if (pos >= length) {
                throw new LexException("the quoted identifier starting at offset " + start + " is not closed");
            }
            char c = sql.charAt(pos);
            if (c == mark) {
                if (charAt(pos + 1) == mark) {
                    name.append(mark);
                    pos += 2;
                } else {
                    pos++;
                    break;
                }
            } else {
                name.append(c);
                pos++;
            }
        }
        if (name.isEmpty()) {
            throw new LexException("zero-length quoted identifier at offset " + start);
        }
        return name.toString();
    }

    /** U&"..." identifiers and U&'...' strings, each with an optional UESCAPE 'c'. */
    private void pgUnicode(int start) {
        int quote = pos + 1; // pos is at '&'
        if (sql.charAt(quote) == '\'') {
            pgString(start, quote, false);
            int end = pos;
            char escape = uescape();
            if (pos > end) {
                tokens.extendLast(pos);
            }
            if (escape == 0) {
                throw new LexException("invalid UESCAPE character at offset " + start);
            }
            return;
        }
        String raw = readDoubleQuoted(start, quote);
        char escape = uescape();
        if (escape == 0) {
            throw new LexException("invalid UESCAPE character at offset " + start);
        }
        tokens.add(TokenKind.QUOTED_IDENT, start, pos, decodeUnicodeEscapes(raw, escape, start));
    }

    /** Consumes an optional {@code UESCAPE 'c'} and returns the escape character (0 when invalid). */
    private char uescape() {
        int saved = pos;
        skipSpaceAndComments();
        if (pos + 7 <= length && sql.regionMatches(true, pos, "uescape", 0, 7)
                && !isIdentifierPart(charAt(pos + 7))) {
            pos += 7;
            skipSpaceAndComments();
            if (charAt(pos) == '\'' && charAt(pos + 2) == '\'' && pos + 2 < length) {
                char escape = sql.charAt(pos + 1);
                pos += 3;
                boolean invalid = isHexDigit(escape) || escape == '+' || escape == '\'' || escape == '"' || isSpace(escape);
                return invalid ? 0 : escape;
            }
            throw new LexException("UESCAPE must be followed by a one-character string at offset " + saved);
        }
        pos = saved;
        return '\\';
    }

    private static String decodeUnicodeEscapes(String raw, char escape, int offset) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != escape) {
                out.append(c);
                continue;
            }
            if (i + 1 < raw.length() && raw.charAt(i + 1) == escape) {
                out.append(escape);
                i++;
                continue;
            }
            int digits = 4;
            int from = i + 1;
            if (from < raw.length() && raw.charAt(from) == '+') {
                digits = 6;
                from++;
            }
            if (from + digits > raw.length()) {
                throw new LexException("invalid Unicode escape in the identifier at offset " + offset);
            }
            int codePoint = 0;
            for (int k = from; k < from + digits; k++) {
                int digit = Character.digit(raw.charAt(k), 16);
                if (digit < 0) {
                    throw new LexException("invalid Unicode escape in the identifier at offset " + offset);
                }
                codePoint = codePoint * 16 + digit;
            }
            if (codePoint == 0 || !Character.isValidCodePoint(codePoint)
                    || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
                throw new LexException("invalid Unicode code point in the identifier at offset " + offset);
            }
            out.appendCodePoint(codePoint);
            i = from + digits - 1;
        }
        return out.toString();
    }

    private void dollar(int start) {
        if (isDigit(charAt(pos + 1))) {
            pos++;
            while (pos < length && isDigit(sql.charAt(pos))) {
                pos++;
            }
            tokens.add(TokenKind.PARAM, start, pos, null);
            return;
        }
        int p = pos + 1;
        if (p < length && isIdentifierStart(sql.charAt(p))) {
            p++;
            while (p < length && isIdentifierPart(sql.charAt(p)) && sql.charAt(p) != '$') {
                p++;
            }
        }
        if (charAt(p) != '$') {
            throw new LexException("unexpected character '$' at offset " + start);
        }
        String delimiter = sql.substring(start, p + 1);
        int close = sql.indexOf(delimiter, p + 1);
        if (close < 0) {
            throw new LexException("the dollar-quoted string starting at offset " + start + " is not closed");
        }
        pos = close + delimiter.length();
        tokens.add(TokenKind.STRING, start, pos, sql.substring(p + 1, close));
    }

    private void number() {
        int start = pos;
        char c = sql.charAt(pos);
        char radix = Character.toLowerCase(charAt(pos + 1));
        if (c == '0' && (radix == 'x' || radix == 'o' || radix == 'b') && isRadixDigit(charAt(pos + 2), radix)) {
            pos += 2;
            while (pos < length && (isRadixDigit(sql.charAt(pos), radix) || sql.charAt(pos) == '_')) {
                pos++;
            }
            tokens.add(TokenKind.NUMBER, start, pos, null);
            return;
        }
        digits();
        if (charAt(pos) == '.' && charAt(pos + 1) != '.') {
            pos++;
            digits();
        }
        exponent();
        tokens.add(TokenKind.NUMBER, start, pos, null);
    }

    private void digits() {
        while (pos < length && (isDigit(sql.charAt(pos))
                || (sql.charAt(pos) == '_' && dialect == Dialect.POSTGRES && isDigit(charAt(pos + 1)) && pos > 0
                && isDigit(sql.charAt(pos - 1))))) {
            pos++;
        }
    }

    private void exponent() {
        char e = charAt(pos);
        if (e == 'e' || e == 'E') {
            int p = pos + 1;
            if (charAt(p) == '+' || charAt(p) == '-') {
                p++;
            }
            if (isDigit(charAt(p))) {
                pos = p;
                digits();
            }
        }
    }

    private void pgOperator(int start) {
        int p = pos;
        while (p < length && PG_OPERATOR_CHARS.indexOf(sql.charAt(p)) >= 0) {
            if (p > start && (sql.startsWith("--", p) || sql.startsWith("/*", p))) {
                break;
            }
            p++;
        }
        // A multi-character operator cannot end in + or - unless it holds one of ~!@#%^&|`?
        int end = p;
        if (end - start > 1 && (sql.charAt(end - 1) == '+' || sql.charAt(end - 1) == '-')) {
            boolean special = false;
            for (int k = start; k < end; k++) {
                if ("~!@#%^&|`?".indexOf(sql.charAt(k)) >= 0) {
                    special = true;
                    break;
                }
            }
            if (!special) {
                while (end - start > 1 && (sql.charAt(end - 1) == '+' || sql.charAt(end - 1) == '-')) {
                    end--;
                }
            }
        }
        pos = end;
        tokens.add(TokenKind.OPERATOR, start, end, null);
    }

    // ---------------------------------------------------------------- MySQL literals

    /** '...' or "..." (and the prefixed forms); backslash escapes unless NO_BACKSLASH_ESCAPES. */
    private void mysqlString(int start, int quote) {
        scanMysqlQuoted(start, quote);
        tokens.add(TokenKind.STRING, start, pos, null);
    }

    private void scanMysqlQuoted(int start, int quote) {
        char q = sql.charAt(quote);
        pos = quote + 1;
        while (true) {
            if (pos >= length) {
                throw new LexException("the string starting at offset " + start + " is not closed");
            }
            char c = sql.charAt(pos);
            if (c == '\\') {
                tokens.settingSensitive = true;
                pos += alternateEscapes ? 1 : 2;
            } else if (c == q) {
                if (charAt(pos + 1) == q) {
                    pos += 2;
                } else {
                    pos++;
                    return;
                }
            } else {
                pos++;
            }
        }
    }

    private void backtickIdentifier() {
        int start = pos;
        String name = readBacktickQuoted(start);
        tokens.add(TokenKind.QUOTED_IDENT, start, pos, name);
    }

    /** Reads `...` from pos with `` as an escaped backtick; leaves pos after the closing backtick. */
    private String readBacktickQuoted(int start) {
        return readQuoted(start, pos, '`');
    }

    /** MySQL identifiers may begin with digits (1abc) unless they are all digits or a number form. */
    private void mysqlNumberOrWord() {
        int start = pos;
        int p = pos;
        while (p < length && isIdentifierPart(sql.charAt(p))) {
            p++;
        }
        String run = sql.substring(start, p);
        if (run.chars().allMatch(SqlLexer::isDigit)) {
            number();
            return;
        }
        String lower = run.toLowerCase(java.util.Locale.ROOT);
        boolean number = lower.matches("0x[0-9a-f]+") || lower.matches("0b[01]+") || lower.matches("[0-9]+e[0-9]+")
                || (lower.matches("[0-9]+e") && (charAt(p) == '+' || charAt(p) == '-') && isDigit(charAt(p + 1)));
        if (number) {
            pos = p;
            if (lower.endsWith("e")) {
                pos++;
                while (pos < length && isDigit(sql.charAt(pos))) {
                    pos++;
                }
            }
            tokens.add(TokenKind.NUMBER, start, pos, null);
            return;
        }
        pos = p;
        tokens.add(TokenKind.WORD, start, pos, null);
    }

    private void mysqlVariable(int start) {
        int p = pos + 1;
        if (charAt(p) == '@') {
            p++;
        }
        char c = charAt(p);
        if (c == '\'' || c == '"') {
            scanMysqlQuoted(start, p);
            tokens.add(TokenKind.VARIABLE, start, pos, null);
            return;
        }
        if (c == '`') {
            pos = p;
            readBacktickQuoted(p);
            tokens.add(TokenKind.VARIABLE, start, pos, null);
            return;
        }
        while (p < length && (isIdentifierPart(sql.charAt(p)) || sql.charAt(p) == '.')) {
            p++;
        }
        if (p == pos + 1) {
            pos++;
            tokens.add(TokenKind.OPERATOR, start, pos, null);
            return;
        }
        pos = p;
        tokens.add(TokenKind.VARIABLE, start, pos, null);
    }

    private boolean mysqlOperator(int start) {
        for (String operator : MYSQL_OPERATORS) {
            if (sql.startsWith(operator, start)) {
                pos = start + operator.length();
                tokens.add(TokenKind.OPERATOR, start, pos, null);
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- words

    private void word(int start) {
        pos++;
        while (pos < length && isIdentifierPart(sql.charAt(pos))) {
            pos++;
        }
        int wordLength = pos - start;
        char next = charAt(pos);
        if (wordLength == 1) {
            char p = Character.toLowerCase(sql.charAt(start));
            if (dialect == Dialect.POSTGRES) {
                if (next == '\'' && (p == 'e' || p == 'b' || p == 'x' || p == 'n')) {
                    // N'' is a standard string: it takes backslash escapes only when standard_conforming_strings is off
                    pgString(start, pos, p == 'e' || (p == 'n' && alternateEscapes));
                    return;
                }
                if (p == 'u' && next == '&' && (charAt(pos + 1) == '\'' || charAt(pos + 1) == '"')) {
                    pgUnicode(start);
                    return;
                }
            } else if (next == '\'' && (p == 'x' || p == 'b' || p == 'n')) {
                mysqlString(start, pos);
                return;
            }
        }
        if (dialect == Dialect.MYSQL && sql.charAt(start) == '_' && wordLength > 1 && (next == '\'' || next == '"')) {
            mysqlString(start, pos); // charset introducer: _utf8mb4'text'
            return;
        }
        if (dialect == Dialect.MYSQL && sql.charAt(start) == '_' && isSpace(next)
                && CHARSETS.contains(sql.substring(start + 1, pos).toLowerCase(java.util.Locale.ROOT))) {
            // an introducer may stand apart from its literal: _binary 'bytes' (MariaDB Connector/J writes blobs so)
            int quote = pos;
            while (isSpace(charAt(quote))) {
                quote++;
            }
            if (charAt(quote) == '\'' || charAt(quote) == '"') {
                mysqlString(start, quote);
                return;
            }
        }
        tokens.add(TokenKind.WORD, start, pos, null);
    }

    /** MySQL and MariaDB character set names, as introducers ({@code _latin1 'x'}) name them. */
    private static final java.util.Set<String> CHARSETS = java.util.Set.of("binary", "utf8", "utf8mb3", "utf8mb4", "latin1",
            "latin2", "latin5", "latin7", "ascii", "ucs2", "utf16", "utf16le", "utf32", "big5", "gbk", "gb2312", "gb18030",
            "sjis", "cp932", "ujis", "eucjpms", "euckr", "cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852",
            "cp866", "koi8r", "koi8u", "greek", "hebrew", "tis620", "armscii8", "geostd8", "keybcs2", "macce",
            "macroman", "swe7", "dec8", "hp8", "filename");

    // ---------------------------------------------------------------- characters

    private char charAt(int i) {
        return i < length ? sql.charAt(i) : '\0';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }

    private static boolean isRadixDigit(char c, char radix) {
        return switch (radix) {
            case 'x' -> isHexDigit(c);
            case 'o' -> c >= '0' && c <= '7';
            default -> c == '0' || c == '1';
        };
    }

    private boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80
                || (c == '$' && dialect == Dialect.MYSQL);
    }

    private static boolean isIdentifierPart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 || isDigit(c) || c == '$';
    }
}

package dev.parapet.policy;

import java.util.Arrays;
import java.util.Locale;

/**
 * The tokens of one SQL string, kept as parallel arrays of kind and source offsets so that the hot
 * path (lex, fingerprint, cache look-up) allocates little. Quoted identifiers carry their decoded
 * name, since {@code U&"d\0061ta"} and {@code "data"} are the same identifier.
 */
final class Tokens {

    final String sql;
    final Dialect dialect;
    private TokenKind[] kinds = new TokenKind[32];
    private int[] starts = new int[32];
    private int[] ends = new int[32];
    private String[] values = new String[32];
    private int size;

    /** Set by the lexer when a literal's extent depends on a server setting (see {@link SqlLexer}). */
    boolean settingSensitive;

    Tokens(String sql, Dialect dialect) {
        this.sql = sql;
        this.dialect = dialect;
    }

    void add(TokenKind kind, int start, int end, String value) {
        if (size == kinds.length) {
            int capacity = size * 2;
            kinds = Arrays.copyOf(kinds, capacity);
            starts = Arrays.copyOf(starts, capacity);
            ends = Arrays.copyOf(ends, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        kinds[size] = kind;
        starts[size] = start;
        ends[size] = end;
        values[size] = value;
        size++;
    }

    /** Extends the last token to {@code end} (PostgreSQL string continuation across a newline). */
    void extendLast(int end) {
        ends[size - 1] = end;
    }

    int size() {
        return size;
    }

    TokenKind kind(int i) {
        return kinds[i];
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    /** The token's source text. */
    String text(int i) {
        return sql.substring(starts[i], ends[i]);
    }

    /** The decoded name of a quoted identifier, or the decoded content of a string when the lexer kept it. */
    String value(int i) {
        return values[i];
    }

    boolean is(int i, TokenKind kind) {
        return i >= 0 && i < size && kinds[i] == kind;
    }

    /** Whether token {@code i} is the unquoted word {@code lowerCaseWord} in any case. */
    boolean isWord(int i, String lowerCaseWord) {
        return i >= 0 && i < size && kinds[i] == TokenKind.WORD
                && ends[i] - starts[i] == lowerCaseWord.length()
                && sql.regionMatches(true, starts[i], lowerCaseWord, 0, lowerCaseWord.length());
    }

    /** Whether token {@code i} is one of the given unquoted words. */
    boolean isAnyWord(int i, String... lowerCaseWords) {
        for (String word : lowerCaseWords) {
            if (isWord(i, word)) {
                return true;
            }
        }
        return false;
    }

    /** The lower-cased text of a WORD token, or null for any other token. */
    String word(int i) {
        return i >= 0 && i < size && kinds[i] == TokenKind.WORD ? text(i).toLowerCase(Locale.ROOT) : null;
    }

    boolean isOperator(int i, String operator) {
        return is(i, TokenKind.OPERATOR) && ends[i] - starts[i] == operator.length()
                && sql.startsWith(operator, starts[i]);
    }

    /** Whether token {@code i} is a literal or parameter marker. */
    boolean isLiteral(int i) {
        if (i < 0 || i >= size) {
            return false;
        }
        TokenKind kind = kinds[i];
        return kind == TokenKind.STRING || kind == TokenKind.NUMBER || kind == TokenKind.PARAM;
    }
}

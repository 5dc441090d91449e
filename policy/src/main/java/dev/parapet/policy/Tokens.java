package dev.parapet.policy;

import java.util.Arrays;

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

    /**
     * Set by the MySQL lexer when it read the content of an executable comment that only some
     * servers run ({@code /*!80000 ...}, {@code /*M! ...}) as code (see {@link SqlLexer}).
     */
    boolean versionGated;

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

    /** Whether token {@code i} is the unquoted word {@code lowerCaseWord} in any (ASCII) case. */
    boolean isWord(int i, String lowerCaseWord) {
        if (i < 0 || i >= size || kinds[i] != TokenKind.WORD || ends[i] - starts[i] != lowerCaseWord.length()) {
            return false;
        }
        int start = starts[i];
        for (int k = 0; k < lowerCaseWord.length(); k++) {
            char c = sql.charAt(start + k);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerCaseWord.charAt(k)) {
                return false;
            }
        }
        return true;
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
        return i >= 0 && i < size && kinds[i] == TokenKind.WORD ? asciiLowerCase(text(i)) : null;
    }

    /**
     * {@code text} with A-Z lower-cased and nothing else: how PostgreSQL folds unquoted identifiers
     * in a multi-byte encoding, and how both servers match keywords. Unicode-aware lower-casing
     * would turn {@code ÄBC} into a name the server never sees ({@code äbc}; PostgreSQL keeps
     * {@code Äbc}) and match non-ASCII letters to keywords (the long s in {@code ſelect}).
     */
    static String asciiLowerCase(String text) {
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = text.toCharArray();
                for (int j = k; j < chars.length; j++) {
                    if (chars[j] >= 'A' && chars[j] <= 'Z') {
                        chars[j] = (char) (chars[j] + ('a' - 'A'));
                    }
                }
                return new String(chars);
            }
        }
        return text;
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

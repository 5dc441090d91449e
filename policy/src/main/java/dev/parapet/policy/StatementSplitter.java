package dev.parapet.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a token list into statements at the semicolons the server would cut at: not inside
 * parentheses (PostgreSQL's {@code CREATE RULE ... DO (a; b)}) and not inside the
 * {@code BEGIN ... END} body of a routine, trigger or event being created (MySQL compound
 * statements, PostgreSQL {@code BEGIN ATOMIC}). When it cannot tell where a body ends it refuses
 * the text rather than guess, since a statement hidden inside another is the one not checked.
 */
final class StatementSplitter {

    /** Deeper nesting than this is refused: no real query needs it, and the parser's time grows with it. */
    static final int MAX_NESTING = 100;

    /** A statement's tokens: {@code [from, to)}, without the terminating semicolon. */
    record Range(int from, int to) {
        boolean isEmpty() {
            return from >= to;
        }
    }

    private StatementSplitter() {
    }

    static List<Range> split(Tokens tokens) {
        List<Range> statements = new ArrayList<>(2);
        int n = tokens.size();
        int start = 0;
        int depth = 0;
        int blockDepth = 0;
        boolean routine = false;
        for (int i = 0; i < n; i++) {
            TokenKind kind = tokens.kind(i);
            switch (kind) {
                case LPAREN, LBRACKET -> {
                    if (++depth > MAX_NESTING) {
                        throw new SqlLexer.LexException("the statement nests parentheses more than " + MAX_NESTING + " levels deep");
                    }
                }
                case RPAREN, RBRACKET -> depth = Math.max(0, depth - 1);
                case SEMICOLON -> {
                    if (depth == 0 && blockDepth == 0) {
                        add(statements, start, i);
                        start = i + 1;
                        routine = false;
                    }
                }
                case WORD -> {
                    if (i == start) {
                        routine = false;
                    }
                    if (depth == 0 && tokens.isWord(start, "create")
                            && tokens.isAnyWord(i, "function", "procedure", "trigger", "event")) {
                        routine = true;
                    }
                    if (routine && depth == 0) {
                        blockDepth += blockChange(tokens, i, blockDepth);
                        if (blockDepth < 0) {
                            blockDepth = 0;
                        }
                    }
                }
                default -> {
                }
            }
        }
        if (blockDepth > 0) {
            throw new SqlLexer.LexException("a BEGIN ... END block is not closed");
        }
        add(statements, start, n);
        return statements;
    }

    private static void add(List<Range> statements, int from, int to) {
        if (from < to) {
            statements.add(new Range(from, to));
        }
    }

    /**
     * How a word inside a routine definition changes the BEGIN ... END nesting. BEGIN opens a block
     * where a compound statement can start (PostgreSQL: only BEGIN ATOMIC); CASE always opens one
     * (its END closes it, as in END CASE); END closes one, except END IF / LOOP / WHILE / REPEAT,
     * which close constructs that were never counted.
     */
    private static int blockChange(Tokens tokens, int i, int blockDepth) {
        if (tokens.isWord(i, "begin")) {
            if (tokens.dialect == Dialect.POSTGRES) {
                return tokens.isWord(i + 1, "atomic") ? 1 : 0;
            }
            if (tokens.is(i + 1, TokenKind.LPAREN) || tokens.is(i + 1, TokenKind.DOT) || tokens.is(i - 1, TokenKind.DOT)
                    || tokens.isAnyWord(i - 1, "procedure", "function", "trigger", "event", "table", "view", "exists")) {
                return 0; // a name, not a block
            }
            if (blockDepth == 0) {
                return 1;
            }
            boolean statementStart = tokens.is(i - 1, TokenKind.SEMICOLON) || tokens.is(i - 1, TokenKind.COLON)
                    || tokens.isAnyWord(i - 1, "then", "else", "do", "loop", "repeat", "begin");
            return statementStart ? 1 : 0;
        }
        if (blockDepth == 0) {
            return 0;
        }
        if (tokens.isWord(i, "case")) {
            return tokens.isWord(i - 1, "end") ? 0 : 1;
        }
        if (tokens.isWord(i, "end")) {
            return tokens.isAnyWord(i + 1, "if", "loop", "while", "repeat") ? 0 : -1;
        }
        return 0;
    }
}

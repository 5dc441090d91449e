package dev.parapet.policy;

/** The classes of token {@link SqlLexer} produces; comments and whitespace produce none. */
enum TokenKind {
    /** An unquoted identifier or keyword. */
    WORD,
    /** A quoted identifier ({@code "x"}, {@code U&"x"}, MySQL {@code `x`}); its value is the decoded name. */
    QUOTED_IDENT,
    /** Any string literal: {@code 'x'}, {@code E'x'}, {@code $$x$$}, {@code B'01'}, {@code X'ff'}, MySQL {@code "x"}, {@code _utf8mb4'x'}. */
    STRING,
    NUMBER,
    /** A parameter marker: PostgreSQL {@code $1}, MySQL {@code ?}. */
    PARAM,
    /** A MySQL user or system variable: {@code @x}, {@code @@session.x}. */
    VARIABLE,
    OPERATOR,
    LPAREN,
    RPAREN,
    LBRACKET,
    RBRACKET,
    COMMA,
    SEMICOLON,
    DOT,
    /** PostgreSQL {@code ::}. */
    CAST,
    COLON
}

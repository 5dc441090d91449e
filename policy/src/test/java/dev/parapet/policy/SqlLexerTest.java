package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlLexerTest {

    private static List<String> kinds(String sql, Dialect dialect) {
        Tokens tokens = SqlLexer.lex(sql, dialect);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            out.add(tokens.kind(i) + ":" + tokens.text(i));
        }
        return out;
    }

    @Test
    void readsDoubledQuotesInsideAStringAsPartOfIt() {
        assertThat(kinds("select 'it''s; drop table t'", Dialect.POSTGRES))
                .containsExactly("WORD:select", "STRING:'it''s; drop table t'");
    }

    @Test
    void readsBackslashEscapesOnlyInEStrings() {
        assertThat(kinds("select E'a\\'; b', 'c\\'", Dialect.POSTGRES))
                .containsExactly("WORD:select", "STRING:E'a\\'; b'", "COMMA:,", "STRING:'c\\'");
    }

    @Test
    void readsDollarQuotesWithAndWithoutTagsAsOneString() {
        assertThat(kinds("select $$a'b;$$, $fn$ $$ ; $fn$", Dialect.POSTGRES))
                .containsExactly("WORD:select", "STRING:$$a'b;$$", "COMMA:,", "STRING:$fn$ $$ ; $fn$");
    }

    @Test
    void tellsParametersFromDollarQuotes() {
        assertThat(kinds("select $1, a$b", Dialect.POSTGRES))
                .containsExactly("WORD:select", "PARAM:$1", "COMMA:,", "WORD:a$b");
    }

    @Test
    void skipsNestedPostgresComments() {
        assertThat(kinds("select /* a /* b */ ; drop table t */ 1 -- ; drop\n", Dialect.POSTGRES))
                .containsExactly("WORD:select", "NUMBER:1");
    }

    @Test
    void decodesUnicodeEscapedIdentifiers() {
        Tokens tokens = SqlLexer.lex("select * from U&\"d\\0061ta\", U&\"d!0061t!+000061\" UESCAPE '!'", Dialect.POSTGRES);
        assertThat(tokens.kind(3)).isEqualTo(TokenKind.QUOTED_IDENT);
        assertThat(tokens.value(3)).isEqualTo("data");
        assertThat(tokens.value(5)).isEqualTo("data");
        assertThat(tokens.size()).isEqualTo(6);
    }

    @Test
    void keepsTheCaseOfQuotedIdentifiersAndUndoublesQuotes() {
        Tokens tokens = SqlLexer.lex("select \"My \"\"Table\"\"\"", Dialect.POSTGRES);
        assertThat(tokens.value(1)).isEqualTo("My \"Table\"");
    }

    @Test
    void joinsStringsContinuedOnTheNextLine() {
        assertThat(kinds("select 'a'\n  'b', 'c' 'd'", Dialect.POSTGRES))
                .containsExactly("WORD:select", "STRING:'a'\n  'b'", "COMMA:,", "STRING:'c'", "STRING:'d'");
    }

    @Test
    void endsOperatorsBeforeACommentStarts() {
        assertThat(kinds("select 1 +/* x */2, 3 <--4", Dialect.POSTGRES))
                .containsExactly("WORD:select", "NUMBER:1", "OPERATOR:+", "NUMBER:2", "COMMA:,", "NUMBER:3", "OPERATOR:<");
    }

    @Test
    void dropsATrailingSignFromAnOperatorThatHasNoSpecialCharacter() {
        assertThat(kinds("a=-1", Dialect.POSTGRES)).containsExactly("WORD:a", "OPERATOR:=", "OPERATOR:-", "NUMBER:1");
        assertThat(kinds("a@-1", Dialect.POSTGRES)).containsExactly("WORD:a", "OPERATOR:@-", "NUMBER:1");
    }

    @Test
    void refusesUnterminatedLiteralsAndComments() {
        assertThatThrownBy(() -> SqlLexer.lex("select 'abc", Dialect.POSTGRES)).isInstanceOf(SqlLexer.LexException.class);
        assertThatThrownBy(() -> SqlLexer.lex("select $x$ abc", Dialect.POSTGRES)).isInstanceOf(SqlLexer.LexException.class);
        assertThatThrownBy(() -> SqlLexer.lex("select \"abc", Dialect.POSTGRES)).isInstanceOf(SqlLexer.LexException.class);
        assertThatThrownBy(() -> SqlLexer.lex("select /* /* */ 1", Dialect.POSTGRES)).isInstanceOf(SqlLexer.LexException.class);
        assertThatThrownBy(() -> SqlLexer.lex("select `a", Dialect.MYSQL)).isInstanceOf(SqlLexer.LexException.class);
    }

    @Test
    void flagsABackslashInAStandardPostgresString() {
        assertThat(SqlLexer.lex("select 'a\\b'", Dialect.POSTGRES).settingSensitive).isTrue();
        assertThat(SqlLexer.lex("select E'a\\b', $$\\$$", Dialect.POSTGRES).settingSensitive).isFalse();
    }

    @Test
    void readsBackslashesInStandardStringsAsEscapesOnlyWhenAskedTo() {
        Tokens standard = SqlLexer.lex("select 'a\\', N'b\\'", Dialect.POSTGRES);
        assertThat(standard.size()).isEqualTo(4);
        assertThatThrownBy(() -> SqlLexer.lex("select 'a\\', N'b\\'", Dialect.POSTGRES, true))
                .isInstanceOf(SqlLexer.LexException.class);
    }

    @Test
    void readsMysqlBackslashEscapesAndBacktickIdentifiers() {
        assertThat(kinds("select 'a\\'b', \"c\\\"d\", `e``f` from `db`.`t`", Dialect.MYSQL)).containsExactly(
                "WORD:select", "STRING:'a\\'b'", "COMMA:,", "STRING:\"c\\\"d\"", "COMMA:,", "QUOTED_IDENT:`e``f`",
                "WORD:from", "QUOTED_IDENT:`db`", "DOT:.", "QUOTED_IDENT:`t`");
        assertThat(SqlLexer.lex("select `e``f`", Dialect.MYSQL).value(1)).isEqualTo("e`f");
    }

    @Test
    void treatsMysqlDoubleDashAsACommentOnlyBeforeWhitespace() {
        assertThat(kinds("select 1--1", Dialect.MYSQL)).containsExactly("WORD:select", "NUMBER:1", "OPERATOR:-", "OPERATOR:-", "NUMBER:1");
        assertThat(kinds("select 1 -- 1\n, 2 # 3", Dialect.MYSQL)).containsExactly("WORD:select", "NUMBER:1", "COMMA:,", "NUMBER:2");
    }

    @Test
    void lexesTheInsideOfMysqlExecutableCommentsAsCode() {
        assertThat(kinds("select 1 /*!50001 , 2 */ /*+ hint */ /*M!100101 , 3 */", Dialect.MYSQL))
                .containsExactly("WORD:select", "NUMBER:1", "COMMA:,", "NUMBER:2", "COMMA:,", "NUMBER:3");
    }

    @Test
    void readsMysqlVariablesParametersAndIdentifiersStartingWithDigits() {
        assertThat(kinds("select @a, @@global.x, ?, 1abc, 1e3, 0x1F from 2t", Dialect.MYSQL)).containsExactly(
                "WORD:select", "VARIABLE:@a", "COMMA:,", "VARIABLE:@@global.x", "COMMA:,", "PARAM:?", "COMMA:,",
                "WORD:1abc", "COMMA:,", "NUMBER:1e3", "COMMA:,", "NUMBER:0x1F", "WORD:from", "WORD:2t");
    }

    @Test
    void readsCharsetIntroducersAsPartOfTheString() {
        assertThat(kinds("select _utf8mb4'x', N'y', X'0A'", Dialect.MYSQL)).containsExactly(
                "WORD:select", "STRING:_utf8mb4'x'", "COMMA:,", "STRING:N'y'", "COMMA:,", "STRING:X'0A'");
    }
}

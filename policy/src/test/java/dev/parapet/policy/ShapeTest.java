package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShapeTest {

    private static String fingerprint(String sql, Dialect dialect) {
        Tokens tokens = SqlLexer.lex(sql, dialect);
        StatementSplitter.Range range = StatementSplitter.split(tokens).get(0);
        return Shape.of(tokens, range.from(), range.to()).fingerprint();
    }

    private static String pg(String sql) {
        return fingerprint(sql, Dialect.POSTGRES);
    }

    @Test
    void givesOneFingerprintToStatementsThatDifferInLiteralsCaseSpacingAndComments() {
        assertThat(pg("SELECT * FROM t WHERE id = 42 -- x")).isEqualTo("select * from t where id = ?");
        assertThat(pg("select *  from T where id=7")).isEqualTo("select * from t where id = ?");
        assertThat(pg("select * /* c */ from t where id = $1")).isEqualTo("select * from t where id = ?");
    }

    @Test
    void keepsQuotedIdentifiersApartFromUnquotedOnes() {
        assertThat(pg("select * from \"T\"")).isEqualTo("select * from \"T\"");
        assertThat(pg("select * from U&\"\\0054\"")).isEqualTo("select * from \"T\"");
        assertThat(pg("select * from T")).isEqualTo("select * from t");
    }

    @Test
    void foldsInListsOfLiteralsToOneShape() {
        assertThat(pg("select * from t where id in (1, 2, 3)")).isEqualTo("select * from t where id in (?)");
        assertThat(pg("select * from t where id in (7)")).isEqualTo("select * from t where id in (?)");
        assertThat(pg("select * from t where id in (-1, $2)")).isEqualTo("select * from t where id in (?)");
        assertThat(pg("select * from t where id = any(array[1, 2])")).isEqualTo("select * from t where id = any (array[?])");
        assertThat(pg("select * from t where id in (1, a)")).isEqualTo("select * from t where id in (?, a)");
    }

    @Test
    void foldsRepeatedValuesRows() {
        assertThat(pg("insert into t values (1, 'a'), (2, 'b'), (3, now())"))
                .isEqualTo("insert into t values (?, ?), (?, now())");
        assertThat(pg("insert into t values (1, 'a')")).isEqualTo("insert into t values (?, ?)");
    }

    @Test
    void foldsASignIntoTheNumberItPrecedes() {
        assertThat(pg("update t set a = a + -5 where b = -1")).isEqualTo(pg("update t set a = a + 5 where b = 1"));
        assertThat(pg("select a - 1 from t")).isEqualTo("select a - ? from t");
    }

    @Test
    void keepsPostgresQuestionMarkOperatorsApartFromLiterals() {
        assertThat(pg("select * from t where doc ? 'k'")).isEqualTo("select * from t where doc operator(?) ?");
    }

    @Test
    void keepsMysqlIdentifierCaseButLowerCasesReservedWords() {
        assertThat(fingerprint("SELECT * FROM Users WHERE id = 1", Dialect.MYSQL)).isEqualTo("select * from Users where id = ?");
        assertThat(fingerprint("select * from `Users` where id = ?", Dialect.MYSQL)).isEqualTo("select * from `Users` where id = ?");
    }

    @Test
    void fingerprintsTheSqlAMysqlPrepareCarries() {
        assertThat(fingerprint("PREPARE s FROM 'DELETE FROM t WHERE id = 1'", Dialect.MYSQL))
                .isEqualTo("PREPARE s from 'delete from t where id = ?'");
        assertThat(fingerprint("PREPARE s FROM 'DELETE FROM t WHERE id = 1'", Dialect.MYSQL))
                .isNotEqualTo(fingerprint("PREPARE s FROM 'SELECT * FROM t WHERE id = 1'", Dialect.MYSQL));
    }
}

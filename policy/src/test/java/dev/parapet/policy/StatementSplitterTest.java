package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {

    private static List<String> statements(String sql, Dialect dialect) {
        Tokens tokens = SqlLexer.lex(sql, dialect);
        List<String> out = new ArrayList<>();
        for (StatementSplitter.Range range : StatementSplitter.split(tokens)) {
            out.add(sql.substring(tokens.start(range.from()), tokens.end(range.to() - 1)));
        }
        return out;
    }

    @Test
    void splitsAtSemicolonsOutsideLiteralsAndComments() {
        assertThat(statements("select ';'; select $$;$$ /* ; */; -- ;\n drop table t;", Dialect.POSTGRES))
                .containsExactly("select ';'", "select $$;$$", "drop table t");
    }

    @Test
    void ignoresEmptyStatements() {
        assertThat(statements(";; select 1 ;;", Dialect.POSTGRES)).containsExactly("select 1");
        assertThat(statements("-- nothing\n", Dialect.POSTGRES)).isEmpty();
    }

    @Test
    void keepsTheActionsOfARuleTogether() {
        assertThat(statements("create rule r as on insert to t do also (delete from u; insert into v values (1)); select 1",
                Dialect.POSTGRES)).hasSize(2);
    }

    @Test
    void keepsASqlStandardFunctionBodyTogether() {
        assertThat(statements("create function f() returns int language sql begin atomic select 1; "
                + "select case when true then 2 end; end; select 3", Dialect.POSTGRES))
                .containsExactly("create function f() returns int language sql begin atomic select 1; "
                        + "select case when true then 2 end; end", "select 3");
    }

    @Test
    void keepsAMysqlProcedureBodyTogether() {
        String procedure = "CREATE PROCEDURE p(in u int) BEGIN IF u > 0 THEN UPDATE t SET a = 1; END IF; "
                + "lbl: BEGIN SELECT CASE WHEN u THEN 1 END; END lbl; END";
        assertThat(statements(procedure + "; SELECT 1", Dialect.MYSQL)).containsExactly(procedure, "SELECT 1");
    }

    @Test
    void doesNotTakeATableNamedBeginForABlock() {
        assertThat(statements("create table begin (x int); drop table t", Dialect.POSTGRES))
                .containsExactly("create table begin (x int)", "drop table t");
        assertThat(statements("CREATE PROCEDURE begin() SELECT 1; DROP TABLE t", Dialect.MYSQL))
                .containsExactly("CREATE PROCEDURE begin() SELECT 1", "DROP TABLE t");
    }

    @Test
    void refusesABlockThatNeverEnds() {
        assertThatThrownBy(() -> statements("CREATE PROCEDURE p() BEGIN SELECT 1; DROP TABLE t", Dialect.MYSQL))
                .isInstanceOf(SqlLexer.LexException.class);
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        String deep = "select " + "(".repeat(StatementSplitter.MAX_NESTING + 1) + "1" + ")".repeat(StatementSplitter.MAX_NESTING + 1);
        assertThatThrownBy(() -> statements(deep, Dialect.POSTGRES)).isInstanceOf(SqlLexer.LexException.class);
    }
}

package dev.parapet.postgres.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreparedStatementsTest {

    private final PreparedStatements statements = new PreparedStatements();

    private static PreparedStatements.Statement statement(String sql) {
        return new PreparedStatements.Statement(sql, new int[0], 0, false);
    }

    @Test
    void aBindRefersToTheLastParseSentEvenBeforeTheDatabaseAnswers() {
        var first = statement("select 1");
        statements.sent("S_1", first);
        assertThat(statements.get("S_1")).isSameAs(first);
        statements.answered("S_1", first);
        assertThat(statements.get("S_1")).isSameAs(first);
        assertThat(statements.get("")).isNull();
    }

    @Test
    void aRefusedParseLeavesTheNameWithWhatItHeld() {
        var held = statement("select count(*) from t");
        statements.sent("S_1", held);
        statements.answered("S_1", held);
        var duplicate = statement("select 1");
        statements.sent("S_1", duplicate);
        statements.skipped("S_1", duplicate);
        assertThat(statements.get("S_1")).isSameAs(held);
    }

    @Test
    void aCloseEmptiesTheNameOnceTakenAndNotIfSkipped() {
        var held = statement("select 1");
        statements.sent("", held);
        statements.answered("", held);
        var closing = PreparedStatements.Statement.closing();
        statements.sent("", closing);
        assertThat(statements.get("")).as("a Bind after the Close refers to nothing").isNull();
        statements.skipped("", closing);
        assertThat(statements.get("")).isSameAs(held);
        var again = PreparedStatements.Statement.closing();
        statements.sent("", again);
        statements.answered("", again);
        assertThat(statements.get("")).isNull();
    }
}

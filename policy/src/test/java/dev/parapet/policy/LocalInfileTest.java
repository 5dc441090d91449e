package dev.parapet.policy;

import static dev.parapet.policy.AnalysisAssertions.analyzed;
import static dev.parapet.policy.AnalysisAssertions.only;
import static dev.parapet.policy.AnalysisAssertions.table;
import static dev.parapet.policy.AnalysisAssertions.unparseable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.ConfigException;
import dev.parapet.policy.Rule.ProtectTables.Access;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MySQL's LOAD DATA LOCAL INFILE lets the server name a file on the client's machine for the
 * client to send: refused by the gateway itself, however it is spelt, unless an
 * allow-local-infile rule covers the request.
 */
class LocalInfileTest {

    private static final Principal ETL = new Principal("loader", Set.of("etl"), Principal.Kind.SERVICE);
    private static final Principal ALICE = new Principal("alice", Set.of("analysts"), Principal.Kind.HUMAN);

    private final SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);

    private static PolicyEngine engine(String yaml) throws ConfigException {
        return new PolicyEngine(new PolicyLoader().parse(yaml, "infile.yaml"));
    }

    private Decision decide(PolicyEngine engine, Principal who, String sql) {
        return engine.decide(new PolicyRequest(who, "orders-db", "prod", mysql.analyze(sql)));
    }

    private static void assertRefusedAsLocalInfile(Decision decision) {
        assertThat(decision).isInstanceOfSatisfying(Decision.Deny.class, deny -> {
            assertThat(deny.ruleId()).isEqualTo("local-infile");
            assertThat(deny.sqlState()).isEqualTo("42000");
            assertThat(deny.message()).startsWith(
                    "denied by rule \"local-infile\": LOAD DATA LOCAL reads a file from the client's machine");
            assertThat(deny.hint()).contains("allow-local-infile");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "load data local infile '/etc/passwd' into table t",
        "LOAD DATA LOW_PRIORITY LOCAL INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA CONCURRENT LOCAL INFILE '/tmp/x.csv' REPLACE INTO TABLE t FIELDS TERMINATED BY ','",
        "LOAD /*x*/ DATA /* y */ LOCAL # z\n INFILE '/tmp/x.csv' IGNORE INTO TABLE `shop`.`t`",
        "LOAD DATA -- x\nLocal INFILE '/tmp/x.csv' INTO TABLE t (a, @b) SET c = @b",
        "LOAD XML LOCAL INFILE '/tmp/x.xml' INTO TABLE t ROWS IDENTIFIED BY '<row>'",
        "LOAD DATA /*!LOCAL*/ INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA /*!50001 LOCAL */ INFILE '/tmp/x.csv' INTO TABLE t",
        "/*!LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE t */",
    })
    void seesEverySpellingOfLoadDataLocal(String sql) {
        StatementInfo info = only(mysql, sql);
        assertThat(info.kind()).isEqualTo(StatementKind.LOAD);
        assertThat(info.serverAccess()).containsExactly(ServerAccess.READS_CLIENT_FILE);
    }

    @Test
    void tellsAServerFileFromAClientFile() {
        assertThat(only(mysql, "LOAD DATA INFILE '/var/lib/mysql-files/x.csv' INTO TABLE t").serverAccess())
                .containsExactly(ServerAccess.READS_FILE);
        assertThat(only(mysql, "LOAD XML CONCURRENT INFILE '/x.xml' INTO TABLE t").serverAccess())
                .containsExactly(ServerAccess.READS_FILE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // a word the analyzer does not know where LOCAL goes could hide it from a sloppier reading
        "LOAD DATA LOCAL foo INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA `LOCAL` INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA LOCAL INFILE ? INTO TABLE t",
        "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO t",
        // whether a server runs these depends on its version or make: both readings would be guesses
        "LOAD DATA /*!90000 LOCAL */ INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA /*M! LOCAL */ INFILE '/tmp/x.csv' INTO TABLE t",
        "LOAD DATA /*!8000 LOCAL */ INFILE '/tmp/x.csv' INTO TABLE t",
    })
    void refusesToGuessAtLoadDataItCannotReadWordByWord(String sql) {
        unparseable(mysql, sql);
    }

    @Test
    void refusesLoadDataLocalWithoutARuleAllowingIt() throws Exception {
        PolicyEngine none = new PolicyEngine(List.of());
        assertRefusedAsLocalInfile(decide(none, ETL, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"));
        assertRefusedAsLocalInfile(decide(none, ETL, "select 1; LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"));
        assertRefusedAsLocalInfile(decide(none, ETL, "LOAD XML LOCAL INFILE '/tmp/x.xml' INTO TABLE orders; select 1"));
        assertThat(decide(none, ETL, "LOAD DATA INFILE '/tmp/x.csv' INTO TABLE orders")).isInstanceOf(Decision.Allow.class);
        // an approval satisfies approval rules, not the gateway's own refusal
        assertRefusedAsLocalInfile(none.decide(new PolicyRequest(ETL, "orders-db", "prod",
                mysql.analyze("LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders")), true));
    }

    @Test
    void anAllowLocalInfileRuleLetsItThroughOnlyWhereItApplies() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - id: etl-loads
                    kind: allow-local-infile
                    targets: [orders-db]
                    groups: [etl]
                  - id: trial
                    kind: allow-local-infile
                    mode: shadow
                """);
        String load = "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders";
        assertThat(decide(engine, ETL, load)).isInstanceOf(Decision.Allow.class);
        assertRefusedAsLocalInfile(decide(engine, ALICE, load));
        assertRefusedAsLocalInfile(engine.decide(new PolicyRequest(ETL, "billing-db", "prod", mysql.analyze(load))));
    }

    @Test
    void aConditionWithoutAnAnswerDoesNotAllowIt() throws Exception {
        PolicyEngine engine = engine("""
                rules:
                  - {id: etl-loads, kind: allow-local-infile, when: "identity.groups[7] == 'etl'"}
                """);
        assertRefusedAsLocalInfile(decide(engine, ETL, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"));
        PolicyEngine answered = engine("""
                rules:
                  - {id: etl-loads, kind: allow-local-infile, when: "'etl' in identity.groups"}
                """);
        assertThat(decide(answered, ETL, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"))
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void theOtherRulesStillJudgeAnAllowedLoad() {
        RuleScope everywhere = RuleScope.EVERYWHERE;
        PolicyEngine engine = new PolicyEngine(List.of(
                new Rule.AllowLocalInfile("loads", null, everywhere),
                new Rule.ReadOnly("analysts-read", null, everywhere.forGroups("analysts")),
                new Rule.ProtectTables("ledger", null, everywhere, List.of("ledger"), Set.of(Access.WRITE))));
        assertThat(decide(engine, ETL, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"))
                .isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, ALICE, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE orders"))
                .isInstanceOfSatisfying(Decision.Deny.class, deny -> assertThat(deny.ruleId()).isEqualTo("analysts-read"));
        for (String sql : List.of("LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE ledger",
                "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE `shop`.`ledger`",
                "LOAD XML LOCAL INFILE '/tmp/x.xml' INTO TABLE shop.ledger")) {
            assertThat(decide(engine, ETL, sql)).as(sql)
                    .isInstanceOfSatisfying(Decision.Deny.class, deny -> assertThat(deny.ruleId()).isEqualTo("ledger"));
        }
        assertThat(only(mysql, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE `shop`.`ledger`").tablesWritten())
                .containsExactly(table("shop.ledger"));
    }

    @Test
    void theRuleTakesNoRefusalSettings() {
        assertThatThrownBy(() -> engine("""
                rules:
                  - {id: loads, kind: allow-local-infile, sql-state: "42000"}
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("allow-local-infile rule does not refuse");
    }

    @Test
    void postgresIsUnaffected() {
        SqlAnalyzer postgres = new SqlAnalyzer(Dialect.POSTGRES);
        StatementAnalysis.Analyzed copy = analyzed(postgres, "copy orders from stdin with csv");
        assertThat(copy.statements().get(0).serverAccess()).isEmpty();
        assertThat(new PolicyEngine(List.of()).decide(new PolicyRequest(ETL, "orders-db", "prod", copy)))
                .isInstanceOf(Decision.Allow.class);
        unparseable(postgres, "load data local infile '/etc/passwd' into table t");
    }
}

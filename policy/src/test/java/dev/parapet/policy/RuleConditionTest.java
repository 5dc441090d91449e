package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.config.ConfigException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code when:} conditions, loaded from YAML and decided by the engine on real analyses. */
class RuleConditionTest {

    /** A Wednesday, 07:30 in Paris (winter time, UTC+1). */
    private static final Instant WEDNESDAY_EARLY = Instant.parse("2026-03-04T06:30:00Z");

    private static final Principal ALICE = new Principal("u-123", "Alice Martin", "alice@corp.example",
            Set.of("dba", "oncall"), Principal.Kind.HUMAN, "https://idp.corp.example");

    private static final String DELETE = "delete from shop.orders where customer_id in "
            + "(select id from customers where upper(city) = 'PARIS')";

    private final SqlAnalyzer postgres = new SqlAnalyzer(Dialect.POSTGRES);
    private final SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);

    private static PolicyEngine engine(Instant now, String yaml) throws ConfigException {
        return new PolicyEngine(new PolicyLoader().parse(yaml, "when.yaml"), Clock.fixed(now, ZoneOffset.UTC));
    }

    /** One rule refusing DELETE, DROP and SELECT, narrowed by {@code when}. */
    private static PolicyEngine refusingWhen(String expression) throws ConfigException {
        return engine(WEDNESDAY_EARLY, """
                rules:
                  - id: guarded
                    kind: deny-statements
                    statements: [delete, drop, select]
                    when: %s
                """.formatted(quoted(expression)));
    }

    private static String quoted(String expression) {
        return "\"" + expression.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private Decision decide(PolicyEngine engine, String sql) {
        return engine.decide(new PolicyRequest(ALICE, "orders-db", "production", Dialect.POSTGRES, postgres.analyze(sql)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "identity.subject == 'u-123'                               | true",
        "identity.subject == 'alice'                               | false",
        "identity.name == 'Alice Martin'                           | true",
        "identity.email.endsWith('@corp.example')                  | true",
        "identity.email == ''                                      | false",
        "'dba' in identity.groups                                  | true",
        "'analysts' in identity.groups                             | false",
        "identity.groups.exists(g, g.startsWith('on'))             | true",
        "identity.kind == 'human'                                  | true",
        "identity.kind == 'service'                                | false",
        "identity.issuer == 'https://idp.corp.example'             | true",
        "target.name == 'orders-db'                                | true",
        "target.environment == 'production'                        | true",
        "target.environment == 'staging'                           | false",
        "target.dialect == 'postgres'                              | true",
        "target.dialect == 'mysql'                                 | false",
        "statement.kinds == ['delete']                             | true",
        "'select' in statement.kinds                               | false",
        "'shop.orders' in statement.tables_written                 | true",
        "'customers' in statement.tables_written                   | false",
        "'customers' in statement.tables_read                      | true",
        "statement.functions == ['upper']                          | true",
        "statement.multi                                           | false",
        "statement.object_types.size() == 0                        | true",
        "statement.fingerprint.startsWith('delete from shop.orders') | true",
        "time.getHours('Europe/Paris') < 8                         | true",
        "time.getHours() == 6                                      | true",
        "time.getDayOfWeek() == 3                                  | true",
        "time.getDayOfWeek() == 0                                  | false",
        "time > timestamp('2026-03-05T00:00:00Z')                  | false",
    })
    void eachVariableReachesTheCondition(String expression, boolean refused) throws Exception {
        Decision decision = decide(refusingWhen(expression), DELETE);
        assertThat(decision).as(expression).isInstanceOf(refused ? Decision.Deny.class : Decision.Allow.class);
    }

    @Test
    void seesEveryStatementOfAStringAndWhatItActsOn() throws Exception {
        PolicyEngine engine = refusingWhen("statement.multi && statement.kinds == ['select', 'drop']"
                + " && statement.object_types == ['database']");
        assertThat(decide(engine, "select 1; drop database shop")).isInstanceOf(Decision.Deny.class);
        assertThat(decide(engine, "select 1; drop table shop.orders")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, "drop database shop")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void tellsAMySqlTargetFromAPostgresOne() throws Exception {
        PolicyEngine engine = refusingWhen("target.dialect == 'mysql'");
        String sql = "DROP TABLE shop.orders";
        assertThat(engine.decide(new PolicyRequest(ALICE, "shop", "prod", Dialect.MYSQL, mysql.analyze(sql))))
                .isInstanceOf(Decision.Deny.class);
        assertThat(engine.decide(new PolicyRequest(ALICE, "orders-db", "prod", Dialect.POSTGRES, postgres.analyze(sql))))
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void refusesDdlOutsideParisOfficeHoursByTheClock() throws Exception {
        String yaml = """
                rules:
                  - id: ddl-in-office-hours
                    kind: deny-statements
                    statements: [create, alter, drop]
                    when: >-
                      time.getHours('Europe/Paris') < 8 || time.getHours('Europe/Paris') >= 19
                      || time.getDayOfWeek('Europe/Paris') in [0, 6]
                """;
        String ddl = "alter table orders add column note text";
        assertThat(decide(engine(WEDNESDAY_EARLY, yaml), ddl)).isInstanceOf(Decision.Deny.class);
        assertThat(decide(engine(Instant.parse("2026-03-04T09:00:00Z"), yaml), ddl)).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine(Instant.parse("2026-03-04T18:30:00Z"), yaml), ddl)).isInstanceOf(Decision.Deny.class);
        assertThat(decide(engine(Instant.parse("2026-03-07T10:00:00Z"), yaml), ddl)).as("a Saturday")
                .isInstanceOf(Decision.Deny.class);
        assertThat(decide(engine(Instant.parse("2026-03-04T06:30:00Z"), yaml), "select 1")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aConditionWithoutAnAnswerStillRefuses() throws Exception {
        for (String broken : List.of("statement.tables_read[5] == 'x'", "time.getHours('Mars/Olympus_Mons') < 8",
                "int(identity.name) > 3")) {
            assertThat(decide(refusingWhen(broken), DELETE)).as(broken).isInstanceOfSatisfying(Decision.Deny.class,
                    deny -> assertThat(deny.ruleId()).isEqualTo("guarded"));
        }
        assertThat(decide(refusingWhen("false && statement.tables_read[5] == 'x'"), DELETE)).as("never evaluated")
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aConditionWithoutAnAnswerNeverLetsAnUnreadableStatementThrough() throws Exception {
        StatementAnalysis unreadable = postgres.analyze("frobnicate the database");
        assertThat(unreadable).isInstanceOf(StatementAnalysis.Unparseable.class);
        for (String expression : List.of("statement.kinds.size() == 0", "!statement.multi", "identity.groups[7] == 'dba'")) {
            PolicyEngine engine = engine(WEDNESDAY_EARLY, """
                    rules:
                      - id: legacy
                        kind: allow-unparseable
                        when: %s
                    """.formatted(quoted(expression)));
            assertThat(engine.decide(new PolicyRequest(ALICE, "orders-db", "prod", unreadable))).as(expression)
                    .isInstanceOfSatisfying(Decision.Deny.class,
                            deny -> assertThat(deny.ruleId()).isEqualTo(PolicyEngine.UNPARSEABLE_RULE));
        }
        PolicyEngine forDbas = engine(WEDNESDAY_EARLY, """
                rules:
                  - {id: legacy, kind: allow-unparseable, when: "'dba' in identity.groups && statement.fingerprint != ''"}
                """);
        assertThat(forDbas.decide(new PolicyRequest(ALICE, "orders-db", "prod", unreadable))).isInstanceOf(Decision.Allow.class);
        Principal analyst = new Principal("bob", Set.of("analysts"), Principal.Kind.HUMAN);
        assertThat(forDbas.decide(new PolicyRequest(analyst, "orders-db", "prod", unreadable))).isInstanceOf(Decision.Deny.class);
    }

    @Test
    void aShadowRuleReportsOnlyWhereItsConditionHolds() throws Exception {
        PolicyEngine engine = engine(WEDNESDAY_EARLY, """
                rules:
                  - {id: trial, kind: deny-statements, statements: [delete], mode: shadow, when: "identity.kind == 'service'"}
                  - {id: trial-humans, kind: deny-statements, statements: [delete], mode: shadow, when: "identity.kind == 'human'"}
                """);
        Decision decision = decide(engine, DELETE);
        assertThat(decision).isInstanceOf(Decision.Allow.class);
        assertThat(decision.shadowed()).extracting(Decision.Verdict::ruleId).containsExactly("trial-humans");
    }

    @Test
    void readsTheClockOnlyWhenAConditionThatNeedsItMeetsAStatementItCovers() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        Clock counting = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                reads.incrementAndGet();
                return WEDNESDAY_EARLY;
            }
        };
        PolicyEngine engine = new PolicyEngine(new PolicyLoader().parse("""
                rules:
                  - {id: night, kind: deny-statements, statements: [drop], when: "time.getHours() < 7"}
                  - {id: late, kind: deny-statements, statements: [drop], when: "time.getHours() > 20"}
                  - {id: dba, kind: require-where, when: "'dba' in identity.groups"}
                """, "clock.yaml"), counting);
        assertThat(decide(engine, "select 1")).isInstanceOf(Decision.Allow.class);
        assertThat(decide(engine, "delete from orders")).isInstanceOf(Decision.Deny.class);
        assertThat(reads).as("no rule about the time had anything to say").hasValue(0);
        assertThat(decide(engine, "drop table orders")).isInstanceOf(Decision.Deny.class);
        assertThat(reads).as("one instant per decision, shared by its conditions").hasValue(1);
    }
}

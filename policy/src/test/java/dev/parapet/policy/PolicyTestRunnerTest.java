package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.parapet.config.ConfigError;
import dev.parapet.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTestRunnerTest {

    private static final String POLICY = """
            rules:
              - id: no-drop-in-prod
                kind: deny-statements
                statements: [drop, truncate]
                environments: [production]
              - id: where-required
                description: UPDATE and DELETE must say which rows
                kind: require-where
                environments: [production]
              - id: analysts-read-only
                kind: read-only
                groups: [analysts]
              - id: ddl-approval
                kind: require-approval
                statements: [alter]
                groups: [dba]
              - id: one-statement
                kind: deny-multiple-statements
                mode: shadow
            """;

    private final PolicyTestRunner runner = new PolicyTestRunner();

    private static List<String> errors(ConfigException e) {
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void runsEveryCaseThroughTheEngineAndReportsTheActualDecision(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("policy_test.yaml"), """
                targets:
                  main: {environment: production}
                tests:
                  - name: analysts read
                    identity: {subject: alice, groups: [analysts]}
                    target: main
                    sql: select * from customers
                    expect: allow
                  - name: a trivially true WHERE is no WHERE
                    identity: {subject: bob, groups: [dba]}
                    target: main
                    sql: DELETE FROM orders WHERE 1=1
                    expect: deny
                    rule: where-required
                    message: always true
                  - name: wrong on purpose
                    identity: {subject: alice, groups: analysts}
                    target: main
                    sql: delete from orders
                    expect: deny
                    rule: analysts-read-only
                  - name: alter waits for approval
                    identity: {subject: bob, groups: [dba]}
                    target: main
                    sql: alter table orders add column note text
                    expect: require-approval
                    rule: ddl-approval
                  - name: the shadow rule reports two statements
                    identity: {subject: bob, groups: [dba]}
                    target: main
                    sql: select 1; select 2
                    expect: allow
                    shadowed: [one-statement]
                  - name: no shadow report is expected, but there is one
                    identity: {subject: bob, groups: [dba]}
                    target: main
                    sql: select 1; select 2
                    expect: allow
                    shadowed: []
                  - name: elsewhere nothing is about production
                    identity: {subject: bob, groups: [dba]}
                    target: staging
                    sql: drop table orders
                    expect: allow
                """);
        List<PolicyTestResult> results = runner.run(dir);
        assertThat(results).extracting(PolicyTestResult::name, PolicyTestResult::passed).containsExactly(
                tuple("analysts read", true),
                tuple("a trivially true WHERE is no WHERE", true),
                tuple("wrong on purpose", false),
                tuple("alter waits for approval", true),
                tuple("the shadow rule reports two statements", true),
                tuple("no shadow report is expected, but there is one", false),
                tuple("elsewhere nothing is about production", true));
        PolicyTestResult wrong = results.get(2);
        assertThat(wrong.file()).isEqualTo(dir.resolve("policy_test.yaml").toString());
        assertThat(wrong.line()).isEqualTo(16);
        assertThat(wrong.expected()).isEqualTo("deny by analysts-read-only");
        assertThat(wrong.actual()).startsWith("deny by where-required: denied by rule \"where-required\": DELETE without a WHERE");
        assertThat(wrong.decision()).isInstanceOf(Decision.Deny.class);
        assertThat(results.get(3).actual()).isEqualTo("require-approval by ddl-approval: ALTER needs approval here");
        assertThat(results.get(5).expected()).isEqualTo("allow, shadowed []");
        assertThat(results.get(5).actual()).isEqualTo("allow, shadowed [one-statement]");
    }

    @Test
    void aMessageExpectationIsAPieceOfTheMessage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("policy_test.yml"), """
                tests:
                  - name: the reason is checked too
                    identity: {subject: bob}
                    target: production
                    sql: delete from orders
                    expect: deny
                    message: always true
                """);
        PolicyTestResult result = runner.run(dir).get(0);
        assertThat(result.passed()).isFalse();
        assertThat(result.expected()).isEqualTo("deny, message containing \"always true\"");
        assertThat(result.actual()).contains("without a WHERE clause");
    }

    @Test
    void aTargetCanSpeakMySqlAndUnreadableStatementsHaveTheirOwnRuleName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("mysql_test.yaml"), """
                targets:
                  shop: {environment: production, dialect: mysql}
                tests:
                  - name: a hash comment hides nothing from a MySQL reading
                    identity: {subject: bob, groups: [dba]}
                    target: shop
                    sql: "delete from `orders` # where id = 1"
                    expect: deny
                    rule: where-required
                  - name: the same text read as PostgreSQL is not understood
                    identity: {subject: bob, groups: [dba]}
                    target: production
                    sql: "delete from `orders` # where id = 1"
                    expect: deny
                    rule: unparseable-statement
                """);
        assertThat(runner.run(dir)).allSatisfy(r -> assertThat(r.passed()).as(r.name() + ": " + r.actual()).isTrue());
    }

    @Test
    void reportsEveryMistakeInTestFilesWithItsLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Path file = dir.resolve("policy_test.yaml");
        Files.writeString(file, """
                targets:
                  main: {environment: production, dialect: oracle}
                tests:
                  - name: one
                    identity: {subject: alice, kind: robot}
                    target: main
                    sql: select 1
                    expect: allow
                    rule: analysts-read-only
                  - name: one
                    identity: {groups: [dba]}
                    target: main
                    sql: select 1
                    expect: maybe
                  - name: three
                    identity: {subject: bob}
                    target: main
                    sql: drop table orders
                    expect: deny
                    rule: no-such-rule
                    shadowed: [ghost]
                    max-rows: 10
                  - name: four
                    identity: {subject: bob, group: dba}
                    sql: ""
                    expect: allow
                    message: fine
                """);
        assertThatThrownBy(() -> runner.run(dir)).isInstanceOf(ConfigException.class).satisfies(e -> {
            String f = file.toString();
            assertThat(errors((ConfigException) e))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":2:").contains("unknown dialect 'oracle'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":5:").contains("unknown identity kind 'robot'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":9:").contains("an allowed statement has no deciding rule"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":10:").contains("test 'one' is defined twice"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":11:").contains("needs an 'identity' with at least a 'subject'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":14:").contains("unknown expectation 'maybe'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":20:").contains("there is no rule 'no-such-rule'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":21:").contains("there is no rule 'ghost'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":22:").contains("unknown setting 'max-rows' in a test")
                            .contains("known: name, identity, target, sql, expect, rule, shadowed, message"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":24:").contains("unknown setting 'group' in an identity"))
                    .anySatisfy(s -> assertThat(s).contains("needs a 'target'"))
                    .anySatisfy(s -> assertThat(s).contains("needs the 'sql'"))
                    .anySatisfy(s -> assertThat(s).startsWith(f + ":27:").contains("an allowed statement has no message"));
        });
    }

    @Test
    void policyErrorsAndTestFileErrorsAreReportedTogether(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "rules:\n  - {id: x, kind: teleport}\n");
        Files.writeString(dir.resolve("policy_test.yaml"), "tests:\n  - {name: a, expected: deny}\n");
        assertThatThrownBy(() -> runner.run(dir)).isInstanceOf(ConfigException.class).satisfies(e -> assertThat(errors((ConfigException) e))
                .anySatisfy(s -> assertThat(s).contains("policy.yaml:2:").contains("unknown rule kind 'teleport'"))
                .anySatisfy(s -> assertThat(s).contains("policy_test.yaml:2:").contains("unknown setting 'expected'")));
    }

    @Test
    void aFolderWithoutTestsOrAFileInsteadOfAFolderIsAnError(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, POLICY);
        assertThatThrownBy(() -> runner.run(dir)).hasMessageContaining("no policy tests here");
        assertThatThrownBy(() -> runner.run(policy)).hasMessageContaining("not a folder");
        Files.writeString(dir.resolve("empty_test.yaml"), "tests: []\n");
        assertThatThrownBy(() -> runner.run(dir)).hasMessageContaining("needs a non-empty 'tests' list");
    }

    @Test
    void thePolicyLoaderLeavesTestFilesAlone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("policy_test.yaml"), "tests: [{name: a}]\n");
        Files.writeString(dir.resolve("other_test.yml"), "not: [a, policy]\n");
        assertThat(new PolicyLoader().load(dir)).extracting(Rule::id)
                .containsExactly("no-drop-in-prod", "where-required", "analysts-read-only", "ddl-approval", "one-statement");
    }
}

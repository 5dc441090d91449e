package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine().execute(args);
            return new Run(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void configCheckAcceptsAValidFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, """
                targets:
                  - name: prod
                    upstream: {port: 5432, database: app, user: svc}
                """);
        Run run = run("config", "check", file.toString());
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("OK (1 target(s))");
    }

    @Test
    void configCheckPrintsEveryErrorWithFileAndLineAndExitsTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listeners:
                  postgres: {port: 99999}
                targets:
                  - name: prod
                    upstream: {port: 5432, database: app, user: svc, pasword: x}
                """);
        Run run = run("config", "check", file.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(file + ":2:").contains("port must be between");
        assertThat(run.err()).contains(file + ":5:").contains("unknown setting 'pasword'");
    }

    @Test
    void policyExplainShowsTheAnalysisEachRuleAndTheDecision(@TempDir Path dir) throws Exception {
        DemoCommand.writePolicies(dir);
        Run run = run("policy", "explain", "--policies", dir.toString(), "--identity", "alice", "--groups", "analysts",
                "--target", "prod", "DELETE FROM customers");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("statement: DELETE").contains("where NONE")
                .contains("no-drop-in-prod: no objection")
                .contains("where-required: DENY")
                .contains("readers-read-only: DENY")
                .contains("decision: DENY by where-required (SQLSTATE 42501)");
        Run agent = run("policy", "explain", "--policies", dir.toString(), "--identity", "etl-agent", "--groups", "agents",
                "--service", "--target", "prod", "select lower(email), count(*) from customers group by 1");
        assertThat(agent.out()).contains("column lower: derived of [customers.email]").contains("column count: constant")
                .contains("agent-1000-rows: at most 1000 rows")
                .contains("decision: ALLOW, at most 1000 rows (agent-1000-rows), results masked (agent-sees-pseudonyms)");
    }

    @Test
    void policyCheckReportsErrorsWithTheirLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "rules:\n  - id: x\n    kind: deny-statements\n    statements: [explode]\n");
        Run run = run("policy", "check", file.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(file + ":4:").contains("unknown statement kind 'explode'");
        Path demo = dir.resolve("demo");
        DemoCommand.writePolicies(demo);
        assertThat(run("policy", "check", demo.resolve("prod.yaml").toString()).out()).contains("OK (9 rule(s))");
        assertThat(run("policy", "check", demo.toString()).out()).as("test files are not rules").contains("OK (10 rule(s))");
    }

    private static final String POLICY = """
            rules:
              - {id: where-required, kind: require-where}
              - {id: no-drop, kind: deny-statements, statements: [drop]}
            """;

    private static final String PASSING_CASE = """
              - name: a drop is refused
                identity: {subject: bob}
                target: prod
                sql: drop table orders
                expect: deny
                rule: no-drop
            """;

    @Test
    void policyTestExitsZeroWhenEveryCasePasses(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("policy_test.yaml"), "tests:\n" + PASSING_CASE);
        Run quiet = run("policy", "test", dir.toString());
        assertThat(quiet.exit()).isZero();
        assertThat(quiet.out()).isEqualTo("1 passed, 0 failed" + System.lineSeparator());
        Run verbose = run("policy", "test", "--verbose", dir.toString());
        assertThat(verbose.exit()).isZero();
        assertThat(verbose.out()).contains("ok   " + dir.resolve("policy_test.yaml") + ":2: a drop is refused: deny by no-drop: ")
                .contains("1 passed, 0 failed");
    }

    @Test
    void policyTestPrintsEachFailureWithItsLineAndExitsOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Files.writeString(dir.resolve("policy_test.yaml"), "tests:\n" + PASSING_CASE + """
              - name: a delete is fine
                identity: {subject: bob}
                target: prod
                sql: delete from orders -- all of them
                expect: allow
            """);
        Run run = run("policy", "test", dir.toString());
        assertThat(run.exit()).isEqualTo(Main.FAILED);
        assertThat(run.out()).doesNotContain("a drop is refused")
                .contains("FAIL " + dir.resolve("policy_test.yaml") + ":8: a delete is fine: expected allow;"
                        + " got deny by where-required: denied by rule \"where-required\": DELETE without a WHERE clause")
                .endsWith("1 passed, 1 failed" + System.lineSeparator());
    }

    @Test
    void policyTestExitsTwoWhenATestFileDoesNotLoad(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Path tests = dir.resolve("policy_test.yaml");
        Files.writeString(tests, "tests:\n" + PASSING_CASE.replace("rule: no-drop", "rule: no-dropping"));
        Run run = run("policy", "test", dir.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains(tests + ":7:").contains("there is no rule 'no-dropping' in the policy");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void unknownCommandsAreUsageErrors() {
        Run run = run("frobnicate");
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("Unmatched argument").contains("Usage: parapet");
    }

    @Test
    void serveRefusesAnInvalidConfigurationWithoutStarting(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("empty.yaml");
        Files.writeString(file, "listeners: {}\n");
        Run run = run("serve", "--config", file.toString());
        assertThat(run.exit()).isEqualTo(Main.INVALID);
        assertThat(run.err()).contains("no targets are configured");
    }
}

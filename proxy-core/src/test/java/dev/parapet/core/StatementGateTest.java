package dev.parapet.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.config.TargetConfig;
import dev.parapet.policy.Decision;
import dev.parapet.policy.PolicyEngine;
import dev.parapet.policy.PolicyLoader;
import dev.parapet.policy.Principal;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatementGateTest {

    private static final Principal ALICE = new Principal("alice", "alice", null, Set.of("analysts"),
            Principal.Kind.HUMAN, "test");

    private static StatementGate gate() throws Exception {
        return new StatementGate(new PolicyEngine(new PolicyLoader().parse("""
                rules:
                  - id: no-ssn
                    kind: deny-columns
                    columns: [users.ssn]
                """, "rules.yaml")));
    }

    private static TargetConfig target(TargetConfig.Protocol protocol) {
        return new TargetConfig("t", protocol, "test", null, null);
    }

    @Test
    void mysqlDoubleQuotesAreJudgedAsStringsAndAsIdentifiers() throws Exception {
        StatementGate gate = gate();
        // under sql_mode ANSI_QUOTES "ssn" is the column
        Decision mysql = gate.judge(ALICE, target(TargetConfig.Protocol.MYSQL), "select \"ssn\" from users").decision();
        assertThat(mysql).isInstanceOfSatisfying(Decision.Deny.class, deny -> {
            assertThat(deny.ruleId()).isEqualTo("no-ssn");
            assertThat(deny.message()).contains("ANSI_QUOTES");
        });
        assertThat(gate.judge(ALICE, target(TargetConfig.Protocol.MYSQL), "select 'ssn' from users").decision())
                .as("single quotes are strings in every sql_mode").isInstanceOf(Decision.Allow.class);
        assertThat(gate.judge(ALICE, target(TargetConfig.Protocol.MYSQL), "select id from users where name = \"x\"")
                .decision()).isInstanceOf(Decision.Allow.class);
        // PostgreSQL's double quotes are always identifiers: nothing to read twice
        assertThat(gate.judge(ALICE, target(TargetConfig.Protocol.POSTGRES), "select \"ssn\" from users").decision())
                .isInstanceOf(Decision.Deny.class);
    }
}

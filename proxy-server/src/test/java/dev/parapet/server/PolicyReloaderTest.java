package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.core.StatementGate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {

    private static final String RULES = """
            rules:
              - id: no-drop
                kind: deny-statements
                statements: [drop]
            """;

    @Test
    void reloadsWhenThePolicyFileChangesNotWhenAFileBesideItDoes(@TempDir Path dir) throws Exception {
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, RULES);
        StatementGate gate = StatementGate.withoutRules();
        try (PolicyReloader reloader = new PolicyReloader(policy, gate)) {
            int before = gate.generation();
            for (int i = 0; i < 5; i++) {
                Files.writeString(dir.resolve("gateway.log"), "line " + i + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(100);
            }
            Thread.sleep(700);
            assertThat(gate.generation()).as("a log written beside the policy file reloads nothing").isEqualTo(before);
            Files.writeString(policy, RULES + "  - {id: where, kind: require-where}\n");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (gate.generation() == before && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(gate.generation()).as("the policy file's own change reloads it").isGreaterThan(before);
        }
    }
}

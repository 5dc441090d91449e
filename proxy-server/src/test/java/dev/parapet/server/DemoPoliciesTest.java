package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.policy.Decision;
import dev.parapet.policy.PolicyLoader;
import dev.parapet.policy.PolicyTestResult;
import dev.parapet.policy.PolicyTestRunner;
import dev.parapet.policy.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's policies and their test cases stay in step: every case passes, every rule is the one
 * deciding some case, and the demo writes every file of the resource folder.
 */
class DemoPoliciesTest {

    @Test
    void everyDemoPolicyTestPassesAndEveryRuleDecidesSomeCase(@TempDir Path dir) throws Exception {
        DemoCommand.writePolicies(dir);
        List<PolicyTestResult> results = new PolicyTestRunner().run(dir);
        assertThat(results).hasSizeGreaterThan(40);
        assertThat(results).allSatisfy(r -> assertThat(r.passed())
                .as("%s:%d %s: expected %s; got %s", r.file(), r.line(), r.name(), r.expected(), r.actual()).isTrue());
        Set<String> deciding = new HashSet<>();
        for (PolicyTestResult result : results) {
            switch (result.decision()) {
                case Decision.Deny d -> deciding.add(d.ruleId());
                case Decision.RequireApproval a -> deciding.add(a.ruleId());
                case Decision.Allow a -> {
                    a.rowLimit().ifPresent(limit -> deciding.add(limit.ruleId()));
                    a.masking().ifPresent(masking -> deciding.add(masking.ruleId()));
                }
            }
            result.decision().shadowed().forEach(v -> deciding.add(v.ruleId()));
        }
        List<Rule> rules = new PolicyLoader().load(dir);
        assertThat(deciding).as("rules no test case exercises").containsAll(rules.stream().map(Rule::id).toList());
        assertThat(results).as("allowed cases too").anySatisfy(r -> assertThat(r.decision()).isInstanceOf(Decision.Allow.class));
    }

    @Test
    void theDemoWritesEveryFileOfItsPolicyFolder(@TempDir Path dir) throws Exception {
        Path resources = Path.of(DemoPoliciesTest.class.getResource(DemoCommand.POLICY_RESOURCES).toURI());
        try (Stream<Path> listing = Files.list(resources)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(DemoCommand.POLICY_FILES);
        }
        Files.writeString(dir.resolve("prod.yaml"), "rules: []\n");
        DemoCommand.writePolicies(dir);
        assertThat(dir.resolve("prod.yaml")).hasSameTextualContentAs(resources.resolve("prod.yaml"));
    }
}

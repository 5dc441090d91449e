package dev.parapet.policy;

import dev.parapet.config.ConfigError;
import dev.parapet.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Runs a policy folder's own test cases ({@code *_test.yaml} beside the policy files) against the
 * policy in that folder, through the same analyzer and engine the gateway uses, so a policy
 * change that breaks an intended decision is caught before it is deployed.
 *
 * <p>Problems that make the run meaningless are errors, not failures: a policy or test file that
 * does not load, a folder without test files, a case naming a rule the policy does not have.
 */
public final class PolicyTestRunner {

    /** Query shapes each analyzer remembers; a test run is short and mostly distinct statements. */
    private static final int CACHE_SIZE = 1_000;

    /** Loads the policy and the tests in {@code folder} and runs every case, in file and then written order. */
    public List<PolicyTestResult> run(Path folder) throws ConfigException {
        if (!Files.isDirectory(folder)) {
            throw new ConfigException(List.of(new ConfigError(folder.toString(), 0, 0,
                    "not a folder: policy tests live in the policy folder, in files named *_test.yaml")));
        }
        List<ConfigError> errors = new ArrayList<>();
        List<Rule> rules = null;
        try {
            rules = new PolicyLoader().load(folder);
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        Predicate<String> ruleExists = rules == null ? id -> true : ids(rules)::contains;
        List<PolicyTestCase> cases = new ArrayList<>();
        List<Path> files;
        try {
            files = PolicyTestLoader.testFiles(folder);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(folder.toString(), 0, 0, "cannot read: " + e.getMessage())));
        }
        if (files.isEmpty()) {
            errors.add(new ConfigError(folder.toString(), 0, 0, "no policy tests here: write them in files named *_test.yaml"));
        }
        PolicyTestLoader loader = new PolicyTestLoader();
        for (Path file : files) {
            try {
                cases.addAll(loader.parse(Files.readString(file), file.toString(), ruleExists, errors));
            } catch (IOException e) {
                errors.add(new ConfigError(file.toString(), 0, 0, "cannot read: " + e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        PolicyEngine engine = new PolicyEngine(rules);
        Map<Dialect, SqlAnalyzer> analyzers = new EnumMap<>(Dialect.class);
        List<PolicyTestResult> results = new ArrayList<>(cases.size());
        for (PolicyTestCase c : cases) {
            SqlAnalyzer analyzer = analyzers.computeIfAbsent(c.dialect(), d -> new SqlAnalyzer(d, CACHE_SIZE));
            Decision decision = engine.decide(new PolicyRequest(c.principal(), c.target(), c.environment(),
                    analyzer.analyze(c.sql())));
            PolicyTestCase.Expectation expected = c.expectation();
            results.add(new PolicyTestResult(c.file(), c.line(), c.name(), expected.isMetBy(decision), expected.describe(),
                    expected.describe(decision), decision));
        }
        return results;
    }

    /** The rule ids a case may name: the policy's own, and the one the engine uses for unreadable statements. */
    private static Set<String> ids(List<Rule> rules) {
        Set<String> ids = rules.stream().map(Rule::id).collect(Collectors.toCollection(HashSet::new));
        ids.add(PolicyEngine.UNPARSEABLE_RULE);
        return ids;
    }
}

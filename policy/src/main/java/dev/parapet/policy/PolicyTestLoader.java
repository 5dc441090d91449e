package dev.parapet.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parapet.config.ConfigError;
import dev.parapet.config.YamlLocations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads policy test files ({@code *_test.yaml} / {@code *_test.yml} beside the policy files) into
 * {@link PolicyTestCase}s. Like policy files, every mistake is reported with its file and line,
 * all at once. Settings it does not know are errors, so a test written for a newer version, or
 * with a misspelt expectation, never passes by checking less than its author meant.
 */
final class PolicyTestLoader {

    /** One test file as written. */
    record TestFileSpec(Map<String, TargetSpec> targets, List<CaseSpec> tests) {
    }

    /** How a target name used by the tests maps to an environment and a dialect. */
    record TargetSpec(String environment, String dialect) {
    }

    /** One test case as written. */
    record CaseSpec(String name, IdentitySpec identity, String target, String sql, String expect, String rule,
            List<String> shadowed, String message, Long rowLimit, String masking) {
    }

    /** Who sends the statement. */
    record IdentitySpec(String subject, List<String> groups, String kind) {
    }

    /** Which record each mapping of a test file binds to, by where it sits; for the unknown-key check. */
    private static final Map<Pattern, Class<? extends Record>> SHAPES = Map.of(
            Pattern.compile(""), TestFileSpec.class,
            Pattern.compile("/targets/[^/]+"), TargetSpec.class,
            Pattern.compile("/tests/\\d+"), CaseSpec.class,
            Pattern.compile("/tests/\\d+/identity"), IdentitySpec.class);

    private static final Map<Class<? extends Record>, String> SHAPE_NAMES = Map.of(
            TestFileSpec.class, "a test file", TargetSpec.class, "a target", CaseSpec.class, "a test",
            IdentitySpec.class, "an identity");

    /** Whether {@code file} is a policy test file rather than a policy file. */
    static boolean isTestFile(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith("_test.yaml") || name.endsWith("_test.yml");
    }

    /** The test files of a policy folder, in name order. */
    static List<Path> testFiles(Path folder) throws IOException {
        try (Stream<Path> listing = Files.list(folder)) {
            return listing.filter(PolicyTestLoader::isTestFile).sorted().toList();
        }
    }

    /**
     * Reads one test file's text. Problems are added to {@code errors}, and a case with a problem is
     * left out. {@code ruleExists} says which rule ids a case may name.
     */
    List<PolicyTestCase> parse(String yaml, String fileName, Predicate<String> ruleExists, List<ConfigError> errors) {
        YamlLocations where;
        try {
            where = YamlLocations.of(fileName, yaml);
            reportUnknownSettings(yaml, where, errors);
        } catch (JsonProcessingException e) {
            errors.add(ConfigError.notYaml(fileName, e));
            return List.of();
        } catch (IOException e) {
            errors.add(new ConfigError(fileName, 0, 0, e.getMessage()));
            return List.of();
        }
        TestFileSpec file;
        try {
            file = mapper().readValue(yaml, TestFileSpec.class);
        } catch (JsonProcessingException e) {
            errors.add(where.error(e.getLocation(), e.getOriginalMessage()));
            return List.of();
        }
        if (file == null || file.tests() == null || file.tests().isEmpty()) {
            errors.add(where.errorAt("/tests", "a test file needs a non-empty 'tests' list"));
            return List.of();
        }
        Map<String, Target> targets = targets(file.targets(), where, errors);
        Set<String> names = new HashSet<>();
        List<PolicyTestCase> cases = new ArrayList<>();
        for (int i = 0; i < file.tests().size(); i++) {
            PolicyTestCase built = build(file.tests().get(i), "/tests/" + i, fileName, where, targets, names, ruleExists, errors);
            if (built != null) {
                cases.add(built);
            }
        }
        return cases;
    }

    /** A target as the tests see it. */
    private record Target(String environment, Dialect dialect) {
    }

    private static Map<String, Target> targets(Map<String, TargetSpec> specs, YamlLocations where, List<ConfigError> errors) {
        Map<String, Target> targets = new LinkedHashMap<>();
        if (specs == null) {
            return targets;
        }
        specs.forEach((name, spec) -> {
            TargetSpec given = spec == null ? new TargetSpec(null, null) : spec;
            Dialect dialect = Dialect.POSTGRES;
            if (given.dialect() != null) {
                try {
                    dialect = Dialect.valueOf(given.dialect().trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    errors.add(where.errorAt("/targets/" + name + "/dialect",
                            "unknown dialect '" + given.dialect() + "' (expected postgres or mysql)"));
                }
            }
            targets.put(name, new Target(given.environment() == null ? name : given.environment(), dialect));
        });
        return targets;
    }

    private static PolicyTestCase build(CaseSpec spec, String at, String fileName, YamlLocations where,
            Map<String, Target> targets, Set<String> names, Predicate<String> ruleExists, List<ConfigError> errors) {
        int before = errors.size();
        if (spec == null) {
            errors.add(where.errorAt(at, "a test must be a mapping with name, identity, target, sql and expect"));
            return null;
        }
        if (blank(spec.name())) {
            errors.add(where.errorAt(at, "a test needs a 'name' (failures are reported by it)"));
        } else if (!names.add(spec.name())) {
            errors.add(where.errorAt(at + "/name", "test '" + spec.name() + "' is defined twice in this file"));
        }
        Principal principal = principal(spec.identity(), at, where, errors);
        if (blank(spec.target())) {
            errors.add(where.errorAt(at, "a test needs a 'target': the target's name, as a client would ask for it"));
        }
        if (blank(spec.sql())) {
            errors.add(where.errorAt(at, "a test needs the 'sql' to decide on"));
        }
        PolicyTestCase.Expectation expectation = expectation(spec, at, where, ruleExists, errors);
        if (errors.size() != before) {
            return null;
        }
        Target target = targets.getOrDefault(spec.target(), new Target(spec.target(), Dialect.POSTGRES));
        int line = where.errorAt(at, "").line(); // where the case starts, for reports of its outcome
        return new PolicyTestCase(fileName, line, spec.name(), principal, spec.target(),
                target.environment(), target.dialect(), spec.sql(), expectation);
    }

    private static Principal principal(IdentitySpec identity, String at, YamlLocations where, List<ConfigError> errors) {
        if (identity == null || blank(identity.subject())) {
            errors.add(where.errorAt(at + "/identity", "a test needs an 'identity' with at least a 'subject'"
                    + " (and optionally groups and kind: human or service)"));
            return null;
        }
        Principal.Kind kind = Principal.Kind.HUMAN;
        if (identity.kind() != null) {
            switch (identity.kind().trim().toLowerCase(Locale.ROOT)) {
                case "human" -> kind = Principal.Kind.HUMAN;
                case "service" -> kind = Principal.Kind.SERVICE;
                default -> errors.add(where.errorAt(at + "/identity/kind",
                        "unknown identity kind '" + identity.kind() + "' (expected human or service)"));
            }
        }
        List<String> groups = identity.groups() == null ? List.of() : identity.groups();
        return new Principal(identity.subject(), Set.copyOf(groups), kind);
    }

    private static PolicyTestCase.Expectation expectation(CaseSpec spec, String at, YamlLocations where,
            Predicate<String> ruleExists, List<ConfigError> errors) {
        PolicyTestCase.Outcome outcome = null;
        if (blank(spec.expect())) {
            errors.add(where.errorAt(at, "a test needs 'expect': allow, deny or require-approval"));
        } else {
            outcome = switch (spec.expect().trim().toLowerCase(Locale.ROOT)) {
                case "allow" -> PolicyTestCase.Outcome.ALLOW;
                case "deny" -> PolicyTestCase.Outcome.DENY;
                case "require-approval" -> PolicyTestCase.Outcome.REQUIRE_APPROVAL;
                default -> {
                    errors.add(where.errorAt(at + "/expect",
                            "unknown expectation '" + spec.expect() + "' (expected allow, deny or require-approval)"));
                    yield null;
                }
            };
        }
        if (outcome == PolicyTestCase.Outcome.ALLOW && spec.rule() != null) {
            errors.add(where.errorAt(at + "/rule", "an allowed statement has no deciding rule:"
                    + " drop 'rule', or expect deny or require-approval"));
        }
        if (outcome == PolicyTestCase.Outcome.ALLOW && spec.message() != null) {
            errors.add(where.errorAt(at + "/message", "an allowed statement has no message:"
                    + " drop 'message', or expect deny or require-approval"));
        }
        if (spec.rowLimit() != null && outcome != null && outcome != PolicyTestCase.Outcome.ALLOW) {
            errors.add(where.errorAt(at + "/row-limit", "only an allowed statement carries a row limit"));
        }
        if (spec.masking() != null && !spec.masking().equals("none") && !ruleExists.test(spec.masking())) {
            errors.add(where.errorAt(at + "/masking", "there is no rule '" + spec.masking() + "' in the policy"));
        }
        if (spec.rule() != null && !ruleExists.test(spec.rule())) {
            errors.add(where.errorAt(at + "/rule", "there is no rule '" + spec.rule() + "' in the policy"));
        }
        if (spec.shadowed() != null) {
            for (String id : spec.shadowed()) {
                if (!ruleExists.test(id)) {
                    errors.add(where.errorAt(at + "/shadowed", "there is no rule '" + id + "' in the policy"));
                }
            }
        }
        return new PolicyTestCase.Expectation(outcome, Optional.ofNullable(spec.rule()),
                Optional.ofNullable(spec.shadowed()).map(Set::copyOf), Optional.ofNullable(spec.message()),
                Optional.ofNullable(spec.rowLimit()), Optional.ofNullable(spec.masking()));
    }

    /**
     * Reports every key that is not a setting of the mapping it sits in, at its own line. (Jackson's
     * own report of unknown properties has no position for records, which it binds after buffering.)
     */
    private static void reportUnknownSettings(String yaml, YamlLocations where, List<ConfigError> errors) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                if (token != JsonToken.FIELD_NAME) {
                    continue;
                }
                JsonStreamContext parent = p.getParsingContext().getParent();
                String mapping = parent == null ? "" : parent.pathAsPointer().toString();
                for (Map.Entry<Pattern, Class<? extends Record>> shape : SHAPES.entrySet()) {
                    if (!shape.getKey().matcher(mapping).matches()) {
                        continue;
                    }
                    List<String> known = settingsOf(shape.getValue());
                    if (!known.contains(p.currentName())) {
                        errors.add(where.error(p.currentTokenLocation(), "unknown setting '" + p.currentName() + "' in "
                                + SHAPE_NAMES.get(shape.getValue()) + " (known: " + String.join(", ", known) + ")"));
                    }
                }
            }
        }
    }

    private static List<String> settingsOf(Class<? extends Record> type) {
        var kebab = new PropertyNamingStrategies.KebabCaseStrategy();
        return Arrays.stream(type.getRecordComponents()).map(c -> kebab.translate(c.getName())).toList();
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // reported with their lines beforehand
        mapper.enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        return mapper;
    }
}

package dev.parapet.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parapet.config.ConfigError;
import dev.parapet.config.ConfigException;
import dev.parapet.config.YamlLocations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads policy files: one YAML file, or every {@code *.yaml} / {@code *.yml} file of a folder in
 * name order, each holding {@code rules:} (and optionally {@code mode: shadow} for all of them).
 * The policy's test files in the folder ({@code *_test.yaml}) are not rules and are skipped.
 * Every problem is reported with its file and line, all at once; nothing is half-loaded.
 */
public final class PolicyLoader {

    /** One file as written. */
    record PolicyFile(String mode, List<RuleSpec> rules) {
    }

    /** One rule as written; which fields matter depends on {@code kind}. */
    record RuleSpec(String id, String description, String kind, List<String> statements, List<String> tables,
            List<String> deny, List<String> functions, List<String> targets, List<String> environments,
            List<String> groups, List<String> subjects, List<String> identityKinds, String mode, String when,
            List<String> objects, String sqlState, String message, String hint, Long rows, String onLimit,
            List<String> columns, String table, String selectStar, List<String> clearFor, Map<String, String> strategies,
            Map<String, String> sensitive, Boolean detect, Boolean denyPredicates, String approvalMode,
            List<String> approvers, Boolean selfApproval, Integer approvals, String expiresAfter, String ticketWindow,
            String approversWhen, Boolean estimateRows, String ticketMatch, String ticketUses) {
    }

    public List<Rule> load(Path path) throws ConfigException {
        if (!Files.exists(path)) {
            throw new ConfigException(List.of(new ConfigError(path.toString(), 0, 0, "no such policy file or folder")));
        }
        List<Path> files = new ArrayList<>();
        try {
            if (Files.isDirectory(path)) {
                try (Stream<Path> listing = Files.list(path)) {
                    listing.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                            .filter(p -> !PolicyTestLoader.isTestFile(p))
                            .sorted().forEach(files::add);
                }
            } else {
                files.add(path);
            }
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(path.toString(), 0, 0, "cannot read: " + e.getMessage())));
        }
        List<ConfigError> errors = new ArrayList<>();
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path file : files) {
            try {
                rules.addAll(parse(Files.readString(file), file.toString(), ids, errors));
            } catch (IOException e) {
                errors.add(new ConfigError(file.toString(), 0, 0, "cannot read: " + e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return rules;
    }

    /** Parses one file's text; for tests and for {@link #load}. */
    public List<Rule> parse(String yaml, String fileName) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<Rule> rules = parse(yaml, fileName, new HashSet<>(), errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return rules;
    }

    private List<Rule> parse(String yaml, String fileName, Set<String> ids, List<ConfigError> errors) {
        YamlLocations where;
        try {
            where = YamlLocations.of(fileName, yaml);
        } catch (JsonProcessingException e) {
            errors.add(ConfigError.notYaml(fileName, e));
            return List.of();
        } catch (IOException e) {
            errors.add(new ConfigError(fileName, 0, 0, e.getMessage()));
            return List.of();
        }
        PolicyFile file;
        try {
            file = mapper(where, errors).readValue(yaml, PolicyFile.class);
        } catch (JsonProcessingException e) {
            errors.add(where.error(e.getLocation(), e.getOriginalMessage()));
            return List.of();
        }
        if (file == null || file.rules() == null) {
            errors.add(where.errorAt("/rules", "a policy file needs a 'rules' list"));
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < file.rules().size(); i++) {
            Rule rule = build(file.rules().get(i), file.mode(), "/rules/" + i, where, ids, errors);
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static Rule build(RuleSpec spec, String fileMode, String at, YamlLocations where, Set<String> ids,
            List<ConfigError> errors) {
        int before = errors.size();
        if (spec.id() == null || spec.id().isBlank()) {
            errors.add(where.errorAt(at, "a rule needs an 'id' (refusals name it)"));
        } else if (!ids.add(spec.id())) {
            errors.add(where.errorAt(at + "/id", "rule '" + spec.id() + "' is defined twice"));
        }
        RuleScope scope = scope(spec, fileMode, at, where, errors);
        String kind = spec.kind() == null ? "" : spec.kind().toLowerCase(Locale.ROOT);
        Rule rule = switch (kind) {
            case "deny-statements" -> new Rule.DenyStatementKinds(spec.id(), spec.description(), scope,
                    kinds(spec.statements(), at + "/statements", where, errors), objects(spec, at, where, errors));
            case "require-where" -> new Rule.RequireWhere(spec.id(), spec.description(), scope);
            case "read-only" -> new Rule.ReadOnly(spec.id(), spec.description(), scope);
            case "protect-tables" -> new Rule.ProtectTables(spec.id(), spec.description(), scope,
                    required(spec.tables(), "tables", at, where, errors), access(spec.deny(), at + "/deny", where, errors));
            case "deny-functions" -> new Rule.DenyFunctions(spec.id(), spec.description(), scope,
                    Set.copyOf(required(spec.functions(), "functions", at, where, errors)));
            case "deny-multiple-statements" -> new Rule.DenyMultipleStatements(spec.id(), spec.description(), scope);
            case "require-approval" -> new Rule.RequireApproval(spec.id(), spec.description(), scope,
                    kinds(spec.statements(), at + "/statements", where, errors), objects(spec, at, where, errors),
                    approvalTerms(spec, at, where, errors));
            case "allow-unparseable" -> new Rule.AllowUnparseable(spec.id(), spec.description(), scope);
            case "allow-local-infile" -> new Rule.AllowLocalInfile(spec.id(), spec.description(), scope);
            case "max-rows" -> maxRows(spec, scope, at, where, errors);
            case "deny-columns" -> new Rule.DenyColumns(spec.id(), spec.description(), scope,
                    qualifiedColumns(required(spec.columns(), "columns", at, where, errors), at + "/columns", where, errors),
                    selectStar(spec.selectStar(), at, where, errors));
            case "allow-columns" -> {
                if (spec.table() == null || spec.table().isBlank()) {
                    errors.add(where.errorAt(at, "allow-columns needs the 'table' its column list is for"));
                }
                yield new Rule.AllowColumns(spec.id(), spec.description(), scope, spec.table() == null ? "" : spec.table(),
                        Set.copyOf(required(spec.columns(), "columns", at, where, errors)));
            }
            case "allow-tables" -> new Rule.AllowTables(spec.id(), spec.description(), scope,
                    required(spec.tables(), "tables", at, where, errors));
            case "mask" -> mask(spec, scope, at, where, errors);
            default -> {
                errors.add(where.errorAt(at + "/kind", "unknown rule kind '" + spec.kind() + "' (expected deny-statements,"
                        + " require-where, read-only, protect-tables, deny-functions, deny-multiple-statements,"
                        + " deny-columns, allow-columns, allow-tables, max-rows, mask, require-approval, allow-unparseable"
                        + " or allow-local-infile)"));
                yield null;
            }
        };
        if (rule != null) {
            checkSettingsFit(spec, rule, at, where, errors);
        }
        return errors.size() == before ? rule : null;
    }

    private static ApprovalTerms approvalTerms(RuleSpec spec, String at, YamlLocations where, List<ConfigError> errors) {
        ApprovalTerms.Mode mode = ApprovalTerms.Mode.HOLD;
        if (spec.approvalMode() != null) {
            switch (spec.approvalMode()) {
                case "hold" -> mode = ApprovalTerms.Mode.HOLD;
                case "ticket" -> mode = ApprovalTerms.Mode.TICKET;
                default -> errors.add(where.errorAt(at + "/approval-mode", "approval-mode is hold or ticket, not '"
                        + spec.approvalMode() + "'"));
            }
        }
        int approvals = spec.approvals() == null ? 1 : spec.approvals();
        if (approvals < 1) {
            errors.add(where.errorAt(at + "/approvals", "approvals must be 1 or more"));
            approvals = 1;
        }
        java.time.Duration expires = duration(spec.expiresAfter(), ApprovalTerms.DEFAULT.expiresAfter(), at + "/expires-after",
                where, errors);
        java.time.Duration window = duration(spec.ticketWindow(), ApprovalTerms.DEFAULT.ticketWindow(), at + "/ticket-window",
                where, errors);
        Condition approversWhen = Condition.ALWAYS;
        if (spec.approversWhen() != null) {
            try {
                approversWhen = Condition.compile(spec.approversWhen());
            } catch (InvalidConditionException e) {
                e.problems().forEach(problem -> errors.add(where.errorAt(at + "/approvers-when", "approvers-when: " + problem)));
            }
        }
        return new ApprovalTerms(mode, Set.copyOf(orEmpty(spec.approvers())), Boolean.TRUE.equals(spec.selfApproval()),
                approvals, expires, window, approversWhen, Boolean.TRUE.equals(spec.estimateRows()),
                ticketMatch(spec, at, where, errors), ticketReuse(spec, at, where, errors));
    }

    private static ApprovalTerms.TicketMatch ticketMatch(RuleSpec spec, String at, YamlLocations where, List<ConfigError> errors) {
        if (spec.ticketMatch() == null || spec.ticketMatch().equals("text")) {
            return ApprovalTerms.TicketMatch.TEXT;
        }
        if (spec.ticketMatch().equals("fingerprint")) {
            return ApprovalTerms.TicketMatch.FINGERPRINT;
        }
        errors.add(where.errorAt(at + "/ticket-match", "ticket-match is text or fingerprint, not '" + spec.ticketMatch() + "'"));
        return ApprovalTerms.TicketMatch.TEXT;
    }

    private static boolean ticketReuse(RuleSpec spec, String at, YamlLocations where, List<ConfigError> errors) {
        if (spec.ticketUses() == null || spec.ticketUses().equals("once")) {
            return false;
        }
        if (spec.ticketUses().equals("window")) {
            return true;
        }
        errors.add(where.errorAt(at + "/ticket-uses", "ticket-uses is once or window, not '" + spec.ticketUses() + "'"));
        return false;
    }

    private static java.time.Duration duration(String text, java.time.Duration otherwise, String at, YamlLocations where,
            List<ConfigError> errors) {
        if (text == null) {
            return otherwise;
        }
        try {
            java.time.Duration parsed = dev.parapet.config.Durations.parse(text);
            if (!parsed.isZero()) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        errors.add(where.errorAt(at, "'" + text + "' is not a duration (examples: 90s, 15m, 2h, 1d)"));
        return otherwise;
    }

    private static Rule mask(RuleSpec spec, RuleScope scope, String at, YamlLocations where, List<ConfigError> errors) {
        Map<String, String> strategies = new java.util.LinkedHashMap<>();
        if (spec.strategies() != null) {
            spec.strategies().forEach((dataClass, strategy) -> {
                String cls = dataClass.trim().toLowerCase(Locale.ROOT);
                String how = strategy == null ? "" : strategy.trim();
                if (!MaskingDirective.CLASSES.contains(cls)) {
                    errors.add(where.errorAt(at + "/strategies/" + dataClass, "unknown data class '" + dataClass
                            + "' (expected one of " + String.join(", ", MaskingDirective.CLASSES) + ")"));
                } else if (!MaskingDirective.STRATEGIES.contains(how.toLowerCase(Locale.ROOT)) && !how.startsWith("fixed:")) {
                    errors.add(where.errorAt(at + "/strategies/" + dataClass, "unknown strategy '" + strategy
                            + "' (expected redact, partial, keyed-hash, nullify or fixed:VALUE)"));
                } else {
                    strategies.put(cls, how.startsWith("fixed:") ? how : how.toLowerCase(Locale.ROOT));
                }
            });
        }
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        if (spec.sensitive() != null) {
            spec.sensitive().forEach((column, what) -> {
                String kind = what == null ? "" : what.trim().toLowerCase(Locale.ROOT);
                if (column.indexOf('.') <= 0 || column.endsWith(".")) {
                    errors.add(where.errorAt(at + "/sensitive/" + column, "'" + column
                            + "' should be table.column or schema.table.column"));
                } else if (!MaskingDirective.CLASSES.contains(kind) && !kind.equals("scan") && !kind.equals("none")) {
                    errors.add(where.errorAt(at + "/sensitive/" + column, "'" + what + "' is not a data class, scan or none"));
                } else {
                    columns.put(column.toLowerCase(Locale.ROOT), kind);
                }
            });
        }
        return new Rule.Mask(spec.id(), spec.description(), scope, Set.copyOf(orEmpty(spec.clearFor())),
                new MaskingDirective(spec.id(), strategies, columns, spec.detect() == null || spec.detect(),
                        Boolean.TRUE.equals(spec.denyPredicates())));
    }

    private static boolean selectStar(String value, String at, YamlLocations where, List<ConfigError> errors) {
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "deny" -> false;
            case "narrow" -> true;
            default -> {
                errors.add(where.errorAt(at + "/select-star", "unknown select-star '" + value + "' (expected deny or narrow)"));
                yield false;
            }
        };
    }

    private static List<String> qualifiedColumns(List<String> columns, String at, YamlLocations where,
            List<ConfigError> errors) {
        for (String column : columns) {
            if (column.indexOf('.') <= 0 || column.endsWith(".") || column.endsWith("*")) {
                errors.add(where.errorAt(at, "'" + column + "' should be table.column or schema.table.column"));
            }
        }
        return columns;
    }

    private static Rule maxRows(RuleSpec spec, RuleScope scope, String at, YamlLocations where, List<ConfigError> errors) {
        if (spec.rows() == null || spec.rows() < 0) {
            errors.add(where.errorAt(spec.rows() == null ? at : at + "/rows",
                    "max-rows needs 'rows': the most rows a statement may return (0 or more)"));
            return null;
        }
        RowLimit.Action action = RowLimit.Action.NOTICE;
        if (spec.onLimit() != null) {
            switch (spec.onLimit().trim().toLowerCase(Locale.ROOT)) {
                case "notice" -> action = RowLimit.Action.NOTICE;
                case "error" -> action = RowLimit.Action.ERROR;
                default -> {
                    errors.add(where.errorAt(at + "/on-limit", "unknown on-limit '" + spec.onLimit()
                            + "' (expected notice or error)"));
                    return null;
                }
            }
        }
        return new Rule.MaxRows(spec.id(), spec.description(), scope, spec.rows(), action);
    }

    /** Settings every rule accepts that mean nothing for some kinds: better an error than a silent no-op. */
    private static void checkSettingsFit(RuleSpec spec, Rule rule, String at, YamlLocations where, List<ConfigError> errors) {
        if (spec.objects() != null) {
            Set<StatementKind> narrowed = rule instanceof Rule.DenyStatementKinds deny ? deny.kinds()
                    : rule instanceof Rule.RequireApproval approval ? approval.kinds() : null;
            if (narrowed == null) {
                errors.add(where.errorAt(at + "/objects", "'objects' narrows deny-statements and require-approval rules only"));
            } else {
                narrowed.stream().filter(kind -> !kind.hasObjectType()).sorted().forEach(kind -> errors.add(where.errorAt(
                        at + "/objects", "'objects' cannot narrow " + ConditionInput.kindName(kind) + " statements, which"
                                + " name no object type; put them in a rule of their own")));
            }
        }
        if (!(rule instanceof Rule.RequireApproval) && (spec.approvalMode() != null || spec.approvers() != null
                || spec.selfApproval() != null || spec.approvals() != null || spec.expiresAfter() != null
                || spec.ticketWindow() != null || spec.approversWhen() != null || spec.estimateRows() != null
                || spec.ticketMatch() != null || spec.ticketUses() != null)) {
            errors.add(where.errorAt(at, "approval-mode, approvers, approvers-when, self-approval, approvals, expires-after"
                    + " and ticket-window are settings of require-approval rules"));
        }
        if ((spec.sqlState() != null || spec.message() != null || spec.hint() != null)
                && (rule instanceof Rule.AllowUnparseable || rule instanceof Rule.AllowLocalInfile
                        || rule instanceof Rule.RequireApproval)) {
            String key = spec.sqlState() != null ? "sql-state" : spec.message() != null ? "message" : "hint";
            errors.add(where.errorAt(at + "/" + key, "'sql-state', 'message' and 'hint' say how a rule refuses a statement,"
                    + " and a " + spec.kind() + " rule does not refuse"));
        }
    }

    /** The object types a kind-based rule is narrowed to (none: any). */
    private static Set<String> objects(RuleSpec spec, String at, YamlLocations where, List<ConfigError> errors) {
        if (spec.objects() == null) {
            return Set.of();
        }
        if (spec.objects().isEmpty() || spec.objects().stream().anyMatch(o -> o == null || o.isBlank())) {
            errors.add(where.errorAt(at + "/objects", "list object types under 'objects' (e.g. [database, schema])"));
            return Set.of();
        }
        return Set.copyOf(spec.objects());    }

    private static RuleScope scope(RuleSpec spec, String fileMode, String at, YamlLocations where, List<ConfigError> errors) {
        Set<Principal.Kind> kinds = EnumSet.noneOf(Principal.Kind.class);
        for (String k : orEmpty(spec.identityKinds())) {
            switch (k.toLowerCase(Locale.ROOT)) {
                case "human" -> kinds.add(Principal.Kind.HUMAN);
                case "service" -> kinds.add(Principal.Kind.SERVICE);
                default -> errors.add(where.errorAt(at + "/identity-kinds", "unknown identity kind '" + k + "' (expected human or service)"));
            }
        }
        String mode = spec.mode() != null ? spec.mode() : fileMode;
        RuleScope.Mode parsed = RuleScope.Mode.ENFORCE;
        if (mode != null) {
            try {
                parsed = RuleScope.Mode.parse(mode);
            } catch (IllegalArgumentException e) {
                errors.add(where.errorAt(spec.mode() != null ? at + "/mode" : "/mode", "unknown mode '" + mode + "' (expected enforce or shadow)"));
            }
        }
        return new RuleScope(Set.copyOf(orEmpty(spec.targets())), Set.copyOf(orEmpty(spec.environments())),
                Set.copyOf(orEmpty(spec.groups())), Set.copyOf(orEmpty(spec.subjects())), kinds, parsed,
                condition(spec.when(), at + "/when", where, errors), refusal(spec, at, where, errors));
    }

    private static Condition condition(String when, String at, YamlLocations where, List<ConfigError> errors) {
        if (when == null) {
            return Condition.ALWAYS;
        }
        try {
            return Condition.compile(when);
        } catch (InvalidConditionException e) {
            e.problems().forEach(problem -> errors.add(where.errorAt(at, "when: " + problem)));
            return Condition.ALWAYS;
        }
    }

    private static Refusal refusal(RuleSpec spec, String at, YamlLocations where, List<ConfigError> errors) {
        String sqlState = spec.sqlState() == null ? null : spec.sqlState().trim();
        if (sqlState != null && Refusal.problemWithSqlState(sqlState) != null) {
            errors.add(where.errorAt(at + "/sql-state", "sql-state '" + spec.sqlState() + "': "
                    + Refusal.problemWithSqlState(sqlState)));
            sqlState = null;
        }
        return new Refusal(sqlState, blankToNull(spec.message()), blankToNull(spec.hint()));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static Set<StatementKind> kinds(List<String> names, String at, YamlLocations where, List<ConfigError> errors) {
        if (names == null || names.isEmpty()) {
            errors.add(where.errorAt(at, "list the statement kinds under 'statements' (e.g. [drop, truncate])"));
            return Set.of();
        }
        Set<StatementKind> kinds = new LinkedHashSet<>();
        for (String name : names) {
            try {
                kinds.add(StatementKind.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_').replace(' ', '_')));
            } catch (IllegalArgumentException e) {
                errors.add(where.errorAt(at, "unknown statement kind '" + name + "'"));
            }
        }
        return kinds;
    }

    private static Set<Rule.ProtectTables.Access> access(List<String> names, String at, YamlLocations where,
            List<ConfigError> errors) {
        if (names == null || names.isEmpty()) {
            errors.add(where.errorAt(at, "say what is denied on the tables under 'deny': read, write and/or ddl"));
            return Set.of();
        }
        Set<Rule.ProtectTables.Access> access = EnumSet.noneOf(Rule.ProtectTables.Access.class);
        for (String name : names) {
            try {
                access.add(Rule.ProtectTables.Access.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                errors.add(where.errorAt(at, "unknown access '" + name + "' (expected read, write or ddl)"));
            }
        }
        return access;
    }

    private static List<String> required(List<String> values, String key, String at, YamlLocations where,
            List<ConfigError> errors) {
        if (values == null || values.isEmpty()) {
            errors.add(where.errorAt(at, "this rule needs a non-empty '" + key + "' list"));
            return List.of();
        }
        return values;
    }

    private static List<String> orEmpty(List<String> values) {
        return values == null ? List.of() : values;
    }

    private static ObjectMapper mapper(YamlLocations where, List<ConfigError> errors) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        mapper.addHandler(new DeserializationProblemHandler() {
            @Override
            public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                    JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
                errors.add(where.error(where.firstKeyNamed(propertyName), "unknown setting '" + propertyName + "'"));
                p.skipChildren();
                return true;
            }
        });
        return mapper;
    }
}

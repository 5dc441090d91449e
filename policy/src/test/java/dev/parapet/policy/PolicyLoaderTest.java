package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.config.ConfigError;
import dev.parapet.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

    private final PolicyLoader loader = new PolicyLoader();

    @Test
    void readsEachRuleKindWithItsScope() throws Exception {
        List<Rule> rules = loader.parse("""
                rules:
                  - id: no-drop-in-prod
                    kind: deny-statements
                    statements: [drop, truncate]
                    environments: [prod]
                  - id: where-required
                    kind: require-where
                  - id: agents-read-only
                    kind: read-only
                    groups: [agents]
                    identity-kinds: [service]
                  - id: agent-no-cards
                    kind: protect-tables
                    tables: [public.payment_cards]
                    deny: [read]
                    groups: [agents]
                  - id: no-server-files
                    kind: deny-functions
                    functions: [pg_read_file]
                  - id: one-statement
                    kind: deny-multiple-statements
                    mode: shadow
                  - id: ddl-approval
                    kind: require-approval
                    statements: [alter, create-function]
                  - id: legacy
                    kind: allow-unparseable
                    targets: [legacy]
                """, "p.yaml");
        assertThat(rules).extracting(Rule::id).containsExactly("no-drop-in-prod", "where-required", "agents-read-only",
                "agent-no-cards", "no-server-files", "one-statement", "ddl-approval", "legacy");
        assertThat(((Rule.DenyStatementKinds) rules.get(0)).kinds()).containsExactlyInAnyOrder(StatementKind.DROP, StatementKind.TRUNCATE);
        assertThat(rules.get(0).scope().environments()).containsExactly("prod");
        assertThat(rules.get(2).scope().kinds()).containsExactly(Principal.Kind.SERVICE);
        assertThat(rules.get(5).scope().mode()).isEqualTo(RuleScope.Mode.SHADOW);
        assertThat(((Rule.RequireApproval) rules.get(6)).kinds()).containsExactlyInAnyOrder(StatementKind.ALTER, StatementKind.CREATE_FUNCTION);
    }

    @Test
    void reportsEveryMistakeWithItsLine() {
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: a
                    kind: deny-statements
                    statements: [drop, nuke]
                  - id: a
                    kind: require-where
                  - id: c
                    kind: protect-tables
                    deny: [read]
                  - id: d
                    kind: teleport
                    colour: blue
                """, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:4:").contains("unknown statement kind 'nuke'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:5:").contains("'a' is defined twice"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:7:").contains("non-empty 'tables'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:11:").contains("unknown rule kind 'teleport'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:12:").contains("unknown setting 'colour'")));
    }

    @Test
    void loadsAFolderInNameOrderAndAWholeFileCanBeShadow(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("20-trial.yaml"), """
                mode: shadow
                rules:
                  - {id: trial, kind: deny-multiple-statements}
                """);
        Files.writeString(dir.resolve("10-base.yml"), """
                rules:
                  - {id: base, kind: require-where}
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a policy");
        List<Rule> rules = loader.load(dir);
        assertThat(rules).extracting(Rule::id).containsExactly("base", "trial");
        assertThat(rules.get(1).scope().mode()).isEqualTo(RuleScope.Mode.SHADOW);
        assertThat(rules.get(0).scope().mode()).isEqualTo(RuleScope.Mode.ENFORCE);
        PolicyEngine engine = new PolicyEngine(rules);
        Decision decision = engine.decide(new PolicyRequest(new Principal("x", Set.of(), Principal.Kind.HUMAN), "t", "e",
                new SqlAnalyzer(Dialect.POSTGRES).analyze("delete from t; select 1")));
        assertThat(decision).isInstanceOf(Decision.Deny.class);
        assertThat(decision.shadowed()).extracting(Decision.Verdict::ruleId).containsExactly("trial");
    }

    @Test
    void aDuplicateIdAcrossFilesIsAnError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), "rules: [{id: same, kind: require-where}]\n");
        Files.writeString(dir.resolve("b.yaml"), "rules: [{id: same, kind: read-only}]\n");
        assertThatThrownBy(() -> loader.load(dir)).hasMessageContaining("b.yaml:1:").hasMessageContaining("defined twice");
    }

    @Test
    void readsConditionsObjectTypesAndRefusalSettings() throws Exception {
        List<Rule> rules = loader.parse("""
                rules:
                  - id: keep-the-database
                    kind: deny-statements
                    statements: [drop]
                    objects: [Database, materialized-view]
                    when: "target.environment == 'staging'"
                    sql-state: 42P99
                    message: the database itself stays
                    hint: drop its tables instead
                  - id: role-approval
                    kind: require-approval
                    statements: [create, alter]
                    objects: role
                    when: |
                      identity.kind == 'human'
                        && !('dba' in identity.groups)
                """, "p.yaml");
        Rule.DenyStatementKinds keep = (Rule.DenyStatementKinds) rules.get(0);
        assertThat(keep.objects()).containsExactlyInAnyOrder("database", "materialized view");
        assertThat(keep.scope().when().source()).isEqualTo("target.environment == 'staging'");
        assertThat(keep.scope().refusal()).isEqualTo(new Refusal("42P99", "the database itself stays", "drop its tables instead"));
        Rule.RequireApproval roles = (Rule.RequireApproval) rules.get(1);
        assertThat(roles.objects()).containsExactly("role");
        assertThat(roles.scope().when().source()).contains("!('dba' in identity.groups)");
        assertThat(roles.scope().refusal()).isEqualTo(Refusal.DEFAULT);
    }

    @Test
    void reportsConditionsThatDoNotCompileWithTheirLine() {
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: typo
                    kind: require-where
                    when: "identty.subject == 'alice'"
                  - id: unknown-field
                    kind: require-where
                    when: identity.emial.endsWith('@corp.example')
                  - id: not-a-test
                    kind: require-where
                    when: identity.subject
                  - id: half-written
                    kind: require-where
                    when: "identity.subject =="
                  - id: second-line
                    kind: require-where
                    when: |
                      identity.kind == 'human'
                        && statement.kinds.exists(k, k == delete)
                  - id: fine
                    kind: require-where
                    when: "identity.subject == 'alice'"
                """, "when.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("when.yaml:4:")
                                .contains("when: undeclared reference to 'identty' (column 1)"))
                        .anySatisfy(s -> assertThat(s).startsWith("when.yaml:7:")
                                .contains("when: unknown field 'identity.emial'; identity has subject, name, email"))
                        .anySatisfy(s -> assertThat(s).startsWith("when.yaml:10:").contains("when: a condition must be true or false, and this one is a string"))
                        .anySatisfy(s -> assertThat(s).startsWith("when.yaml:13:").contains("when: "))
                        .anySatisfy(s -> assertThat(s).startsWith("when.yaml:16:")
                                .contains("when: undeclared reference to 'delete' (line 2, column"))
                        .noneSatisfy(s -> assertThat(s).contains("when.yaml:2" + "0:")));
    }

    @Test
    void readsApprovalTermsAndReportsTheirMistakes() throws Exception {
        List<Rule> rules = loader.parse("""
                rules:
                  - id: reviewed
                    kind: require-approval
                    statements: [alter]
                    approval-mode: ticket
                    approvers: [change-approvers]
                    approvers-when: "identity.subject != 'bob'"
                    approvals: 2
                    expires-after: 30m
                    ticket-window: 2h
                """, "approvals.yaml");
        ApprovalTerms terms = ((Rule.RequireApproval) rules.get(0)).terms();
        assertThat(terms.mode()).isEqualTo(ApprovalTerms.Mode.TICKET);
        assertThat(terms.approvers()).containsExactly("change-approvers");
        assertThat(terms.approvals()).isEqualTo(2);
        assertThat(terms.expiresAfter()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(terms.ticketWindow()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(terms.approversWhen().source()).isEqualTo("identity.subject != 'bob'");
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: bad
                    kind: require-approval
                    statements: [alter]
                    approval-mode: later
                    approvers-when: "identty.subject == 'x'"
                    expires-after: soon
                  - id: misplaced
                    kind: require-where
                    approvers: [x]
                """, "approvals.yaml")).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).contains("approval-mode is hold or ticket"))
                        .anySatisfy(s -> assertThat(s).contains("approvers-when: undeclared reference to 'identty'"))
                        .anySatisfy(s -> assertThat(s).contains("'soon' is not a duration"))
                        .anySatisfy(s -> assertThat(s).contains("settings of require-approval rules")));
    }

    @Test
    void rejectsRefusalAndObjectSettingsThatCannotWork() {
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: bad-state
                    kind: require-where
                    sql-state: 4250
                  - id: success-state
                    kind: require-where
                    sql-state: "00000"
                  - id: lower-case-state
                    kind: require-where
                    sql-state: 42p01
                  - id: never-refuses
                    kind: allow-unparseable
                    hint: nothing to say
                  - id: objects-on-delete
                    kind: deny-statements
                    statements: [drop, delete]
                    objects: [table]
                  - id: objects-on-read-only
                    kind: read-only
                    objects: [table]
                  - id: empty-objects
                    kind: deny-statements
                    statements: [drop]
                    objects: []
                """, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:4:").contains("five digits or upper-case letters"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:7:").contains("class 00 is not an error"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:10:").contains("sql-state '42p01'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:13:").contains("allow-unparseable rule does not refuse"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:17:").contains("cannot narrow delete statements"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:20:").contains("deny-statements and require-approval rules only"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad.yaml:24:").contains("list object types"))
                        .hasSize(7));
    }

    @Test
    void readsRowLimitsAndRefusesMissingOrNegativeOnes() throws Exception {
        List<Rule> rules = loader.parse("""
                rules:
                  - id: agent-rows
                    kind: max-rows
                    rows: 1000
                    groups: [agents]
                  - id: strict-rows
                    kind: max-rows
                    rows: 10
                    on-limit: error
                """, "rows.yaml");
        assertThat(rules).containsExactly(
                new Rule.MaxRows("agent-rows", null, new RuleScope(Set.of(), Set.of(), Set.of("agents"), Set.of(), Set.of(),
                        RuleScope.Mode.ENFORCE), 1000, RowLimit.Action.NOTICE),
                new Rule.MaxRows("strict-rows", null, RuleScope.EVERYWHERE, 10, RowLimit.Action.ERROR));
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: a
                    kind: max-rows
                  - id: b
                    kind: max-rows
                    rows: -1
                  - id: c
                    kind: max-rows
                    rows: 5
                    on-limit: shout
                """, "bad-rows.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("bad-rows.yaml:2:").contains("needs 'rows'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad-rows.yaml:6:").contains("needs 'rows'"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad-rows.yaml:10:").contains("unknown on-limit 'shout'")));
    }

    @Test
    void readsColumnAndTableAccessRules() throws Exception {
        List<Rule> rules = loader.parse("""
                rules:
                  - id: no-cards
                    kind: deny-columns
                    columns: [payment_cards.card_number, public.customers.ssn]
                  - id: card-columns
                    kind: allow-columns
                    table: payment_cards
                    columns: [id, last4]
                  - id: agent-tables
                    kind: allow-tables
                    tables: [public.*]
                """, "columns.yaml");
        assertThat(rules.get(0)).isEqualTo(new Rule.DenyColumns("no-cards", null, RuleScope.EVERYWHERE,
                List.of("payment_cards.card_number", "public.customers.ssn")));
        assertThat(((Rule.AllowColumns) rules.get(1)).columns()).containsExactlyInAnyOrder("id", "last4");
        assertThat(((Rule.AllowTables) rules.get(2)).tables()).containsExactly("public.*");
        assertThatThrownBy(() -> loader.parse("""
                rules:
                  - id: a
                    kind: deny-columns
                    columns: [card_number]
                  - id: b
                    kind: allow-columns
                    columns: [id]
                """, "bad-columns.yaml"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).extracting(ConfigError::toString)
                        .anySatisfy(s -> assertThat(s).startsWith("bad-columns.yaml:4:").contains("table.column"))
                        .anySatisfy(s -> assertThat(s).startsWith("bad-columns.yaml:5:").contains("needs the 'table'")));
    }
}

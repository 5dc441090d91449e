package dev.parapet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.fastpath.Fastpath;
import org.postgresql.fastpath.FastpathArg;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * Tries to get around each kind of guardrail rule through the gateway, the way a curious analyst
 * or a prompt-injected agent would: odd case and quoting, comments, statements smuggled behind
 * others or wrapped in EXPLAIN, PREPARE, CTEs, rules, views, DDL and code blocks, search-path
 * games, functions that read or write on the caller's behalf, the fast-path protocol. Every
 * attempt goes through pgJDBC in the simple and the extended protocol and as a server-side
 * prepared statement (and psql where a client's own tricks matter), and checks the exact outcome:
 * the refusal's SQLSTATE and rule and that nothing reached the database, or for what the analysis
 * cannot see (docs/policy.md) what really happens.
 */
class GuardrailBypassIT {

    static final String SCHEMA = "bypass_it";
    static final String SECRET = "bypass_it_secret";

    static GatewayFixture gateway;
    static Path policies;

    /** The ways pgJDBC sends a statement; each must meet the same verdict. */
    enum Route {
        /** Simple query protocol: the string as written, several statements in one message. */
        SIMPLE(Map.of("preferQueryMode", "simple")),
        /** Extended protocol, unnamed statement: what pgJDBC does for a plain Statement. */
        EXTENDED(Map.of()),
        /** Extended protocol, a named statement prepared on the server from the first execution. */
        SERVER_PREPARED(Map.of("prepareThreshold", "1"));

        final Map<String, String> properties;

        Route(Map<String, String> properties) {
            this.properties = properties;
        }
    }

    /** One session through the gateway that sends every statement the way its route does. */
    record Client(Route route, Connection connection) implements AutoCloseable {

        void execute(String sql) throws SQLException {
            if (route == Route.SERVER_PREPARED) {
                try (PreparedStatement ps = connection.prepareStatement(sql)) {
                    ps.execute();
                }
            } else {
                try (Statement st = connection.createStatement()) {
                    st.execute(sql);
                }
            }
        }

        String value(String sql) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a row from %s", sql).isTrue();
                return rs.getString(1);
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        GatewayFixture.prepareDatabase();
        direct("drop schema if exists " + SCHEMA + " cascade", "drop schema if exists " + SECRET + " cascade",
                "drop schema if exists bypass_it_open cascade", "drop role if exists bypass_it_role",
                "create role bypass_it_role",
                "create schema " + SCHEMA, "create schema " + SECRET,
                "create table bypass_it.doomed (id int)",
                "create table bypass_it.\"Doomed\" (id int)",
                "create table bypass_it.items (id int primary key, label text not null)",
                "insert into bypass_it.items select g, 'item ' || g from generate_series(1, 10) g",
                "create table bypass_it.scratch (id int)",
                "create table bypass_it.cards (id int primary key, number text not null)",
                "insert into bypass_it.cards select g, '4000 0000 0000 000' || g from generate_series(1, 5) g",
                "create view bypass_it.cards_view as select * from bypass_it.cards",
                "create function bypass_it.card_numbers() returns setof text language sql as 'select number from bypass_it.cards'",
                "create procedure bypass_it.empty_scratch() language sql as 'delete from bypass_it.scratch'",
                "create procedure bypass_it.noop() language sql as 'select 1'",
                "create sequence bypass_it.seq",
                "create table bypass_it_secret.keys (id int, secret text)",
                "insert into bypass_it_secret.keys values (1, 'the key')");
        policies = GatewayFixture.tempDir("bypass-policies");
        Files.writeString(policies.resolve("guardrails.yaml"), """
                rules:
                  - id: no-drop
                    description: nothing is dropped or truncated here
                    kind: deny-statements
                    statements: [drop, truncate]
                    targets: [guarded, drops-only]
                  - id: no-hidden-code
                    description: code the gateway cannot read does not run here
                    kind: deny-statements
                    statements: [do, create-function]
                    targets: [guarded]
                  - id: where-required
                    kind: require-where
                    targets: [guarded]
                  - id: analysts-read-only
                    kind: read-only
                    groups: [analysts]
                    targets: [guarded]
                  - id: cards-protected
                    description: card numbers and secrets stay in the database
                    kind: protect-tables
                    tables: [bypass_it.cards, bypass_it_secret.*]
                    deny: [read]
                    targets: [guarded]
                  - id: no-server-files
                    kind: deny-functions
                    functions: [pg_read_file, pg_read_binary_file, pg_ls_dir, lo_import, lo_export]
                    targets: [guarded]
                  - id: one-at-a-time
                    kind: deny-multiple-statements
                    targets: [single]
                  - id: legacy-sql
                    kind: allow-unparseable
                    targets: [lenient]
                """);
        gateway = GatewayFixture.start(GatewayFixture.defaultConfigWithTargets(
                target("guarded", "prod"), target("drops-only", "prod"), target("single", "prod"),
                target("lenient", "legacy")) + "policies: " + policies + "\n");
    }

    private static String target(String name, String environment) {
        return "- {name: %s, environment: %s, upstream: {host: %s, port: %d, database: %s, user: %s}}".formatted(
                name, environment, GatewayFixture.PG_HOST, GatewayFixture.PG_PORT, GatewayFixture.DATABASE,
                GatewayFixture.PG_SUPERUSER);
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop();
        direct("drop schema if exists " + SCHEMA + " cascade", "drop schema if exists " + SECRET + " cascade",
                "drop schema if exists bypass_it_open cascade", "drop role if exists bypass_it_role");
        GatewayFixture.assertNoLeaks();
    }

    @BeforeEach
    void emptyScratch() throws SQLException {
        direct("delete from bypass_it.scratch");
    }

    // ---------------------------------------------------------------- helpers

    /** Runs statements directly on PostgreSQL, around the gateway. */
    private static void direct(String... statements) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    private static String directValue(String sql) throws SQLException {
        try (Connection c = GatewayFixture.direct(GatewayFixture.DATABASE); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static long directCount(String sql) throws SQLException {
        return Long.parseLong(directValue(sql));
    }

    private static boolean relationExists(String name) throws SQLException {
        return directValue("select to_regclass('" + name.replace("'", "''") + "') is not null").equals("t");
    }

    private static Client connect(Route route, String target, String user) throws SQLException {
        String password = user.equals("alice") ? "alice-pw" : "bob-pw";
        return new Client(route, gateway.connect(target, user, password, route.properties));
    }

    /** One session per route, as {@code user} on {@code target}. */
    private static List<Client> clients(String target, String user) throws SQLException {
        List<Client> clients = new ArrayList<>();
        for (Route route : Route.values()) {
            clients.add(connect(route, target, user));
        }
        return clients;
    }

    private static void closeAll(List<Client> clients) throws SQLException {
        for (Client client : clients) {
            client.close();
        }
    }

    /** Each statement, on every route, is refused by {@code rule} with 42501; each session goes on. */
    private static void assertRefused(String target, String user, String rule, String... statements) throws SQLException {
        List<Client> clients = clients(target, user);
        try {
            for (Client client : clients) {
                for (String sql : statements) {
                    assertRefused(client, sql, "42501", "denied by rule \"" + rule + "\"");
                }
            }
        } finally {
            closeAll(clients);
        }
    }

    /** The statement is refused with {@code sqlState} and a message containing {@code expected}; the session goes on. */
    private static SQLException assertRefused(Client client, String sql, String sqlState, String expected) throws SQLException {
        SQLException e = catchThrowableOfType(SQLException.class, () -> client.execute(sql));
        assertThat((Object) e).as("[%s] %s should have been refused", client.route(), sql).isNotNull();
        assertThat(e.getSQLState()).as("[%s] SQLSTATE of %s (%s)", client.route(), sql, e.getMessage()).isEqualTo(sqlState);
        assertThat(e.getMessage()).as("[%s] %s", client.route(), sql).contains(expected);
        assertStillWorks(client);
        return e;
    }

    private static void assertStillWorks(Client client) throws SQLException {
        assertThat(client.value("select 'still here'")).isEqualTo("still here");
    }

    /** Each statement, on every route, runs. */
    private static void assertAllowed(String target, String user, String... statements) throws SQLException {
        List<Client> clients = clients(target, user);
        try {
            for (Client client : clients) {
                for (String sql : statements) {
                    try {
                        client.execute(sql);
                    } catch (SQLException e) {
                        throw new AssertionError("[" + client.route() + "] " + sql + " should have run: " + e.getMessage(), e);
                    }
                }
            }
        } finally {
            closeAll(clients);
        }
    }

    private static int occurrences(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static GatewayFixture.Result psqlScript(String target, String user, String script) throws Exception {
        Path file = GatewayFixture.tempDir("bypass-psql").resolve("script.sql");
        Files.writeString(file, script);
        return gateway.psql(target, user, user.equals("alice") ? "alice-pw" : "bob-pw", "-v", "ON_ERROR_STOP=0", "-f", file.toString());
    }

    // ---------------------------------------------------------------- deny-statements

    @Test
    void dropAndTruncateAreRefusedHoweverTheyAreWritten() throws Exception {
        assertRefused("guarded", "bob", "no-drop",
                "DrOp TaBlE bypass_it.doomed",
                "/* tidy up */ drop table bypass_it.doomed",
                "-- tidy up\ndrop table bypass_it.doomed",
                "drop /* in the middle */ table bypass_it.doomed",
                "drop table bypass_it.\"Doomed\"",
                "DROP TABLE BYPASS_IT.DOOMED",
                "drop table \"bypass_it\".\"doomed\"",
                "drop table U&\"bypass\\005fit\".U&\"d\\006f\\006fmed\"",
                "drop table parapet_it.bypass_it.doomed",
                "drop table if exists bypass_it.doomed, bypass_it.\"Doomed\" cascade",
                "drop schema bypass_it cascade",
                "truncate bypass_it.items",
                "TRUNCATE TABLE ONLY bypass_it.items",
                "truncate bypass_it.items *",
                "truncate bypass_it.scratch, bypass_it.items restart identity",
                "select 1; drop table bypass_it.doomed",
                "drop table bypass_it.doomed; select 1",
                "insert into bypass_it.scratch values (1); /* and then */ truncate bypass_it.items",
                "prepare wipe as truncate bypass_it.items",
                "explain analyze drop table bypass_it.doomed");
        assertThat(relationExists("bypass_it.doomed")).isTrue();
        assertThat(relationExists("bypass_it.\"Doomed\"")).isTrue();
        assertThat(directCount("select count(*) from bypass_it.items")).isEqualTo(10);
        assertThat(directCount("select count(*) from bypass_it.scratch"))
                .as("the harmless statement sent with a refused one did not run either").isZero();
    }

    @Test
    void psqlGetsTheSameRefusalsForWhatItSendsOnItsOwn() throws Exception {
        var result = psqlScript("guarded", "bob", """
                select 'drop table bypass_it.doomed' \\gexec
                DROP /* sneaky */ TABLE bypass_it."Doomed";
                select 1 as first; truncate bypass_it.items;
                \\set victim bypass_it.doomed
                drop table :victim;
                do $$ begin execute 'drop table bypass_it.doomed'; end $$;
                select 'still here' as status;
                """);
        String out = result.output();
        assertThat(occurrences(out, "ERROR:  denied by rule \"no-drop\"")).as(out).isEqualTo(4);
        assertThat(occurrences(out, "ERROR:  denied by rule \"no-hidden-code\"")).as(out).isEqualTo(1);
        assertThat(out).contains("still here");
        assertThat(relationExists("bypass_it.doomed")).isTrue();
        assertThat(relationExists("bypass_it.\"Doomed\"")).isTrue();
        assertThat(directCount("select count(*) from bypass_it.items")).isEqualTo(10);
    }

    @Test
    void codeBlocksAndNewFunctionsAreRefusedByTheirOwnKind() throws Exception {
        assertRefused("guarded", "bob", "no-hidden-code",
                "DO $$ BEGIN EXECUTE 'drop table bypass_it.doomed'; END $$",
                "do language plpgsql $body$ begin execute 'truncate bypass_it.items'; end $body$",
                "DO 'BEGIN EXECUTE ''drop table bypass_it.doomed''; END'",
                "select 1; do $$ begin perform 1; end $$",
                "create function bypass_it.dropper() returns void language sql as 'drop table bypass_it.doomed'",
                "CREATE OR REPLACE PROCEDURE bypass_it.dropper() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE bypass_it.doomed; END $$",
                "create function bypass_it.dropper() returns void language sql begin atomic delete from bypass_it.items; end");
        assertThat(relationExists("bypass_it.doomed")).isTrue();
        assertThat(directValue("select to_regproc('bypass_it.dropper') is null")).isEqualTo("t");
        assertThat(directCount("select count(*) from bypass_it.items")).isEqualTo(10);
    }

    @Test
    void whatRunsInsideCodeIsNotSeenByRulesAboutOtherKinds() throws Exception {
        // Known limit (docs/policy.md): the body of a DO block or a procedure is not analysed, so a
        // rule against TRUNCATE, or for a WHERE, does not see the statements inside.
        direct("insert into bypass_it.scratch values (1), (2), (3)");
        try (Client bob = connect(Route.EXTENDED, "drops-only", "bob")) {
            bob.execute("do $$ begin execute 'truncate bypass_it.scratch'; end $$");
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
        direct("insert into bypass_it.scratch values (1), (2), (3)");
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            bob.execute("call bypass_it.empty_scratch()");
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
    }

    // ---------------------------------------------------------------- require-where

    @Test
    void requireWhereRefusesConditionsThatRestrictNothing() throws Exception {
        assertRefused("guarded", "bob", "where-required",
                "delete from bypass_it.items",
                "DELETE FROM bypass_it.items WHERE 1=1",
                "delete from bypass_it.items where true",
                "delete from bypass_it.items where 'a' = 'a'",
                "delete from bypass_it.items where id = id",
                "delete from bypass_it.items where id::text = id::text",
                "delete from bypass_it.items where id = 3 or 1 = 1",
                "delete from bypass_it.items where not false",
                "delete from bypass_it.items where (((1 = 1)))",
                "delete from bypass_it.items where 1 in (1, 2)",
                "delete from bypass_it.items where exists (select 1)",
                "update bypass_it.items set label = 'gone' where true",
                "update bypass_it.items set label = 'gone'",
                "delete from bypass_it.items using bypass_it.scratch",
                "update bypass_it.items set label = s.id::text from bypass_it.scratch s",
                "with d as (delete from bypass_it.items returning *) select count(*) from d",
                "with u as (update bypass_it.items set label = 'x' returning id) select * from u",
                "explain analyze delete from bypass_it.items",
                "explain (analyze, format json) update bypass_it.items set label = 'x' where 2 > 1",
                "prepare wipe as delete from bypass_it.items",
                "create rule wipe_on_insert as on insert to bypass_it.scratch do also delete from bypass_it.items",
                "select 1; delete from bypass_it.items");
        for (Route route : List.of(Route.EXTENDED, Route.SERVER_PREPARED)) {
            try (Client bob = connect(route, "guarded", "bob");
                 PreparedStatement ps = bob.connection().prepareStatement("delete from bypass_it.items where ?")) {
                ps.setBoolean(1, true);
                SQLException e = catchThrowableOfType(SQLException.class, ps::executeUpdate);
                assertThat(e.getSQLState()).isEqualTo("42501");
                assertThat(e.getMessage()).contains("where-required").contains("always true");
                assertStillWorks(bob);
            }
        }
        assertThat(directCount("select count(*) from bypass_it.items where label like 'item %'")).isEqualTo(10);
        assertThat(directValue("select count(*) from pg_rules where rulename = 'wipe_on_insert'")).isEqualTo("0");
    }

    @Test
    void requireWhereLetsThroughConditionsOnTheRowsEvenWhenTheyMatchEveryRow() throws Exception {
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob"); Statement st = bob.connection().createStatement()) {
            assertThat(st.executeUpdate("delete from bypass_it.items where id = 999")).isZero();
            assertThat(st.executeUpdate("update bypass_it.items set label = label where id = 1")).isOne();
            assertThat(st.executeUpdate("delete from bypass_it.items using bypass_it.scratch s where s.id = items.id")).isZero();
            // Known limit: the rule looks at the condition's shape, not at how many rows it matches.
            assertThat(st.executeUpdate("update bypass_it.items set label = label where id is not null")).isEqualTo(10);
        }
        assertThat(directCount("select count(*) from bypass_it.items where label like 'item %'")).isEqualTo(10);
    }

    // ---------------------------------------------------------------- read-only

    @Test
    void readOnlyRefusesEveryWayOfChangingSomething() throws Exception {
        long largeObjects = directCount("select count(*) from pg_largeobject_metadata");
        assertRefused("guarded", "alice", "analysts-read-only",
                "insert into bypass_it.scratch values (1)",
                "select * into bypass_it.items_copy from bypass_it.items",
                "select * into temporary items_copy from bypass_it.items",
                "create table bypass_it.items_copy as select * from bypass_it.items",
                "create temp table items_copy as select * from bypass_it.items",
                "explain analyze create table bypass_it.items_copy as select * from bypass_it.items",
                "copy bypass_it.scratch from stdin",
                "with x as (insert into bypass_it.items values (100, 'x') returning *) select * from x",
                "merge into bypass_it.items i using (select 1 as id) s on i.id = s.id when matched then update set label = 'merged'",
                "insert into bypass_it.items values (1, 'x') on conflict (id) do update set label = 'upserted'",
                "select nextval('bypass_it.seq')",
                "SELECT NEXTVAL('bypass_it.seq')",
                "select pg_catalog.nextval('bypass_it.seq')",
                "select * from nextval('bypass_it.seq')",
                "select label from bypass_it.items where id = nextval('bypass_it.seq')",
                "select setval('bypass_it.seq', 42)",
                "select set_config('role', 'parapet_demo_reader', false)",
                "select pg_advisory_lock(4242)",
                "select pg_try_advisory_xact_lock(4242)",
                "select lo_create(0)",
                "select lo_from_bytea(0, 'x')",
                "select pg_notify('bypass_it', 'hello')",
                "select pg_terminate_backend(-1)",
                "select * from bypass_it.items for update",
                "select * from bypass_it.items for share nowait",
                "select * from (select * from bypass_it.items for no key update) x",
                "lock table bypass_it.items in access exclusive mode",
                "call bypass_it.noop()",
                "prepare add_item as insert into bypass_it.items values (100, 'x')",
                "execute add_item",
                "set role parapet_demo_reader",
                "set session authorization parapet_demo_reader",
                "SET \"ROLE\" = parapet_demo_reader",
                "grant select on bypass_it.items to public",
                "comment on table bypass_it.items is 'mine'",
                "vacuum bypass_it.items",
                "analyze bypass_it.items",
                "notify bypass_it",
                "select 1; insert into bypass_it.scratch values (1)");
        assertThat(directCount("select count(*) from bypass_it.items where label like 'item %'")).isEqualTo(10);
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
        assertThat(relationExists("bypass_it.items_copy")).isFalse();
        assertThat(directValue("select is_called from bypass_it.seq")).as("the sequence was never advanced").isEqualTo("f");
        assertThat(directCount("select count(*) from pg_locks where locktype = 'advisory' and objid = 4242")).isZero();
        assertThat(directCount("select count(*) from pg_largeobject_metadata")).isEqualTo(largeObjects);
        assertThat(directValue("select obj_description('bypass_it.items'::regclass, 'pg_class') is null")).isEqualTo("t");
    }

    @Test
    void readOnlyLetsReadsAndSessionHousekeepingThrough() throws Exception {
        assertAllowed("guarded", "alice",
                "select count(*) from bypass_it.items",
                "explain delete from bypass_it.items where id = 1",
                "show search_path",
                "set statement_timeout = '5s'",
                "listen bypass_it",
                "select txid_current()"); // assigns a transaction id, changes nothing anyone can see
        try (Client alice = connect(Route.EXTENDED, "guarded", "alice")) {
            Connection c = alice.connection();
            c.setAutoCommit(false);
            alice.execute("set transaction read write");
            SQLException refused = catchThrowableOfType(SQLException.class,
                    () -> alice.execute("insert into bypass_it.scratch values (1)"));
            assertThat(refused.getSQLState()).isEqualTo("42501");
            assertThat(refused.getMessage()).contains("analysts-read-only");
            c.rollback();
            c.setAutoCommit(true);
            assertThat(alice.value("select current_user")).as("the role never changed").isEqualTo(GatewayFixture.PG_SUPERUSER);
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
    }

    @Test
    void copyFromTheClientIsRefusedBeforeAnyDataFlows() throws Exception {
        try (Client alice = connect(Route.EXTENDED, "guarded", "alice")) {
            CopyManager copy = alice.connection().unwrap(PGConnection.class).getCopyAPI();
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> copy.copyIn("copy bypass_it.scratch from stdin", new StringReader("1\n2\n")));
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("analysts-read-only");
            assertStillWorks(alice);
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
    }

    // ---------------------------------------------------------------- protect-tables

    @Test
    void aProtectedTableIsRefusedUnderEveryName() throws Exception {
        assertRefused("guarded", "bob", "cards-protected",
                "select * from bypass_it.cards",
                "SELECT NUMBER FROM BYPASS_IT.CARDS",
                "select * from \"bypass_it\".\"cards\"",
                "select * from parapet_it.bypass_it.cards",
                "select * from U&\"bypass\\005fit\".U&\"c\\0061rds\"",
                "select * from cards",
                "table bypass_it.cards",
                "select * from only bypass_it.cards",
                "select * from (bypass_it.cards c join bypass_it.items i using (id))",
                "select i.label, c.number from bypass_it.items i, lateral (select number from bypass_it.cards c where c.id = i.id) c",
                "select i.label, c.number from bypass_it.items i cross join lateral (select number from bypass_it.cards) c",
                "select (select max(number) from bypass_it.cards)",
                "select label from bypass_it.items where exists (select 1 from bypass_it.cards where number like '4%')",
                "select label from bypass_it.items union all select number from bypass_it.cards",
                "with c as (select * from bypass_it.cards) select * from c",
                "with recursive c as (select * from bypass_it.cards) select * from c",
                "select row_to_json(c) from bypass_it.cards c",
                "copy bypass_it.cards to stdout",
                "copy bypass_it.cards (number) to stdout with (format csv)",
                "copy (select number from bypass_it.cards) to stdout",
                "explain analyze select * from bypass_it.cards",
                "declare leak cursor with hold for select * from bypass_it.cards",
                "prepare leak as select * from bypass_it.cards",
                "insert into bypass_it.cards values (99, 'x') returning number",
                "update bypass_it.cards set number = number where id = 1 returning number",
                "update bypass_it.items set label = c.number from bypass_it.cards c where c.id = items.id",
                "merge into bypass_it.scratch s using bypass_it.cards c on s.id = c.id when not matched then insert values (c.id)",
                "select 1; select * from bypass_it.cards",
                "set search_path = bypass_it, public; select * from cards",
                "select * from bypass_it_secret.keys",
                "select secret from \"bypass_it_secret\".keys");
        assertThat(directCount("select count(*) from bypass_it.items where label like 'item %'")).isEqualTo(10);
        assertThat(directCount("select count(*) from bypass_it.cards")).isEqualTo(5);
    }

    @Test
    void aProtectedTableCannotBeCopiedRenamedOrViewedToReadItLater() throws Exception {
        assertRefused("guarded", "bob", "cards-protected",
                "create view bypass_it.cards_again as select * from bypass_it.cards",
                "create temp view cards_again as select number from bypass_it.cards",
                "create materialized view bypass_it.cards_again as select * from bypass_it.cards",
                "create table bypass_it.cards_again as select * from bypass_it.cards",
                "select * into bypass_it.cards_again from bypass_it.cards",
                "alter table bypass_it.cards rename to cards_again",
                "alter table bypass_it.cards set schema public",
                "alter schema bypass_it_secret rename to bypass_it_open",
                "create rule leak as on insert to bypass_it.cards do also insert into bypass_it.scratch values (new.id)");
        assertThat(relationExists("bypass_it.cards_again")).isFalse();
        assertThat(relationExists("bypass_it.cards")).isTrue();
        assertThat(relationExists("bypass_it_secret.keys")).isTrue();
    }

    @Test
    void theSearchPathCannotBeTurnedTowardsAProtectedSchema() throws Exception {
        assertRefused("guarded", "bob", "cards-protected",
                "set search_path = bypass_it_secret, public; select * from keys",
                "set search_path = bypass_it_secret, public",
                "SET LOCAL search_path TO bypass_it_secret",
                "set search_path to 'bypass_it_secret'",
                "select set_config('search_path', 'bypass_it_secret', false)",
                "select pg_catalog.set_config('search_path', 'bypass_it_secret', false)",
                "alter role bypass_it_role set search_path = bypass_it_secret",
                "alter role bypass_it_role in database parapet_it set search_path = bypass_it_secret, public");
        assertThat(directCount("select count(*) from pg_db_role_setting s join pg_roles r on r.oid = s.setrole "
                + "where r.rolname = 'bypass_it_role'")).as("no search path was given to later sessions").isZero();
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            assertThat(bob.value("show search_path")).doesNotContain(SECRET);
        }
        // pgJDBC's currentSchema sets the search path at login: the login is refused the same way.
        SQLException e = catchThrowableOfType(SQLException.class,
                () -> gateway.connect("guarded", "bob", "bob-pw", Map.of("currentSchema", SECRET)).close());
        assertThat((Object) e).as("a login with search_path=" + SECRET).isNotNull();
        assertThat(e.getSQLState()).isEqualTo("42501");
        assertThat(e.getMessage()).contains("cards-protected");
    }

    @Test
    void functionsThatRunQueriesGivenAsTextAreRefusedWhereTablesAreProtected() throws Exception {
        assertRefused("guarded", "bob", "cards-protected",
                "select query_to_xml('select * from bypass_it.cards', true, false, '')",
                "select table_to_xml('bypass_it.cards', true, false, '')",
                "select schema_to_xml('bypass_it_secret', true, false, '')",
                "select * from ts_stat('select to_tsvector(number) from bypass_it.cards')");
    }

    @Test
    void planStatisticsHoldSampleValuesOfAProtectedTable() throws Exception {
        // Known limit (docs/policy.md): pg_stats shows sample values of every analysed column; a
        // rule that protects a table does not protect the statistics about it.
        direct("analyze bypass_it.cards");
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            assertThat(bob.value("select histogram_bounds::text from pg_stats where schemaname = 'bypass_it' "
                    + "and tablename = 'cards' and attname = 'number'")).contains("4000 0000 0000 0001");
        }
    }

    @Test
    void aProtectedTableIsStillReadThroughObjectsThatAlreadyRead() throws Exception {
        // Known limit (docs/policy.md): the statement names a view or a function, not the table.
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            assertThat(bob.value("select count(*) from bypass_it.cards_view")).isEqualTo("5");
            assertThat(bob.value("select count(*) from bypass_it.card_numbers()")).isEqualTo("5");
        }
    }

    @Test
    void psqlBackslashCopyOfAProtectedTableIsRefused() throws Exception {
        Path out = GatewayFixture.tempDir("bypass-copy").resolve("cards.csv");
        var result = psqlScript("guarded", "bob", "\\copy bypass_it.cards to '" + out + "'\n"
                + "\\copy (select number from bypass_it.cards) to stdout\n"
                + "select 'still here' as status;\n");
        assertThat(occurrences(result.output(), "denied by rule \"cards-protected\"")).as(result.output()).isEqualTo(2);
        assertThat(result.output()).contains("still here").doesNotContain("4000 0000");
        assertThat(Files.exists(out) ? Files.readString(out) : "").isEmpty();
    }

    // ---------------------------------------------------------------- deny-functions

    @Test
    void deniedFunctionsAreRefusedHoweverTheyAreCalled() throws Exception {
        assertRefused("guarded", "bob", "no-server-files",
                "select pg_read_file('PG_VERSION')",
                "select PG_READ_FILE('PG_VERSION')",
                "select \"pg_read_file\"('PG_VERSION')",
                "select pg_catalog.pg_read_file('PG_VERSION')",
                "select pg_catalog.\"pg_read_file\"('PG_VERSION')",
                "select * from pg_read_file('PG_VERSION')",
                "select (select pg_read_file('PG_VERSION'))",
                "with f as (select pg_read_file('PG_VERSION') as v) select v from f",
                "select i.label, f.v from bypass_it.items i, lateral (select pg_read_file('PG_VERSION') as v) f",
                "select i.label from bypass_it.items i, lateral pg_read_file('PG_VERSION') f",
                "select 1 where exists (select pg_read_file('PG_VERSION'))",
                "select label from bypass_it.items order by pg_read_file('PG_VERSION') limit 1",
                "select convert_from(pg_read_binary_file('PG_VERSION'), 'UTF8')",
                "select pg_ls_dir('.')",
                "insert into bypass_it.scratch select length(pg_read_file('PG_VERSION'))",
                "prepare peek as select pg_read_file('PG_VERSION')",
                "copy (select pg_read_file('PG_VERSION')) to stdout",
                "create view bypass_it.peek as select pg_read_file('PG_VERSION')");
        try (Client bob = connect(Route.SERVER_PREPARED, "guarded", "bob");
             PreparedStatement ps = bob.connection().prepareStatement("select pg_read_file(?)")) {
            ps.setString(1, "PG_VERSION");
            SQLException e = catchThrowableOfType(SQLException.class, ps::executeQuery);
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("no-server-files");
            assertStillWorks(bob);
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
    }

    @Test
    void deniedFunctionsCannotBeLeftInDefinitionsToRunLater() throws Exception {
        assertRefused("guarded", "bob", "no-server-files",
                "create table bypass_it.peek (v text default pg_read_file('PG_VERSION'))",
                "create table bypass_it.peek (v text, check (pg_read_file('PG_VERSION') is not null))",
                "alter table bypass_it.scratch add column v text default pg_read_file('PG_VERSION')",
                "alter table bypass_it.scratch alter column id set default length(pg_read_file('PG_VERSION'))",
                "create index peek on bypass_it.scratch ((pg_read_file('PG_VERSION')))",
                "create operator bypass_it.### (function = pg_read_file, rightarg = text)");
        assertThat(relationExists("bypass_it.peek")).isFalse();
        assertThat(directCount("select count(*) from information_schema.columns where table_schema = 'bypass_it' "
                + "and table_name = 'scratch' and (column_name = 'v' or column_default is not null)")).isZero();
        assertThat(directCount("select count(*) from pg_operator where oprname = '###'")).isZero();
    }

    // ---------------------------------------------------------------- the fast-path protocol

    @Test
    void fastPathFunctionCallsAreRefusedAsUnreadable() throws Exception {
        long largeObjects = directCount("select count(*) from pg_largeobject_metadata");
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            Fastpath fastpath = bob.connection().unwrap(PGConnection.class).getFastpathAPI();
            fastpath.addFunction("pg_read_file", Integer.parseInt(bob.value("select 'pg_read_file(text)'::regprocedure::oid")));
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> fastpath.getData("pg_read_file", new FastpathArg[] {new FastpathArg("PG_VERSION")}));
            assertThat((Object) e).as("pg_read_file called through the fast path").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42601");
            assertThat(e.getMessage()).contains("cannot analyse").contains("fast-path");
            assertStillWorks(bob);
        }
        try (Client alice = connect(Route.EXTENDED, "guarded", "alice")) {
            alice.connection().setAutoCommit(false);
            LargeObjectManager objects = alice.connection().unwrap(PGConnection.class).getLargeObjectAPI();
            SQLException e = catchThrowableOfType(SQLException.class, objects::createLO);
            assertThat((Object) e).as("a large object created through the fast path").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("42601");
            alice.connection().rollback();
            alice.connection().setAutoCommit(true);
            assertStillWorks(alice);
        }
        assertThat(directCount("select count(*) from pg_largeobject_metadata")).isEqualTo(largeObjects);
        try (Client bob = connect(Route.EXTENDED, "lenient", "bob")) {
            bob.connection().setAutoCommit(false);
            LargeObjectManager objects = bob.connection().unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = objects.createLO();
            objects.delete(oid);
            bob.connection().commit();
        }
        // psql's \lo_import goes through libpq's large-object calls, which use the fast path too.
        Path file = GatewayFixture.tempDir("bypass-lo").resolve("note.txt");
        Files.writeString(file, "a note");
        var refused = psqlScript("guarded", "bob", "\\lo_import '" + file + "'\nselect 'still here' as status;\n");
        assertThat(refused.output()).contains("cannot analyse").contains("still here");
        assertThat(directCount("select count(*) from pg_largeobject_metadata")).isEqualTo(largeObjects);
        var allowed = psqlScript("lenient", "bob", "\\lo_import '" + file + "'\n\\lo_unlink :LASTOID\n");
        assertThat(allowed.output()).contains("lo_import").contains("lo_unlink");
        assertThat(directCount("select count(*) from pg_largeobject_metadata")).isEqualTo(largeObjects);
    }

    // ---------------------------------------------------------------- deny-multiple-statements

    @Test
    void severalStatementsInOneStringAreRefusedButSemicolonsInsideTokensDoNotCount() throws Exception {
        try (Client bob = connect(Route.SIMPLE, "single", "bob")) {
            for (String sql : List.of("select 1;select 2", "select 1; /* and */ select 2", "select 1 -- first\n;select 2",
                    "select ';'; select 2", "select $$;$$; select 2", "insert into bypass_it.scratch values (1); select 2")) {
                assertRefused(bob, sql, "42501", "denied by rule \"one-at-a-time\"");
            }
            for (String sql : List.of("select 1;", "select 1;;", "select ';' as s", "select $$a;b$$", "select $t$;$t$",
                    "select 'a'';b'", "select 1 -- ;", "select /* ; */ 1", "select /* /* ; */ ; */ 1",
                    "select \"a;b\" from (select 1 as \"a;b\") s", "select E'\\';'")) {
                bob.execute(sql);
            }
        }
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
        var result = psqlScript("single", "bob", "\\set ON_ERROR_STOP 0\nselect 1 \\; select 2;\nselect 'single' as one;\n");
        assertThat(result.output()).contains("denied by rule \"one-at-a-time\"").contains("single");
        // In the extended protocol every statement is a message of its own: pgJDBC splits the
        // string, so there is no string of several statements to refuse (each is still checked).
        try (Client bob = connect(Route.EXTENDED, "single", "bob")) {
            bob.execute("select 1; select 2");
        }
    }

    // ---------------------------------------------------------------- unreadable statements

    @Test
    void unreadableStatementsAreRefusedUnlessTheTargetAllowsThem() throws Exception {
        List<Client> clients = clients("guarded", "bob");
        try {
            for (Client client : clients) {
                for (String sql : List.of("selec 1", "select * from rows from (generate_series(1, 2)) as t(x)",
                        "select * from bypass_it.cards*", "select pg_read_file(variadic array['PG_VERSION'])")) {
                    assertRefused(client, sql, "42601", "cannot analyse this statement");
                }
            }
        } finally {
            closeAll(clients);
        }
        // With standard_conforming_strings off, 'a\'' ends early and the DROP behind it would run.
        try (Client bob = connect(Route.SIMPLE, "guarded", "bob")) {
            bob.execute("set standard_conforming_strings = off");
            assertRefused(bob, "select 'a\\'' ; drop table bypass_it.doomed; --'", "42601", "standard_conforming_strings");
        }
        assertThat(relationExists("bypass_it.doomed")).isTrue();
        try (Client bob = connect(Route.EXTENDED, "lenient", "bob")) {
            assertThat(bob.value("select count(*) from rows from (generate_series(1, 2)) as t(x)")).isEqualTo("2");
            SQLException e = assertRefused(bob, "selec 1", "42601", "syntax error");
            assertThat(e.getMessage()).as("PostgreSQL's own answer").doesNotContain("cannot analyse");
        }
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void aRefusalInsideATransactionFailsItUntilRollbackAsAnyErrorWould() throws Exception {
        for (Route route : Route.values()) {
            try (Client bob = connect(route, "guarded", "bob")) {
                Connection c = bob.connection();
                c.setAutoCommit(false);
                bob.execute("insert into bypass_it.scratch values (1)");
                assertThat(catchThrowableOfType(SQLException.class, () -> bob.execute("drop table bypass_it.doomed"))
                        .getSQLState()).isEqualTo("42501");
                assertThat(catchThrowableOfType(SQLException.class, () -> bob.execute("select 1")).getSQLState())
                        .as("[%s] the transaction is failed", route).isEqualTo("25P02");
                c.rollback();
                bob.execute("insert into bypass_it.scratch values (2)");
                var savepoint = c.setSavepoint();
                assertThat(catchThrowableOfType(SQLException.class, () -> bob.execute("delete from bypass_it.items"))
                        .getSQLState()).isEqualTo("42501");
                c.rollback(savepoint);
                bob.execute("insert into bypass_it.scratch values (3)");
                c.commit();
                c.setAutoCommit(true);
            }
            assertThat(directValue("select string_agg(id::text, ',' order by id) from bypass_it.scratch"))
                    .as("[%s] the first row rolled back, the others committed around the savepoint", route).isEqualTo("2,3");
            direct("delete from bypass_it.scratch");
        }
        var result = psqlScript("guarded", "bob", """
                begin;
                insert into bypass_it.scratch values (1);
                truncate bypass_it.items;
                select 'after the refusal';
                rollback;
                select 'after the rollback' as status;
                """);
        assertThat(result.output()).contains("denied by rule \"no-drop\"")
                .contains("current transaction is aborted").contains("after the rollback");
        assertThat(directCount("select count(*) from bypass_it.scratch")).isZero();
        assertThat(relationExists("bypass_it.doomed")).isTrue();
    }

    // ---------------------------------------------------------------- reloads

    @Test
    void aReloadAppliesToTheNextStatementOfOpenSessionsIncludingPreparedOnes() throws Exception {
        Path extra = policies.resolve("zz-reload.yaml");
        // pgJDBC keeps a server-side prepared statement per query text for the life of the
        // connection and then only binds and executes it: the gateway must check it again. Several
        // binary columns, so that pgJDBC asks for result formats the refusal does not have.
        String counts = "select count(*), min(id), max(id) from bypass_it.scratch";
        try (Client bob = connect(Route.SERVER_PREPARED, "guarded", "bob");
             PreparedStatement prepared = bob.connection().prepareStatement(counts)) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = prepared.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isZero();
                }
            }
            bob.execute("prepare counted as select count(*) from bypass_it.scratch");
            bob.execute("execute counted");
            Files.writeString(extra, """
                    rules:
                      - {id: scratch-hidden, kind: protect-tables, tables: [bypass_it.scratch], deny: [read], targets: [guarded]}
                    """);
            awaitVerdict(bob, "select id from bypass_it.scratch", true);
            for (int i = 0; i < 2; i++) {
                SQLException again = catchThrowableOfType(SQLException.class, prepared::executeQuery);
                assertThat((Object) again).as("a statement prepared before the reload, executed after it").isNotNull();
                assertThat(again.getSQLState()).isEqualTo("42501");
                assertThat(again.getMessage()).contains("denied by rule \"scratch-hidden\"");
                assertStillWorks(bob);
            }
            // Known limit (docs/policy.md): a statement PREPAREd in SQL keeps the verdict it had then.
            bob.execute("execute counted");
            assertRefused(bob, "prepare counted_again as select count(*) from bypass_it.scratch", "42501",
                    "denied by rule \"scratch-hidden\"");
            Files.delete(extra);
            awaitVerdict(bob, "select id from bypass_it.scratch", false);
            try (ResultSet rs = prepared.executeQuery()) {
                assertThat(rs.next()).as("allowed again after the next reload").isTrue();
                assertThat(rs.getLong(1)).isZero();
            }
            assertThat(bob.value("select count(*) from bypass_it.items")).isEqualTo("10");
        } finally {
            Files.deleteIfExists(extra);
        }
    }

    @Test
    void aPreparedStatementCannotDodgeItsNewCheckWithProtocolTricks() throws Exception {
        Path extra = policies.resolve("zz-reload-raw.yaml");
        String counts = "select count(*) from bypass_it.scratch";
        try (RawPgConnection raw = RawPgConnection.open(gateway.port());
             Client watcher = connect(Route.SIMPLE, "guarded", "bob")) {
            raw.login("bob", "bob-pw", "guarded");
            raw.send(concat(parse("S_1", counts), parse("S_2", counts), parse("", counts), sync()));
            assertThat(answer(raw)).containsExactly("1", "1", "1");
            raw.send(concat(bind("S_1"), execute(), sync()));
            assertThat(answer(raw)).containsExactly("2", "D", "C");
            Files.writeString(extra, """
                    rules:
                      - {id: scratch-hidden-raw, kind: protect-tables, tables: [bypass_it.scratch], deny: [read], targets: [guarded]}
                    """);
            awaitVerdict(watcher, "select id from bypass_it.scratch", true);
            // An error earlier in the batch makes the server skip the gateway's replacement too...
            raw.send(concat(bind("no_such_statement"), bind("S_1"), execute(), sync()));
            assertThat(answer(raw)).containsExactly("E:26000");
            // ...so the next Bind is checked again, and refused.
            raw.send(concat(bind("S_1"), execute(), sync()));
            assertThat(answer(raw)).containsExactly("2", "E:42501");
            // A Parse under a name in use fails: the name still holds the statement checked before.
            raw.send(concat(parse("S_2", "select 1"), sync()));
            assertThat(answer(raw)).containsExactly("E:42P05");
            raw.send(concat(bind("S_2"), execute(), sync()));
            assertThat(answer(raw)).containsExactly("2", "E:42501");
            // The unnamed statement lasts until the next Parse of it: binding it again is checked too.
            raw.send(concat(bind(""), execute(), sync()));
            assertThat(answer(raw)).containsExactly("2", "E:42501");
            Files.delete(extra);
            awaitVerdict(watcher, "select id from bypass_it.scratch", false);
            raw.send(concat(bind("S_1"), execute(), sync()));
            assertThat(answer(raw)).as("the client's statement is back").containsExactly("2", "D", "C");
        } finally {
            Files.deleteIfExists(extra);
        }
    }

    private static byte[] parse(String name, String sql) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(RawPgConnection.cstring(name));
        body.writeBytes(RawPgConnection.cstring(sql));
        body.write(0);
        body.write(0); // no parameter types
        return RawPgConnection.tagged('P', body.toByteArray());
    }

    /** Bind of the unnamed portal to {@code statement}: no parameters, results in text. */
    private static byte[] bind(String statement) {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(RawPgConnection.cstring(""));
        body.writeBytes(RawPgConnection.cstring(statement));
        body.writeBytes(new byte[] {0, 0, 0, 0, 0, 0});
        return RawPgConnection.tagged('B', body.toByteArray());
    }

    private static byte[] execute() {
        return RawPgConnection.tagged('E', new byte[] {0, 0, 0, 0, 0});
    }

    private static byte[] sync() {
        return RawPgConnection.tagged('S', new byte[0]);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The tags of the answer up to ReadyForQuery, an error as E:SQLSTATE. */
    private static List<String> answer(RawPgConnection raw) throws Exception {
        List<String> tags = new ArrayList<>();
        for (RawPgConnection.Message m : raw.readUntilReady()) {
            tags.add(m.tag() == 'E' ? "E:" + RawPgConnection.ServerError.parse(m).sqlState() : String.valueOf(m.tag()));
        }
        return tags;
    }

    /** Repeats {@code sql} until it is refused (or, with {@code refused} false, runs) under the reloaded policy. */
    private static void awaitVerdict(Client client, String sql, boolean refused) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try {
                client.execute(sql);
                if (!refused) {
                    return;
                }
            } catch (SQLException e) {
                if (refused) {
                    assertThat(e.getSQLState()).isEqualTo("42501");
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the reloaded policy did not take effect for " + sql);
    }

    @Test
    void theOptionsStartupParameterDoesNotReachTheDatabase() throws Exception {
        try (Connection c = gateway.connect("guarded", "alice", "alice-pw", Map.of("options", "-c role=parapet_demo_reader"));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_user")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(GatewayFixture.PG_SUPERUSER);
        }
    }

    @Test
    void aLoginCannotSetTheRoleAReadOnlyIdentityMayNotSet() throws Exception {
        try (RawPgConnection raw = RawPgConnection.open(gateway.port())) {
            raw.sendStartup(Map.of("user", "alice", "database", "guarded", "role", "parapet_demo_reader"));
            RawPgConnection.Message request = raw.expect('R');
            assertThat(request.int32(0)).isEqualTo(3);
            raw.sendPassword("alice-pw");
            RawPgConnection.ServerError error = null;
            while (error == null) {
                RawPgConnection.Message m = raw.read();
                assertThat(m).as("the gateway's answer to the login").isNotNull();
                if (m.tag() == 'E') {
                    error = RawPgConnection.ServerError.parse(m);
                } else if (m.tag() == 'Z') {
                    assertThat(raw.queryValue("select current_user")).as("the login set a role").isEqualTo(GatewayFixture.PG_SUPERUSER);
                    return;
                }
            }
            assertThat(error.sqlState()).isEqualTo("42501");
            assertThat(error.message()).contains("analysts-read-only");
        }
    }

    @Test
    void copyOutOfAProtectedTableThroughTheCopyApiIsRefused() throws Exception {
        try (Client bob = connect(Route.EXTENDED, "guarded", "bob")) {
            CopyManager copy = bob.connection().unwrap(PGConnection.class).getCopyAPI();
            StringWriter out = new StringWriter();
            SQLException e = catchThrowableOfType(SQLException.class, () -> copy.copyOut("copy bypass_it.cards to stdout", out));
            assertThat(e.getSQLState()).isEqualTo("42501");
            assertThat(e.getMessage()).contains("cards-protected");
            assertThat(out.toString()).isEmpty();
            assertStillWorks(bob);
        }
    }
}

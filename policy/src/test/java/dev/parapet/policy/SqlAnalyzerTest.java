package dev.parapet.policy;

import static dev.parapet.policy.AnalysisAssertions.analyzed;
import static dev.parapet.policy.AnalysisAssertions.only;
import static dev.parapet.policy.AnalysisAssertions.table;
import static dev.parapet.policy.AnalysisAssertions.tables;
import static dev.parapet.policy.AnalysisAssertions.unparseable;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlAnalyzerTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(Dialect.POSTGRES);

    private StatementInfo only(String sql) {
        return AnalysisAssertions.only(analyzer, sql);
    }

    // ---------------------------------------------------------------- tables

    @Test
    void findsTheTablesReadThroughJoinsSubqueriesAndCtes() {
        StatementInfo info = only("with big as (select * from shop.orders where total > 100) "
                + "select c.email, (select max(at) from shop.events e where e.id = c.id) from shop.customers c "
                + "join big b on b.customer_id = c.id where exists (select 1 from audit.flags f where f.cid = c.id) "
                + "order by (select count(*) from shop.notes)");
        assertThat(info.kind()).isEqualTo(StatementKind.SELECT);
        assertThat(info.tablesRead()).containsExactlyInAnyOrder(
                tables("shop.orders", "shop.events", "shop.customers", "audit.flags", "shop.notes"));
        assertThat(info.tablesWritten()).isEmpty();
    }

    @Test
    void doesNotTakeACteNameForATable() {
        StatementInfo info = only("with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r");
        assertThat(info.tablesRead()).isEmpty();
    }

    @Test
    void findsTheTableWrittenInsideACte() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x");
        StatementInfo info = analysis.statements().get(0);
        assertThat(info.kind()).isEqualTo(StatementKind.SELECT);
        assertThat(info.tablesWritten()).containsExactly(table("t"));
        assertThat(analysis.executedStatements()).extracting(StatementInfo::kind)
                .containsExactly(StatementKind.SELECT, StatementKind.DELETE);
        assertThat(info.inner().get(0).where()).isEqualTo(WhereClause.NONE);
    }

    @Test
    void findsTheTablesOfInsertSelect() {
        StatementInfo info = only("insert into archive.orders (id, total) select id, total from shop.orders where status = $1");
        assertThat(info.kind()).isEqualTo(StatementKind.INSERT);
        assertThat(info.tablesWritten()).containsExactly(table("archive.orders"));
        assertThat(info.tablesRead()).containsExactly(table("shop.orders"));
        assertThat(info.columns().get(table("archive.orders"))).containsExactly("id", "total");
    }

    @Test
    void treatsSelectIntoAsCreatingATable() {
        StatementInfo info = only("SELECT * INTO new_table FROM t");
        assertThat(info.kind()).isEqualTo(StatementKind.CREATE);
        assertThat(info.objectType()).isEqualTo("table");
        assertThat(info.tablesWritten()).containsExactly(table("new_table"));
        assertThat(info.tablesRead()).containsExactly(table("t"));
        assertThat(only("select * into temporary table t2 from t").tablesWritten()).containsExactly(table("t2"));
    }

    @Test
    void readsUpdateOnlyAndDeleteFromOnly() {
        assertThat(only("delete from only t where id = 1").tablesWritten()).containsExactly(table("t"));
        assertThat(only("update only s.t set a = 1 where id = 1").tablesWritten()).containsExactly(table("s.t"));
    }

    @Test
    void doesNotMistakeATableNamedTempForSelectIntoTemp() {
        assertThat(only("insert into temp t select 1").tablesWritten()).containsExactly(table("temp"));
        assertThat(only("insert into unlogged select 1").tablesWritten()).containsExactly(table("unlogged"));
    }

    @Test
    void writesOnlyTheTargetOfUpdateFromAndDeleteUsing() {
        StatementInfo update = only("update t set a = u.a from u where t.id = u.id");
        assertThat(update.tablesWritten()).containsExactly(table("t"));
        assertThat(update.tablesRead()).containsExactlyInAnyOrder(tables("t", "u"));
        StatementInfo delete = only("delete from t using u where t.id = u.id");
        assertThat(delete.tablesWritten()).containsExactly(table("t"));
        assertThat(delete.tablesRead()).containsExactlyInAnyOrder(tables("t", "u"));
    }

    @Test
    void keepsTheSchemaAsWrittenAndLowerCasesUnquotedNames() {
        StatementInfo info = only("select * from Shop.Customers, \"Shop\".\"Customers\", customers, db.public.t");
        assertThat(info.tablesRead()).containsExactly(
                table("shop.customers"), TableName.of("Shop", "Customers"), table("customers"), table("public.t"));
    }

    @Test
    void foldsOnlyAsciiLettersOfUnquotedNamesAsPostgresDoes() {
        assertThat(only("select * from ÄBC").tablesRead()).containsExactly(table("Äbc"));
        assertThat(unparseable(analyzer, "\u017Felect 1").reason()).isNotBlank(); // long s is not an S
    }

    @Test
    void decodesUnicodeEscapedIdentifiers() {
        StatementInfo info = only("DELETE FROM U&\"d\\0061ta\" WHERE U&\"\\0069d\" = 1");
        assertThat(info.tablesWritten()).containsExactly(table("data"));
        assertThat(info.columns()).containsEntry(table("data"), java.util.Set.of("id"));
    }

    @Test
    void readsKeywordsWithCommentsAndOddCaseInside() {
        StatementInfo info = only("DeLeTe/**/FrOm/* x /* nested; drop table y */ */\"Users\"--\n wHeRe id=1");
        assertThat(info.kind()).isEqualTo(StatementKind.DELETE);
        assertThat(info.tablesWritten()).containsExactly(table("Users"));
        assertThat(info.where()).isEqualTo(WhereClause.PRESENT);
    }

    // ---------------------------------------------------------------- several statements

    @Test
    void seesEveryStatementOfAMultiStatementString() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "select 1; drop table t");
        assertThat(analysis.multiStatement()).isTrue();
        assertThat(analysis.statements()).extracting(StatementInfo::kind).containsExactly(StatementKind.SELECT, StatementKind.DROP);
        assertThat(analysis.statements().get(1).tablesWritten()).containsExactly(table("t"));
        assertThat(analysis.fingerprint()).isEqualTo("select ?; drop table t");
    }

    @Test
    void doesNotSplitInsideLiteralsOrComments() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer,
                "select 'x; drop table a', $q$; drop table b$q$, \"c;d\" from t /* ; drop table e */ -- ; drop table f");
        assertThat(analysis.multiStatement()).isFalse();
        assertThat(analysis.statements().get(0).tablesWritten()).isEmpty();
    }

    @Test
    void makesTheWholeStringUnparseableWhenOneStatementIs() {
        StatementAnalysis.Unparseable unparseable = unparseable(analyzer, "select 1; frobnicate the database");
        assertThat(unparseable.reason()).startsWith("statement 2 of 2: ").contains("FROBNICATE");
    }

    // ---------------------------------------------------------------- WHERE

    @ParameterizedTest
    @ValueSource(strings = {
        "DELETE FROM t WHERE 1=1", "DELETE FROM t WHERE true", "DELETE FROM t WHERE 'a'='a'", "delete from t where 1",
        "delete from t where id = 5 or 1=1", "delete from t where (id = 5) OR (2 > 1)", "delete from t where $1",
        "delete from t where id = id", "update t set a = 1 where not false", "update t set a = 1 where 1 = 1 and 2 = 2",
        "delete from t where exists (select 1)"
    })
    void reportsAWhereThatDoesNotDependOnTheRowAsTrivial(String sql) {
        assertThat(only(sql).where()).isEqualTo(WhereClause.TRIVIAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "delete from t where id = 5", "delete from t where id = $1", "update t set a = 1 where id in (select id from u)",
        "delete from t where id = 5 and 1 = 1", "delete from t where not (id = 5)", "update t set a = 1 where current of c"
    })
    void reportsAWhereThatComparesTheRowAsPresent(String sql) {
        assertThat(only(sql).where()).isEqualTo(WhereClause.PRESENT);
    }

    @Test
    void reportsUpdateAndDeleteWithoutWhere() {
        assertThat(only("DELETE FROM t").where()).isEqualTo(WhereClause.NONE);
        assertThat(only("update t set a = 1").where()).isEqualTo(WhereClause.NONE);
        assertThat(only("select * from t").where()).isEqualTo(WhereClause.NOT_APPLICABLE);
    }

    @Test
    void keepsTrivialAndRealWhereClausesApartThroughTheCache() {
        // 1=2 and 1=1 share a fingerprint, so they must share an analysis: both are TRIVIAL (row-independent)
        assertThat(only("delete from t where 1=2").where()).isEqualTo(WhereClause.TRIVIAL);
        assertThat(only("delete from t where 1=1").where()).isEqualTo(WhereClause.TRIVIAL);
        // id=1 has another fingerprint and stays PRESENT whatever was cached before
        assertThat(only("delete from t where id=1").where()).isEqualTo(WhereClause.PRESENT);
        assertThat(only("delete from t where 7=id").where()).isEqualTo(WhereClause.PRESENT);
        assertThat(analyzer.analyze("delete from t where 1=2").fingerprint())
                .isEqualTo(analyzer.analyze("delete from t where 1=1").fingerprint());
    }

    // ---------------------------------------------------------------- utility statements

    @Test
    void classifiesADoBlockAsDo() {
        StatementInfo info = only("DO $$ BEGIN EXECUTE 'drop table t'; END $$");
        assertThat(info.kind()).isEqualTo(StatementKind.DO);
        assertThat(only("do language plpgsql 'begin null; end'").kind()).isEqualTo(StatementKind.DO);
    }

    @Test
    void seesThroughPrepareToTheStatementItPrepares() {
        StatementAnalysis.Analyzed analysis = analyzed(analyzer, "PREPARE p AS DELETE FROM t; EXECUTE p");
        StatementInfo prepare = analysis.statements().get(0);
        assertThat(prepare.kind()).isEqualTo(StatementKind.PREPARE);
        assertThat(prepare.tablesWritten()).containsExactly(table("t"));
        assertThat(prepare.inner()).singleElement().satisfies(inner -> {
            assertThat(inner.kind()).isEqualTo(StatementKind.DELETE);
            assertThat(inner.where()).isEqualTo(WhereClause.NONE);
        });
        assertThat(analysis.statements().get(1).kind()).isEqualTo(StatementKind.EXECUTE);
        assertThat(only("prepare q (int) as select * from t where id = $1").inner().get(0).tablesRead()).containsExactly(table("t"));
    }

    @Test
    void countsExplainAnalyzeAsTheStatementItRuns() {
        StatementInfo info = only("EXPLAIN ANALYZE DELETE FROM t");
        assertThat(info.kind()).isEqualTo(StatementKind.EXPLAIN);
        assertThat(info.innerExecutes()).isTrue();
        assertThat(info.tablesWritten()).containsExactly(table("t"));
        assertThat(info.executed()).extracting(StatementInfo::kind).containsExactly(StatementKind.EXPLAIN, StatementKind.DELETE);
        assertThat(only("explain (analyze, buffers) update t set a = 1").tablesWritten()).containsExactly(table("t"));
        // a literal must not decide: ANALYZE 0 shares its fingerprint with ANALYZE 1, so it counts as running
        assertThat(only("explain (analyze 0) delete from t").innerExecutes()).isTrue();
    }

    @Test
    void doesNotCountPlainExplainAsRunningItsStatement() {
        StatementInfo info = only("EXPLAIN DELETE FROM t");
        assertThat(info.innerExecutes()).isFalse();
        assertThat(info.tablesWritten()).isEmpty();
        assertThat(info.tablesRead()).containsExactly(table("t"));
        assertThat(info.executed()).extracting(StatementInfo::kind).containsExactly(StatementKind.EXPLAIN);
        assertThat(only("explain (analyze false, costs off) delete from t").innerExecutes()).isFalse();
    }

    @Test
    void reportsCopyToAProgramAsRunningIt() {
        StatementInfo info = only("COPY t TO PROGRAM 'x'");
        assertThat(info.kind()).isEqualTo(StatementKind.COPY);
        assertThat(info.serverAccess()).containsExactly(ServerAccess.RUNS_PROGRAM);
        assertThat(info.tablesRead()).containsExactly(table("t"));
        assertThat(only("copy t from program 'curl x'").tablesWritten()).containsExactly(table("t"));
        assertThat(only("copy binary t to program 'x'").serverAccess()).containsExactly(ServerAccess.RUNS_PROGRAM);
    }

    @Test
    void tellsServerFilesFromTheClientStreams() {
        assertThat(only("copy t from '/etc/passwd'").serverAccess()).containsExactly(ServerAccess.READS_FILE);
        assertThat(only("copy t to '/tmp/x' with csv").serverAccess()).containsExactly(ServerAccess.WRITES_FILE);
        StatementInfo fromStdin = only("COPY public.pgbench_branches (bid, bbalance, filler) FROM stdin");
        assertThat(fromStdin.serverAccess()).isEmpty();
        assertThat(fromStdin.tablesWritten()).containsExactly(table("public.pgbench_branches"));
        assertThat(fromStdin.columns().get(table("public.pgbench_branches"))).containsExactly("bid", "bbalance", "filler");
    }

    @Test
    void analysesTheQueryACopyRuns() {
        StatementInfo info = only("COPY (select c.email from shop.customers c where c.id > 5) TO STDOUT");
        assertThat(info.tablesRead()).containsExactly(table("shop.customers"));
        assertThat(info.serverAccess()).isEmpty();
        assertThat(info.inner()).singleElement().extracting(StatementInfo::kind).isEqualTo(StatementKind.SELECT);
        assertThat(only("copy (delete from t returning *) to stdout").tablesWritten()).containsExactly(table("t"));
    }

    @Test
    void tellsSearchPathChangesFromRoleChanges() {
        assertThat(only("SET search_path = evil, public").kind()).isEqualTo(StatementKind.SET);
        assertThat(only("set local search_path to 'x'").kind()).isEqualTo(StatementKind.SET);
        assertThat(only("SET ROLE admin").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("set session role admin").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("SET SESSION AUTHORIZATION 'bob'").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("reset role").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("set session_authorization = 'bob'").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("set role to admin").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("reset all").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("set transaction isolation level serializable").kind()).isEqualTo(StatementKind.TRANSACTION);
    }

    @Test
    void readsQuotedSettingNamesAsThePlainOnes() {
        // setting names ignore case even when quoted: SET "ROLE" is SET ROLE
        assertThat(only("SET \"ROLE\" = admin").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("set local \"session_authorization\" to 'bob'").kind()).isEqualTo(StatementKind.SET_ROLE);
        assertThat(only("RESET \"Role\"").kind()).isEqualTo(StatementKind.SET_ROLE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET search_path = evil, public", "set local search_path to 'x'", "set session search_path = x",
        "SET \"SEARCH_PATH\" TO x", "set schema 'evil'", "set search_path to default"})
    void namesTheSettingASetChanges(String sql) {
        StatementInfo info = only(sql);
        assertThat(info.kind()).isEqualTo(StatementKind.SET);
        assertThat(info.objectType()).isEqualTo("search_path");
    }

    @Test
    void takesASettingGivenToLaterSessionsAsASetThatRuns() {
        for (String sql : List.of("alter role app set search_path = vault, public",
                "alter role all in database d set search_path to vault", "alter database d set search_path from current",
                "alter system set search_path = 'vault'")) {
            assertThat(analyzed(analyzer, sql).executedStatements()).as(sql).last()
                    .satisfies(set -> {
                        assertThat(set.kind()).isEqualTo(StatementKind.SET);
                        assertThat(set.objectType()).isEqualTo("search_path");
                    });
        }
        assertThat(analyzed(analyzer, "alter user app set role = admin").executedStatements()).extracting(StatementInfo::kind)
                .containsExactly(StatementKind.ALTER, StatementKind.SET_ROLE);
        assertThat(analyzed(analyzer, "alter role app with password 'x'").executedStatements()).hasSize(1);
    }

    @Test
    void takesSelectForUpdateAsARowLockThatRuns() {
        for (String sql : List.of("select * from t where id = 1 for update", "select * from t for share of t nowait",
                "select * from (select * from t for no key update) x", "with x as (select * from t for key share) select * from x")) {
            StatementAnalysis.Analyzed analysis = analyzed(analyzer, sql);
            assertThat(analysis.executedStatements()).as(sql).extracting(StatementInfo::kind)
                    .containsExactly(StatementKind.SELECT, StatementKind.LOCK);
            assertThat(analysis.executedStatements().get(1).tablesRead()).as(sql).containsExactly(table("t"));
            assertThat(analysis.statements().get(0).tablesWritten()).as(sql).isEmpty();
        }
        assertThat(analyzed(analyzer, "select * from t").executedStatements()).hasSize(1);
    }

    @Test
    void findsTheFunctionsADefinitionLeavesToRunLater() {
        assertThat(only("create table t (a text default pg_read_file('x'), b varchar(3), c numeric(10, 2), "
                + "check (length(a) > 0), primary key (a), d int references u (id))").functions())
                .containsExactlyInAnyOrder("pg_read_file", "length");
        assertThat(only("alter table t add column v text default pg_catalog.pg_read_file('x')").functions())
                .containsExactly("pg_catalog.pg_read_file");
        assertThat(only("alter table t alter column a set default f()").functions()).containsExactly("f");
        assertThat(only("alter table t alter column a type text using pg_read_file(a)").functions()).containsExactly("pg_read_file");
        assertThat(only("create index i on t using btree ((lower(a)))").functions()).containsExactly("lower");
        assertThat(only("create policy p on t using (f(owner))").functions()).containsExactly("f");
        assertThat(only("create domain d as varchar(10) check (f(value))").functions()).containsExactly("f");
        assertThat(only("create operator ### (function = pg_read_file, rightarg = text)").functions()).containsExactly("pg_read_file");
        assertThat(only("create aggregate a(boolean) (sfunc = s.step, stype = text, finalfunc = done)").functions())
                .containsExactlyInAnyOrder("s.step", "done");
        assertThat(only("create cast (int as text) with function f(int)").functions()).containsExactly("f");
        assertThat(only("create function g(a text default f('x')) returns text language sql as 'select 1'").functions())
                .containsExactly("f");
        assertThat(only("create table t (id int primary key, at timestamp(3), n numeric(10, 2)) partition by range (id)")
                .functions()).isEmpty();
        assertThat(only("create table p1 partition of t for values from (1) to (10)").functions()).isEmpty();
        assertThat(only("create unique index on only t (a, b) with (fillfactor = 70)").functions()).isEmpty();
        assertThat(only("alter function f(int) owner to bob").functions()).isEmpty();
    }

    @Test
    void takesARenamedSchemaForAllItsTables() {
        assertThat(only("alter schema s rename to t").tablesWritten()).containsExactly(TableName.of("s", "*"));
        assertThat(only("alter schema s owner to bob").tablesWritten()).containsExactly(TableName.of("s", "*"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "begin | TRANSACTION", "commit | TRANSACTION", "end | TRANSACTION", "rollback to savepoint a | TRANSACTION",
        "prepare transaction 'x' | TRANSACTION", "show work_mem | SHOW", "discard all | SET", "listen ch | LISTEN",
        "unlisten * | LISTEN", "notify ch, 'x' | NOTIFY", "lock table t in access exclusive mode | LOCK",
        "vacuum full t | VACUUM", "analyze t | ANALYZE", "cluster t using i | CLUSTER", "reindex index i | REINDEX",
        "checkpoint | ALTER_SYSTEM", "alter system set work_mem = '1GB' | ALTER_SYSTEM", "load 'auto_explain' | LOAD",
        "call s.proc(1) | CALL", "deallocate all | DEALLOCATE", "execute p(1, 2) | EXECUTE",
        "declare c cursor for select * from t | CURSOR", "fetch 10 from c | CURSOR", "close c | CURSOR",
        "truncate t | TRUNCATE", "comment on table t is 'x' | COMMENT", "grant select on t to bob | GRANT",
        "revoke select on t from bob | REVOKE", "refresh materialized view mv | REFRESH",
        "create function f() returns int language sql as 'select 1' | CREATE_FUNCTION",
        "create or replace procedure p() language plpgsql as $$ begin end $$ | CREATE_FUNCTION",
        "create table t (a int) | CREATE", "alter table t add b int | ALTER", "drop table t | DROP",
        "alter default privileges grant select on tables to bob | GRANT", "table t | SELECT", "values (1) | SELECT"
    })
    void classifiesUtilityStatements(String sql, StatementKind kind) {
        assertThat(only(sql).kind()).isEqualTo(kind);
    }

    @Test
    void listsTheTablesUtilityStatementsTouch() {
        assertThat(only("vacuum analyze t1, s.t2").tablesWritten()).containsExactly(tables("t1", "s.t2"));
        assertThat(only("lock table only t1, t2 in share mode").tablesRead()).containsExactly(tables("t1", "t2"));
        assertThat(only("truncate only t1, t2 restart identity cascade").tablesWritten()).containsExactly(tables("t1", "t2"));
        assertThat(only("grant select, update on table t1, s.t2 to public").tablesWritten()).containsExactly(tables("t1", "s.t2"));
        assertThat(only("grant all on all tables in schema s to bob").tablesWritten()).containsExactly(TableName.of("s", "*"));
        assertThat(only("drop schema s cascade").tablesWritten()).containsExactly(TableName.of("s", "*"));
        assertThat(only("comment on column s.t.c is 'x'").columns()).containsEntry(table("s.t"), java.util.Set.of("c"));
        assertThat(only("create index concurrently if not exists i on only s.t (a)").tablesWritten()).containsExactly(table("s.t"));
        assertThat(only("alter table s.t rename to u").tablesWritten()).containsExactly(tables("s.t", "s.u"));
    }

    @Test
    void tellsDropDatabaseFromDropTable() {
        StatementInfo database = only("drop database prod");
        assertThat(database.kind()).isEqualTo(StatementKind.DROP);
        assertThat(database.objectType()).isEqualTo("database");
        assertThat(only("drop table if exists a, s.b").objectType()).isEqualTo("table");
        assertThat(only("drop materialized view mv").objectType()).isEqualTo("materialized view");
    }

    @Test
    void seesADatabaseInEveryFormOfDropDatabase() {
        for (String sql : List.of("DROP DATABASE shop", "DROP DATABASE IF EXISTS shop", "drop database \"Shop\" with (force)",
                "drop database if exists shop (force)", "Drop Database shop WITH (FORCE)")) {
            StatementInfo drop = only(sql);
            assertThat(drop.kind()).as(sql).isEqualTo(StatementKind.DROP);
            assertThat(drop.objectType()).as(sql).isEqualTo("database");
        }
        assertThat(only("drop schema shop cascade").objectType()).isEqualTo("schema");
    }

    @Test
    void analysesTheQueriesOfViewsTablesAsSelectAndCursors() {
        StatementInfo view = only("create or replace view v as select a, b from secrets where c > 0 with cascaded check option");
        assertThat(view.tablesWritten()).containsExactly(table("v"));
        assertThat(view.tablesRead()).containsExactly(table("secrets"));
        assertThat(only("create materialized view mv as select * from t with no data").tablesRead()).containsExactly(table("t"));
        assertThat(only("create table t2 as select * from t").tablesRead()).containsExactly(table("t"));
        assertThat(only("declare c cursor with hold for select * from t").tablesRead()).containsExactly(table("t"));
    }

    @Test
    void analysesTheActionsOfARule() {
        StatementInfo rule = only("CREATE RULE r AS ON INSERT TO t DO INSTEAD (DELETE FROM u; INSERT INTO v VALUES (new.x))");
        assertThat(rule.kind()).isEqualTo(StatementKind.CREATE);
        assertThat(rule.objectType()).isEqualTo("rule");
        assertThat(rule.tablesWritten()).containsExactlyInAnyOrder(tables("t", "u", "v"));
        assertThat(rule.inner()).extracting(StatementInfo::kind).containsExactly(StatementKind.DELETE, StatementKind.INSERT);
        assertThat(only("create rule r as on select to t do instead select * from secrets").tablesRead())
                .containsExactly(table("secrets"));
    }

    @Test
    void recognisesNativeCodeAndExtensions() {
        assertThat(only("create function f() returns int as 'lib.so', 'f' language c").serverAccess())
                .containsExactly(ServerAccess.LOADS_LIBRARY);
        assertThat(only("create extension dblink").serverAccess()).containsExactly(ServerAccess.LOADS_LIBRARY);
        assertThat(only("load 'plugin'").serverAccess()).containsExactly(ServerAccess.LOADS_LIBRARY);
    }

    // ---------------------------------------------------------------- columns and functions

    @Test
    void recordsColumnsPerTableThroughAliases() {
        StatementInfo info = only("select c.email, o.total from shop.customers c join shop.orders o on o.customer_id = c.id");
        assertThat(info.columns()).containsEntry(table("shop.customers"), java.util.Set.of("email", "id"));
        assertThat(info.columns()).containsEntry(table("shop.orders"), java.util.Set.of("total", "customer_id"));
    }

    @Test
    void listsAnUnqualifiedColumnUnderEveryTableOfItsQuery() {
        StatementInfo info = only("select ssn from customers, orders");
        assertThat(info.columns()).containsEntry(table("customers"), java.util.Set.of("ssn"));
        assertThat(info.columns()).containsEntry(table("orders"), java.util.Set.of("ssn"));
    }

    @Test
    void recordsStarAsEveryColumnOfTheTablesItCovers() {
        assertThat(only("select * from t join u on t.id = u.id").columns())
                .containsEntry(table("t"), java.util.Set.of("*", "id")).containsEntry(table("u"), java.util.Set.of("*", "id"));
        assertThat(only("select u.* from t join u on true").columns()).containsEntry(table("u"), java.util.Set.of("*"))
                .doesNotContainKey(table("t"));
        assertThat(only("with x as (select ssn from customers) select * from x").columns())
                .containsEntry(table("customers"), java.util.Set.of("ssn"));
        assertThat(only("select count(*) from t").columns()).isEmpty();
    }

    @Test
    void recordsFunctionsLowerCasedAndQualifiedAsWritten() {
        StatementInfo info = only("SELECT PG_CATALOG.PG_READ_FILE('/etc/passwd'), \"MyFunc\"(1), lower(name), "
                + "row_number() over (order by x) FROM t ORDER BY pg_sleep(1)");
        assertThat(info.functions()).containsExactlyInAnyOrder(
                "pg_catalog.pg_read_file", "MyFunc", "lower", "row_number", "pg_sleep");
        assertThat(only("select * from dblink('host=x', 'select 1') as t(a int)").functions()).containsExactly("dblink");
        assertThat(only("insert into t values (nextval('s'))").functions()).containsExactly("nextval");
        assertThat(only("call s.proc((select f(1)))").functions()).containsExactlyInAnyOrder("s.proc", "f");
        StatementInfo named = only("CALL p(a => 1, b => (select max(x) from t))");
        assertThat(named.functions()).containsExactlyInAnyOrder("p", "max");
        assertThat(named.tablesRead()).containsExactly(table("t"));
    }

    // ---------------------------------------------------------------- refusals

    @ParameterizedTest
    @ValueSource(strings = {
        "frobnicate t", "select from where", "'x'", "select 'unterminated", "delete from t where", "select (1; drop table t)",
        "create table begin (x int); create function f() returns int begin atomic select 1; drop table t"
    })
    void refusesWhatItCannotRead(String sql) {
        assertThat(unparseable(analyzer, sql).reason()).isNotBlank();
    }

    @Test
    void refusesTextThatReadsDifferentlyWithStandardConformingStringsOff() {
        StatementAnalysis.Unparseable unparseable = unparseable(analyzer, "select 'a\\'; drop table t; -- '");
        assertThat(unparseable.reason()).contains("standard_conforming_strings");
    }

    @Test
    void acceptsBackslashesThatReadTheSameEitherWay() {
        assertThat(only("select * from t where path like 'C:\\dir\\%' and re ~ '\\d+'").kind()).isEqualTo(StatementKind.SELECT);
    }

    // ---------------------------------------------------------------- cache and threads

    @Test
    void givesEverySessionThreadTheSameAnswers() throws Exception {
        List<String> statements = List.of("select * from t where id = 1", "delete from t where 1=1",
                "with x as (update t set a = 1 returning *) select * from x", "copy t to program 'x'",
                "explain analyze insert into t select * from u", "select 1; drop table t", "frobnicate");
        SqlAnalyzer reference = new SqlAnalyzer(Dialect.POSTGRES);
        List<StatementAnalysis> expected = statements.stream().map(reference::analyze).toList();
        SqlAnalyzer shared = new SqlAnalyzer(Dialect.POSTGRES, 3);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (int i = 0; i < statements.size(); i++) {
                            if (!shared.analyze(statements.get(i)).equals(expected.get(i))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void analysesAShapeOnceAndReusesItForOtherLiterals() {
        SqlAnalyzer fresh = new SqlAnalyzer(Dialect.POSTGRES);
        StatementInfo first = AnalysisAssertions.only(fresh, "SELECT * FROM t WHERE id = 42 -- x");
        StatementInfo second = AnalysisAssertions.only(fresh, "select *  from T where id=7");
        assertThat(second).isSameAs(first);
        assertThat(fresh.cachedShapes()).isEqualTo(1);
        AnalysisAssertions.only(fresh, "select * from t where id in (1, 2, 3)");
        AnalysisAssertions.only(fresh, "select * from t where id in (4)");
        assertThat(fresh.cachedShapes()).isEqualTo(2);
    }

    @Test
    void cachesShapesWhoseLiteralsDifferInKindApart() {
        // JSqlParser 5.3 reads TABLESAMPLE SYSTEM (10) but not ('10'): a string there must not make
        // the number form unreadable for everyone once it is cached under the shared fingerprint
        SqlAnalyzer fresh = new SqlAnalyzer(Dialect.POSTGRES);
        StatementAnalysis withString = fresh.analyze("select * from t tablesample system ('10')");
        StatementAnalysis withNumber = fresh.analyze("select * from t tablesample system (10)");
        assertThat(withString.fingerprint()).isEqualTo(withNumber.fingerprint());
        assertThat(withString).isInstanceOf(StatementAnalysis.Unparseable.class);
        assertThat(withNumber).isInstanceOf(StatementAnalysis.Analyzed.class);
        assertThat(fresh.cachedShapes()).isEqualTo(2);
    }

    @Test
    void refusesStatementsTooLongToAnalyse() {
        StringBuilder sql = new StringBuilder("select c0");
        for (int i = 1; i <= SqlAnalyzer.MAX_TOKENS / 2; i++) {
            sql.append(", c").append(i);
        }
        assertThat(unparseable(analyzer, sql + " from t").reason()).contains("tokens");
        // a long list of literals folds to one shape and is analysed
        StringBuilder in = new StringBuilder("select * from t where id in (0");
        for (int i = 1; i <= SqlAnalyzer.MAX_TOKENS; i++) {
            in.append(", ").append(i);
        }
        assertThat(only(in + ")").tablesRead()).containsExactly(table("t"));
    }

    @Test
    void keepsNoMoreShapesThanItsCacheSize() {
        SqlAnalyzer small = new SqlAnalyzer(Dialect.POSTGRES, 4);
        for (int i = 0; i < 50; i++) {
            AnalysisAssertions.only(small, "select c" + i + " from t");
        }
        assertThat(small.cachedShapes()).isBetween(1, 4);
    }

    @Test
    void givesTheSameAnswerFromTheCacheAsWithout() {
        List<String> statements = List.of(
                "with x as (delete from t where id = 1 returning *) select * from x",
                "explain analyze update t set a = 2 where 1 = 1", "copy (select a from t) to stdout");
        SqlAnalyzer warm = new SqlAnalyzer(Dialect.POSTGRES);
        for (String sql : statements) {
            StatementAnalysis first = warm.analyze(sql);
            StatementAnalysis again = warm.analyze(sql.replace("1", "9"));
            assertThat(again).isEqualTo(new SqlAnalyzer(Dialect.POSTGRES).analyze(sql.replace("1", "9")));
            assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
        }
    }
}

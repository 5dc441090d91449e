package dev.parapet.policy;

import static dev.parapet.policy.AnalysisAssertions.table;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.parapet.policy.OutputColumn.Kind;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The output columns of a statement and what each is derived from, and the columns its filters look at. */
class OutputLineageTest {

    private static final SqlAnalyzer POSTGRES = new SqlAnalyzer(Dialect.POSTGRES);
    private static final SqlAnalyzer MYSQL = new SqlAnalyzer(Dialect.MYSQL);

    private static StatementInfo only(String sql) {
        return AnalysisAssertions.only(POSTGRES, sql);
    }

    private static List<OutputColumn> outputs(String sql) {
        return only(sql).outputColumns();
    }

    /** The only output column of {@code sql}. */
    private static OutputColumn output(String sql) {
        List<OutputColumn> outputs = outputs(sql);
        assertThat(outputs).as("output columns of <%s>", sql).hasSize(1);
        return outputs.get(0);
    }

    /** "table.column" or "schema.table.column". */
    private static ColumnRef column(String qualified) {
        int dot = qualified.lastIndexOf('.');
        return new ColumnRef(table(qualified.substring(0, dot)), qualified.substring(dot + 1));
    }

    private static ColumnRef[] columns(String... qualified) {
        ColumnRef[] out = new ColumnRef[qualified.length];
        for (int i = 0; i < qualified.length; i++) {
            out[i] = column(qualified[i]);
        }
        return out;
    }

    private static void assertPlain(OutputColumn output, String label, String source) {
        assertThat(output.label()).isEqualTo(label);
        assertThat(output.kind()).as("kind of %s", output).isEqualTo(Kind.PLAIN_COLUMN);
        assertThat(output.sources()).containsExactly(column(source));
        assertThat(output.wholeRows()).isEmpty();
        assertThat(output.expands()).isFalse();
    }

    private static void assertDerived(OutputColumn output, String label, String... sources) {
        assertThat(output.label()).isEqualTo(label);
        assertThat(output.kind()).as("kind of %s", output).isEqualTo(Kind.DERIVED);
        assertThat(output.sources()).containsExactlyInAnyOrder(columns(sources));
        assertThat(output.expands()).isFalse();
    }

    private static void assertStar(OutputColumn output, String... tables) {
        assertThat(output.kind()).as("kind of %s", output).isEqualTo(Kind.STAR);
        assertThat(output.starOf()).containsExactly(AnalysisAssertions.tables(tables));
        assertThat(output.expands()).isTrue();
    }

    private static void assertConstant(OutputColumn output, String label) {
        assertThat(output.label()).isEqualTo(label);
        assertThat(output.kind()).as("kind of %s", output).isEqualTo(Kind.CONSTANT);
        assertThat(output.sources()).isEmpty();
        assertThat(output.wholeRows()).isEmpty();
    }

    @Nested
    class Columns {

        @Test
        void aPlainColumnKeepsItsTableWhateverTheQualifierOrParentheses() {
            List<OutputColumn> outputs = outputs("select email, c.phone, (c.name), shop.c2.id from customers c, shop.c2");
            assertThat(outputs).hasSize(4);
            assertThat(outputs.get(0).kind()).isEqualTo(Kind.DERIVED); // unqualified over two tables
            assertThat(outputs.get(0).sources()).containsExactlyInAnyOrder(columns("customers.email", "shop.c2.email"));
            assertPlain(outputs.get(1), "phone", "customers.phone");
            assertPlain(outputs.get(2), "name", "customers.name");
            assertPlain(outputs.get(3), "id", "shop.c2.id");
        }

        @Test
        void anUnqualifiedColumnOfASingleTableIsPlain() {
            assertPlain(output("select email from customers"), "email", "customers.email");
            assertPlain(output("select (c).email from customers c"), "email", "customers.email");
        }

        @Test
        void namesAreNormalisedAsTableNamesAre() {
            List<OutputColumn> outputs = outputs("select \"Email\", PHONE as \"Tel\" from Shop.\"Customers\"");
            assertPlain(outputs.get(0), "Email", "shop.Customers.Email");
            assertPlain(outputs.get(1), "Tel", "shop.Customers.phone");
            assertThat(only("select \"Email\" from Shop.\"Customers\"").columns())
                    .containsKey(table("shop.Customers"));
        }

        @Test
        void anUnqualifiedColumnInASubqueryMayAlsoBeAnOuterQuerysColumn() {
            // pg_class has no email column, so PostgreSQL reads customers.email here
            OutputColumn output = output("select (select email from pg_catalog.pg_class limit 1) from customers");
            assertThat(output.sources()).contains(column("customers.email"), column("pg_catalog.pg_class.email"));
        }
    }

    @Nested
    class Expressions {

        @Test
        void anExpressionIsDerivedFromEveryColumnItMentions() {
            List<OutputColumn> outputs = outputs("select lower(email), email || '', substr(card_number, 1, 6), "
                    + "coalesce(phone, ''), coalesce(phone, email), length(name) + id from customers");
            assertDerived(outputs.get(0), "lower", "customers.email");
            assertDerived(outputs.get(1), "?column?", "customers.email");
            assertDerived(outputs.get(2), "substr", "customers.card_number");
            assertDerived(outputs.get(3), "coalesce", "customers.phone");
            assertDerived(outputs.get(4), "coalesce", "customers.phone", "customers.email");
            assertDerived(outputs.get(5), "?column?", "customers.name", "customers.id");
        }

        @Test
        void aCastIsDerivedAndKeepsTheColumnsName() {
            List<OutputColumn> outputs = outputs("select email::text, cast(email as varchar(10)), '1'::int from customers");
            assertDerived(outputs.get(0), "email", "customers.email");
            assertDerived(outputs.get(1), "email", "customers.email");
            assertConstant(outputs.get(2), "int4");
        }

        @Test
        void caseIsDerivedFromItsConditionsAndItsBranches() {
            OutputColumn output = output("select case when vip then email when region = 'eu' then phone end from customers");
            assertDerived(output, "case", "customers.vip", "customers.email", "customers.region", "customers.phone");
            assertThat(output("select case when vip then 1 else email end from customers").label()).isEqualTo("email");
        }

        @Test
        void deeplyNestedExpressionsKeepEverySource() {
            assertDerived(output("select upper(trim(both ' ' from substring(lower(email || phone) from 2))) from customers"),
                    "upper", "customers.email", "customers.phone");
            assertDerived(output("select (email ->> 'x')::int + greatest(a, b) from customers"), "?column?",
                    "customers.email", "customers.a", "customers.b");
        }

        @Test
        void readsOperandsTheGenericTreeWalkSkips() {
            // JSqlParser's visitor adapter leaves out TRIM's FROM operand, AT TIME ZONE's zone and
            // the values of SQL/JSON constructors
            assertDerived(output("select trim(both 'x' from email) from customers"), "btrim", "customers.email");
            assertDerived(output("select ts at time zone tz from customers"), "?column?", "customers.ts", "customers.tz");
            assertDerived(output("select json_objectagg(k value email) from customers"), "json_objectagg",
                    "customers.k", "customers.email");
        }

        @Test
        void constantsHaveNoSource() {
            assertConstant(output("select 1"), "?column?");
            assertConstant(output("select $1 as p"), "p");
            assertConstant(output("select now()"), "now");
            assertConstant(output("select current_date"), "current_date");
            assertConstant(output("select count(*) from customers"), "count");
        }

        @Test
        void aFunctionTheAnalysisDoesNotKnowMayReadAnything() {
            OutputColumn output = output("select get_email(id) from customers");
            assertThat(output.kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(output.sources()).containsExactly(column("customers.id"));
            assertThat(output.expands()).isFalse();
            assertThat(output("select lower(shop.decrypt(card)) from customers").kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(output("select pg_catalog.lower(email) from customers").kind()).isEqualTo(Kind.DERIVED);
        }
    }

    @Nested
    class AggregatesAndWindows {

        @Test
        void anAggregateIsDerivedFromItsArgumentsOrderingAndFilter() {
            List<OutputColumn> outputs = outputs("select string_agg(email, ',' order by phone), count(email), "
                    + "count(*) filter (where email like '%@x.com'), max(id) from customers");
            assertDerived(outputs.get(0), "string_agg", "customers.email", "customers.phone");
            assertDerived(outputs.get(1), "count", "customers.email");
            assertDerived(outputs.get(2), "count", "customers.email");
            assertDerived(outputs.get(3), "max", "customers.id");
        }

        @Test
        void aWindowFunctionIsDerivedFromItsArgumentsPartitionAndOrder() {
            assertDerived(output("select string_agg(email, ',') over () from customers"), "string_agg", "customers.email");
            assertDerived(output("select row_number() over (partition by region order by email) from customers"),
                    "row_number", "customers.region", "customers.email");
            assertDerived(output("select rank() over w from customers window w as (order by email)"),
                    "rank", "customers.email");
        }
    }

    @Nested
    class WholeRows {

        @Test
        void aRowTurnedIntoAValueCarriesEveryColumnOfItsTable() {
            List<OutputColumn> outputs = outputs("select row_to_json(c), to_jsonb(c.*), row(c.*), json_agg(c), c "
                    + "from customers c");
            assertThat(outputs).hasSize(5).allSatisfy(output -> {
                assertThat(output.kind()).isEqualTo(Kind.DERIVED);
                assertThat(output.wholeRows()).containsExactly(table("customers"));
            });
            assertThat(outputs).extracting(OutputColumn::label)
                    .containsExactly("row_to_json", "to_jsonb", "row", "json_agg", "c");
        }

        @Test
        void aWholeRowOfADerivedTableIsItsColumnsSources() {
            OutputColumn output = output("select row_to_json(x) from (select lower(email) e, id from customers) x");
            assertDerived(output, "row_to_json", "customers.email", "customers.id");
            assertThat(output.wholeRows()).isEmpty();
        }

        @Test
        void jsonConstructorsAreDerivedFromTheirValues() {
            assertDerived(output("select json_build_object('e', email) from customers"), "json_build_object",
                    "customers.email");
            assertDerived(output("select jsonb_build_array(email, phone) from customers"), "jsonb_build_array",
                    "customers.email", "customers.phone");
            assertDerived(output("select json_object('e' value email) from customers"), "json_object", "customers.email");
            assertDerived(output("select json_arrayagg(email) from customers"), "json_arrayagg", "customers.email");
            assertDerived(output("select array[email, phone] from customers"), "array", "customers.email",
                    "customers.phone");
        }
    }

    @Nested
    class Subqueries {

        @Test
        void aScalarSubqueryIsWhatItSelects() {
            assertPlain(output("select (select email from customers limit 1) as e"), "e", "customers.email");
            assertThat(output("select (select email from customers limit 1)").label()).isEqualTo("email");
        }

        @Test
        void aCorrelatedSubqueryIsAlsoDerivedFromTheColumnsItFiltersOn() {
            OutputColumn output = output("select (select s.name from staff s where s.id = c.staff_id) from customers c");
            assertDerived(output, "name", "staff.name", "staff.id", "customers.staff_id");
        }

        @Test
        void existsAndInAreDerivedFromWhatTheyCompare() {
            assertDerived(output("select exists (select 1 from blocked b where b.email = c.email) from customers c"),
                    "exists", "blocked.email", "customers.email");
            assertDerived(output("select c.email in (select b.email from blocked b) from customers c"),
                    "?column?", "customers.email", "blocked.email");
            assertDerived(output("select array(select b.email from blocked b)"), "array", "blocked.email");
        }

        @Test
        void aDerivedTablesColumnIsWhatItWasInside() {
            assertDerived(output("select x.e from (select lower(email) e from customers) x"), "e", "customers.email");
            assertPlain(output("select x.email from (select * from customers) x"), "email", "customers.email");
            assertPlain(output("select y.m from (select x.mail as m from (select email as mail from customers) x) y"),
                    "m", "customers.email");
            assertPlain(output("select v.b from (select id, email from customers) as v(a, b) where v.a > 0"),
                    "b", "customers.email");
        }

        @Test
        void aLateralSubqueryReadsTheTablesBeforeIt() {
            OutputColumn output = output("select f.* from customers c, lateral (select c.email) f");
            assertPlain(output, "email", "customers.email");
            assertDerived(output("select f.u from customers c cross join lateral (select upper(c.email) u) f"), "u",
                    "customers.email");
        }
    }

    @Nested
    class Ctes {

        @Test
        void aCteColumnResolvesToItsSourcesThroughRenaming() {
            assertDerived(output("with a as (select email from customers) select upper(e) from a as t(e)"), "upper",
                    "customers.email");
            assertPlain(output("with a(x) as (select email from customers) select x from a"), "x", "customers.email");
            assertPlain(output("with a as (select email from customers), b as (select email from a) select * from b"),
                    "email", "customers.email");
        }

        @Test
        void aColumnListOverAStarRenamesColumnsOfUnknownPosition() {
            // which of customers' columns y is depends on the schema: every one of them may be
            OutputColumn output = output("with a(x, y) as (select * from customers) select y from a");
            assertThat(output.kind()).isEqualTo(Kind.DERIVED);
            assertThat(output.wholeRows()).containsExactly(table("customers"));
            assertThat(output("with a as (select * from customers) select t.z from a as t(z)").wholeRows())
                    .containsExactly(table("customers"));
            assertPlain(output("with a as (select * from customers) select a.email from a"), "email", "customers.email");
        }

        @Test
        void aRecursiveCteUnitesBothBranches() {
            List<OutputColumn> outputs = outputs("with recursive r(n, e) as (select 1, email from customers "
                    + "union all select n + 1, e from r where n < 3) select n, e from r");
            assertConstant(outputs.get(0), "n");
            assertPlain(outputs.get(1), "e", "customers.email");
        }

        @Test
        void aRecursiveCteThatSwapsColumnsDerivesEachFromBoth() {
            List<OutputColumn> outputs = outputs("with recursive t(a, b) as (select email, phone from customers "
                    + "union all select b, lower(a) from t) select a, b from t");
            assertDerived(outputs.get(0), "a", "customers.email", "customers.phone");
            assertDerived(outputs.get(1), "b", "customers.email", "customers.phone");
        }

        @Test
        void aRecursiveCteCanReachOtherTablesInItsRecursiveBranch() {
            OutputColumn output = output("with recursive tree as (select id, parent, name from nodes where parent is null "
                    + "union all select n.id, n.parent, t.name || '/' || s.secret from nodes n join tree t on n.parent = t.id "
                    + "join secrets s on s.id = n.id) select name from tree");
            assertDerived(output, "name", "nodes.name", "secrets.secret");
        }

        @Test
        void aDataModifyingCteReturnsWhatItsReturningClauseNames() {
            assertPlain(output("with d as (delete from customers where id = 1 returning email) select * from d"),
                    "email", "customers.email");
        }
    }

    @Nested
    class SetOperations {

        @Test
        void aUnionColumnIsDerivedFromEveryBranchAtItsPosition() {
            OutputColumn output = output("select email from customers union select name from staff");
            assertDerived(output, "email", "customers.email", "staff.name");
            List<OutputColumn> outputs = outputs("select id, email from customers intersect select id, email from archive "
                    + "except select 1, name from staff");
            assertDerived(outputs.get(0), "id", "customers.id", "archive.id");
            assertDerived(outputs.get(1), "email", "customers.email", "archive.email", "staff.name");
        }

        @Test
        void theSameColumnInEveryBranchStaysPlain() {
            assertPlain(output("select email from customers where a union all select email from customers where b"),
                    "email", "customers.email");
        }

        @Test
        void starsAcrossBranchesBecomeOneSpan() {
            assertStar(output("select * from customers union all select * from archive"), "customers", "archive");
            List<OutputColumn> outputs = outputs("select *, 1 as k from customers union all select a, b, 2 from archive");
            assertThat(outputs).hasSize(2);
            assertStar(outputs.get(0), "customers");
            assertThat(outputs.get(0).sources()).containsExactlyInAnyOrder(columns("archive.a", "archive.b"));
            assertConstant(outputs.get(1), "k");
        }
    }

    @Nested
    class Stars {

        @Test
        void aStarNamesTheTableItExpands() {
            assertStar(output("select * from customers"), "customers");
            assertStar(output("table customers"), "customers");
            List<OutputColumn> outputs = outputs("select c.*, lower(c.email) from customers c");
            assertStar(outputs.get(0), "customers");
            assertDerived(outputs.get(1), "lower", "customers.email");
        }

        @Test
        void aStarOverAJoinListsEachTableInOrder() {
            List<OutputColumn> outputs = outputs("select * from customers c join orders o on o.cid = c.id");
            assertThat(outputs).hasSize(2);
            assertStar(outputs.get(0), "customers");
            assertStar(outputs.get(1), "orders");
        }

        @Test
        void aStarOverAJoinThatMergesColumnsIsOneSpan() {
            assertStar(output("select * from customers join orders using (id)"), "customers", "orders");
            assertStar(output("select * from customers natural join orders"), "customers", "orders");
        }

        @Test
        void aStarOverADerivedTableOrCteIsItsColumns() {
            List<OutputColumn> outputs = outputs("select * from customers c, (select lower(email) e from staff) x");
            assertStar(outputs.get(0), "customers");
            assertDerived(outputs.get(1), "e", "staff.email");
            List<OutputColumn> viaCte = outputs("with a as (select id, lower(email) e from customers) select a.* from a");
            assertPlain(viaCte.get(0), "id", "customers.id");
            assertDerived(viaCte.get(1), "e", "customers.email");
        }

        @Test
        void aStarOverAFunctionOfUnknownShapeIsUnknown() {
            OutputColumn output = output("select * from some_function()");
            assertThat(output.kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(output.expands()).isTrue();
            OutputColumn withArguments = output("select f.* from customers c, lateral my_rows(c.email) f");
            assertThat(withArguments.kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(withArguments.sources()).containsExactly(column("customers.email"));
        }

        @Test
        void aBuiltInSetReturningFunctionHasKnownColumns() {
            List<OutputColumn> outputs = outputs("select * from customers c, unnest(c.tags) with ordinality as u(tag, n)");
            assertThat(outputs).hasSize(3);
            assertDerived(outputs.get(1), "tag", "customers.tags");
            assertDerived(outputs.get(2), "n", "customers.tags");
            assertConstant(output("select g from generate_series(1, 3) g"), "g");
        }
    }

    @Nested
    class ValuesAndTable {

        @Test
        void valuesColumnsAreNamedByPosition() {
            List<OutputColumn> outputs = outputs("values (1, 'a')");
            assertConstant(outputs.get(0), "column1");
            assertConstant(outputs.get(1), "column2");
            assertDerived(output("select * from (values (1), ((select max(email) from customers))) v(x)"), "x",
                    "customers.email");
        }
    }

    @Nested
    class Dml {

        @Test
        void returningStarNamesTheTargetTable() {
            assertStar(output("insert into t (a) values (1) returning *"), "t");
        }

        @Test
        void returningListsWhatItNames() {
            List<OutputColumn> outputs = outputs("update customers set email = 'x' where id = 1 returning email, id");
            assertPlain(outputs.get(0), "email", "customers.email");
            assertPlain(outputs.get(1), "id", "customers.id");
            assertDerived(output("insert into customers (email) values ($1) returning lower(email) as e"), "e",
                    "customers.email");
        }

        @Test
        void returningStarOfUpdateFromAndDeleteUsingIncludesTheOtherTables() {
            List<OutputColumn> outputs = outputs("delete from customers c using orders o where o.cid = c.id returning *");
            assertThat(outputs).hasSize(2);
            assertStar(outputs.get(0), "customers");
            assertStar(outputs.get(1), "orders");
            assertPlain(output("update customers set n = 1 returning old.email"), "email", "customers.email");
        }

        @Test
        void dmlWithoutReturningReturnsNoRows() {
            assertThat(outputs("update customers set email = 'x' where id = 1")).isEmpty();
            assertThat(outputs("insert into t select * from customers")).isEmpty();
            assertThat(outputs("merge into t using s on t.id = s.id when matched then update set a = s.a")).isEmpty();
        }
    }

    @Nested
    class CarriedStatements {

        @ParameterizedTest
        @ValueSource(strings = {
            "select email into archive from customers",
            "create table archive as select email from customers",
            "create view v as select email from customers",
            "explain select email from customers",
            "explain analyze select email from customers"})
        void statementsThatReturnNoRowsOfTheirQueryHaveNoOutputColumns(String sql) {
            assertThat(outputs(sql)).isEmpty();
        }

        @Test
        void explainKeepsItsQuerysLineageInTheInnerStatement() {
            StatementInfo explain = only("explain analyze select email from customers where phone = 'x'");
            assertPlain(explain.inner().get(0).outputColumns().get(0), "email", "customers.email");
            assertThat(explain.predicateColumns()).containsExactly(column("customers.phone"));
        }

        @Test
        void aCursorAndAPreparedStatementCarryTheRowsTheyWillReturn() {
            assertPlain(output("declare c cursor for select email from customers"), "email", "customers.email");
            assertPlain(output("prepare p as select email from customers where id = $1"), "email", "customers.email");
            assertPlain(AnalysisAssertions.only(MYSQL, "prepare p from 'select email from customers'")
                    .outputColumns().get(0), "email", "customers.email");
        }

        @Test
        void copyToTheClientReturnsItsQueryOrTableColumns() {
            assertPlain(output("copy (select email from customers) to stdout"), "email", "customers.email");
            List<OutputColumn> listed = outputs("copy customers (id, email) to stdout with (format csv)");
            assertPlain(listed.get(0), "id", "customers.id");
            assertPlain(listed.get(1), "email", "customers.email");
            assertStar(output("copy customers to stdout"), "customers");
            assertThat(outputs("copy customers to '/tmp/c.csv'")).isEmpty();
            assertThat(outputs("copy customers from stdin")).isEmpty();
        }
    }

    @Nested
    class Predicates {

        @Test
        void collectsTheColumnsOfWhereJoinGroupByHavingAndOrderBy() {
            StatementInfo info = only("select c.email, count(*) from customers c join orders o on o.cid = c.id "
                    + "where c.phone like '0%' group by c.email, c.region having max(o.total) > 10 order by c.name");
            assertThat(info.predicateColumns()).containsExactlyInAnyOrder(columns("orders.cid", "customers.id",
                    "customers.phone", "customers.email", "customers.region", "orders.total", "customers.name"));
        }

        @Test
        void leavesOutColumnsThatAreOnlySelected() {
            assertThat(only("select email, lower(phone) from customers where id = 1").predicateColumns())
                    .containsExactly(column("customers.id"));
            assertThat(only("select email from customers").predicateColumns()).isEmpty();
        }

        @Test
        void resolvesFiltersThroughDerivedTablesAndCtes() {
            assertThat(only("select * from (select lower(email) e from customers) x where x.e = 'a'").predicateColumns())
                    .containsExactly(column("customers.email"));
            assertThat(only("with a as (select email m from customers) select 1 from a order by m").predicateColumns())
                    .containsExactly(column("customers.email"));
        }

        @Test
        void includesFiltersOfSubqueriesAnywhere() {
            StatementInfo info = only("select (select max(total) from orders o where o.cid = c.id) from customers c "
                    + "where exists (select 1 from blocked b where b.email = c.email)");
            assertThat(info.predicateColumns()).containsExactlyInAnyOrder(
                    columns("orders.cid", "customers.id", "blocked.email", "customers.email"));
        }

        @Test
        void anOrderByPositionCountsEveryOutputSinceTheLiteralIsNotPartOfTheShape() {
            StatementInfo first = only("select lower(email) e, phone from customers order by 1");
            StatementInfo second = only("select lower(email) e, phone from customers order by 2");
            assertThat(first.predicateColumns()).containsExactlyInAnyOrder(columns("customers.email", "customers.phone"));
            assertThat(second).isEqualTo(first);
        }

        @Test
        void anOrderByAliasIsTheOutputsSources() {
            assertThat(only("select lower(email) as e from customers order by e").predicateColumns())
                    .contains(column("customers.email"));
            assertThat(only("select email from customers union select name from staff order by email").predicateColumns())
                    .containsExactlyInAnyOrder(columns("customers.email", "staff.name"));
        }

        @Test
        void aWholeRowComparisonOrNaturalJoinLooksAtEveryColumn() {
            assertThat(only("select 1 from customers c where c::text like '%x%'").predicateColumns())
                    .contains(new ColumnRef(table("customers"), "*"));
            assertThat(only("select 1 from customers natural join orders").predicateColumns())
                    .containsExactlyInAnyOrder(new ColumnRef(table("customers"), "*"), new ColumnRef(table("orders"), "*"));
        }

        @Test
        void dmlFiltersArePredicatesToo() {
            assertThat(only("update customers set a = 1 where email = 'x'").predicateColumns())
                    .containsExactly(column("customers.email"));
            assertThat(only("delete from customers where id in (select cid from orders where total > 1)").predicateColumns())
                    .contains(columns("customers.id", "orders.cid", "orders.total"));
            assertThat(only("merge into t using s on t.id = s.id when matched and s.flag then delete").predicateColumns())
                    .containsExactlyInAnyOrder(columns("t.id", "s.id", "s.flag"));
        }
    }

    @Nested
    class MySql {

        private List<OutputColumn> mysqlOutputs(String sql) {
            return AnalysisAssertions.only(MYSQL, sql).outputColumns();
        }

        @Test
        void readsBackticksAndDatabaseQualifiedTables() {
            List<OutputColumn> outputs = mysqlOutputs("select `Email`, shop.customers.id from shop.customers");
            assertPlain(outputs.get(0), "Email", "shop.customers.Email");
            assertPlain(outputs.get(1), "id", "shop.customers.id");
            assertPlain(mysqlOutputs("select c.`Phone` from `shop`.`customers` as c").get(0), "Phone",
                    "shop.customers.Phone");
        }

        @Test
        void namesAnExpressionByItsText() {
            OutputColumn output = mysqlOutputs("select lower(email) from customers").get(0);
            assertDerived(output, "lower(email)", "customers.email");
            assertDerived(mysqlOutputs("select x.`lower(email)` from (select lower(email) from customers) x").get(0),
                    "lower(email)", "customers.email");
        }

        @Test
        void derivesThroughGroupConcatAndIf() {
            List<OutputColumn> outputs = mysqlOutputs(
                    "select group_concat(email separator ','), if(vip, email, phone) from customers");
            assertThat(outputs.get(0).sources()).containsExactly(column("customers.email"));
            assertThat(outputs.get(1).sources())
                    .containsExactlyInAnyOrder(columns("customers.vip", "customers.email", "customers.phone"));
        }
    }

    @Nested
    class Caching {

        @Test
        void theLineageIsThatOfTheShapeWhateverTheLiterals() {
            SqlAnalyzer analyzer = new SqlAnalyzer(Dialect.POSTGRES);
            StatementInfo first = AnalysisAssertions.only(analyzer, "select substr(card, 1, 6) from c where id = 1");
            StatementInfo second = AnalysisAssertions.only(analyzer, "select substr(card, 2, 9) from c where id = 42");
            assertThat(second).isSameAs(first);
            assertThat(analyzer.cachedShapes()).isEqualTo(1);
        }
    }

    @Nested
    class Robustness {

        @Test
        void aStatementTooComplexToWorkOutGetsTheWidestLineageAndStaysReadable() {
            // a recursive CTE's body is walked once per round, so recursive CTEs nested in each
            // other's bodies multiply the work
            String sql = "select x from t0";
            for (int i = 1; i <= 12; i++) {
                sql = "with recursive r" + i + "(x) as (select x from (" + sql + ") q" + i + " union all select x from r" + i
                        + ") select x from r" + i;
            }
            long start = System.nanoTime();
            StatementInfo info = only(sql);
            assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds").isLessThan(5_000);
            OutputColumn output = info.outputColumns().get(0);
            assertThat(output.kind()).isEqualTo(Kind.UNKNOWN);
            assertThat(output.wholeRows()).containsExactly(table("t0"));
            assertThat(info.predicateColumns()).containsExactlyInAnyOrder(column("t0.x"), new ColumnRef(table("t0"), "*"));
        }

        static List<CorpusTest.Sample> queriesAndDml() {
            return CorpusTest.corpus().toList();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("queriesAndDml")
        void worksOutTheLineageOfEveryRealWorldQueryWithoutFallingBack(CorpusTest.Sample sample) {
            ParsedStatementAnalyzer parser = new ParsedStatementAnalyzer(sample.dialect(), 5_000);
            Tokens tokens = SqlLexer.lex(sample.sql(), sample.dialect());
            for (StatementSplitter.Range range : StatementSplitter.split(tokens)) {
                Shape shape = Shape.of(tokens, range.from(), range.to());
                if (shape.size() == 0 || !(shape.isAnyWord(0, "select", "with", "values", "table", "insert", "update",
                        "delete", "merge") || shape.is(0, TokenKind.LPAREN))) {
                    continue;
                }
                var statement = parser.parse(parser.render(shape, 0, shape.size()).sql());
                assertThatCode(() -> LineageWalker.lineage(sample.dialect(), statement)).as(sample.toString())
                        .doesNotThrowAnyException();
            }
        }
    }

    @Test
    void anOutputSaysWhetherAColumnMayFlowIntoIt() {
        List<OutputColumn> outputs = outputs("select lower(c.email), row_to_json(c), o.* from customers c, orders o");
        assertThat(outputs.get(0).derivesFrom(column("customers.email"))).isTrue();
        assertThat(outputs.get(0).derivesFrom(column("customers.phone"))).isFalse();
        assertThat(outputs.get(0).derivesFrom(new ColumnRef(table("customers"), "*"))).isTrue();
        assertThat(outputs.get(1).derivesFrom(column("customers.phone"))).isTrue();
        assertThat(outputs.get(2).derivesFrom(column("orders.total"))).isTrue();
        assertThat(outputs.get(2).derivesFrom(column("customers.email"))).isFalse();
    }

    @Test
    void outputColumnsAndPredicateColumnsAreImmutable() {
        StatementInfo info = only("select email from customers where id = 1");
        assertThat(info.outputColumns()).isUnmodifiable();
        assertThat(info.predicateColumns()).isUnmodifiable();
        assertThat(info.outputColumns().get(0).sources()).isUnmodifiable();
        assertThat(new StatementInfo(StatementKind.SHOW, "", Set.of(), Set.of(), java.util.Map.of(),
                WhereClause.NOT_APPLICABLE, Set.of(), Set.of(), List.of(), true).outputColumns()).isEmpty();
    }

    @Nested
    class WrittenValues {

        private List<OutputColumn> written(String sql) {
            return only(sql).writtenValues();
        }

        @Test
        void updateSetsAreWrittenValuesAndAColumnSetToItselfIsAConstant() {
            List<OutputColumn> values = written("update customers set city = lower(email), notes = 'x', phone = phone where id = 1");
            assertThat(values).hasSize(3);
            assertDerived(values.get(0), "city", "customers.email");
            assertThat(values.get(1).kind()).isEqualTo(Kind.CONSTANT);
            assertThat(values.get(2).kind()).as("phone = phone").isEqualTo(Kind.CONSTANT);
        }

        @Test
        void insertSelectWritesTheQuerysOutputsAndItsConditionsAreNotValues() {
            List<OutputColumn> values = written("insert into orders (id, product) select id, email from customers where phone like '+1%'");
            assertThat(values).hasSize(2);
            assertPlain(values.get(1), "email", "customers.email");
            assertThat(values).noneMatch(v -> v.derivesFrom(column("customers.phone")));
            assertThat(written("insert into t values (1, 'a')")).allMatch(v -> v.kind() == Kind.CONSTANT);
        }

        @Test
        void selectIntoMergeUpsertAndDataModifyingCtesWriteValues() {
            assertPlain(written("select email into temp loot from customers").get(0), "email", "customers.email");
            assertThat(only("select email into temp loot from customers").outputColumns()).isEmpty();
            assertThat(written("merge into t using customers c on t.id = c.id when matched then update set v = c.phone"))
                    .anyMatch(v -> v.derivesFrom(column("customers.phone")));
            assertThat(written("merge into t using customers c on t.id = c.id when not matched then insert (id, v) values (c.id, c.email)"))
                    .anyMatch(v -> v.derivesFrom(column("customers.email")));
            assertThat(written("with m as (update customers set notes = full_name returning id) select count(*) from m"))
                    .anyMatch(v -> v.derivesFrom(column("customers.full_name")));
            assertThat(written("update t set (a, b) = (select email, phone from customers limit 1)"))
                    .anyMatch(v -> v.derivesFrom(column("customers.email")) && v.derivesFrom(column("customers.phone")));
        }

        @Test
        void deletesAndReadsWriteNoValues() {
            assertThat(written("delete from customers where email = 'a@example.com' returning phone")).isEmpty();
            assertThat(written("select email from customers")).isEmpty();
        }
    }
}

package dev.parapet.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parapet.masking.ColumnType;
import dev.parapet.masking.DataClass;
import dev.parapet.masking.MaskAction;
import dev.parapet.policy.Dialect;
import dev.parapet.policy.MaskingDirective;
import dev.parapet.policy.SqlAnalyzer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskPlannerTest {

    private final MaskPlanner planner = MaskPlanner.withEphemeralKey();
    private final SqlAnalyzer analyzer = new SqlAnalyzer(Dialect.POSTGRES);
    private final MaskingDirective detectAll = new MaskingDirective("mask", Map.of(), Map.of(), true);

    private MaskPlan plan(String sql, ResultColumn... columns) {
        return planner.plan(planner.forStatement(detectAll, analyzer.analyze(sql)), List.of(columns));
    }

    private static ResultColumn traced(String table, String column, ColumnType type) {
        return new ResultColumn("public", table, column, column, type);
    }

    private static ResultColumn computed(String label, ColumnType type) {
        return ResultColumn.untraced(label, type);
    }

    @Test
    void masksTracedColumnsByNameAndScansOtherText() {
        MaskPlan plan = plan("select id, email, notes from customers", traced("customers", "id", ColumnType.integer(4)),
                traced("customers", "email", ColumnType.varchar(120)), traced("customers", "notes", ColumnType.text()));
        assertThat(plan.actions().get(0)).isNull();
        assertThat(plan.actions().get(1)).isEqualTo(MaskAction.WholeValue.of(DataClass.EMAIL));
        assertThat(plan.actions().get(2)).isInstanceOf(MaskAction.ScanContent.class);
    }

    @Test
    void computedColumnsInheritTheClassOfWhatTheyAreComputedFromAndNothingElse() {
        MaskPlan plan = plan("select email, count(*), lower(email), length(full_name) from customers group by email, full_name",
                traced("customers", "email", ColumnType.text()), computed("count", ColumnType.integer(8)),
                computed("lower", ColumnType.text()), computed("length", ColumnType.integer(4)));
        assertThat(plan.actions().get(1)).as("count(*) reads nothing sensitive").isNull();
        assertThat(plan.actions().get(2)).isEqualTo(MaskAction.WholeValue.of(DataClass.EMAIL));
        assertThat(plan.actions().get(3)).isInstanceOfSatisfying(MaskAction.WholeValue.class,
                w -> assertThat(w.dataClass()).isEqualTo(DataClass.PERSON_NAME));
    }

    @Test
    void mixedSourcesWholeRowsAndUntracedStarsAreRedacted() {
        MaskPlan union = plan("select email from customers union all select card_number from payment_cards",
                computed("email", ColumnType.text()));
        assertThat(union.actions().get(0)).isInstanceOfSatisfying(MaskAction.WholeValue.class,
                w -> assertThat(w.dataClass()).isEqualTo(DataClass.SECRET));
        MaskPlan json = plan("select c.id, row_to_json(c) from customers c", traced("customers", "id", ColumnType.integer(4)),
                computed("row_to_json", ColumnType.of(ColumnType.Family.JSON)));
        assertThat(json.actions().get(1)).as("JSON of whole rows is masked key by key").isInstanceOf(MaskAction.JsonFields.class);
        MaskPlan record = plan("select c from customers c", computed("c", ColumnType.of(ColumnType.Family.OTHER)));
        assertThat(record.actions().get(0)).as("a record literal cannot be read key by key").isInstanceOfSatisfying(
                MaskAction.WholeValue.class, w -> assertThat(w.dataClass()).isEqualTo(DataClass.SECRET));
    }

    @Test
    void aStarSpanIsAlignedFromBothEnds() {
        MaskPlan plan = plan("select 1 as one, *, lower(email) from customers", computed("one", ColumnType.integer(4)),
                traced("customers", "id", ColumnType.integer(4)), traced("customers", "email", ColumnType.text()),
                traced("customers", "city", ColumnType.text()), computed("lower", ColumnType.text()));
        assertThat(plan.actions().get(0)).isNull();
        assertThat(plan.actions().get(2)).isEqualTo(MaskAction.WholeValue.of(DataClass.EMAIL));
        assertThat(plan.actions().get(4)).isEqualTo(MaskAction.WholeValue.of(DataClass.EMAIL));
    }

    private java.util.Optional<String> sideDoor(String sql) {
        return planner.forStatement(detectAll, analyzer.analyze(sql)).sideDoor();
    }

    @Test
    void writesThatCarryMaskedValuesAnywhereAreRefused() {
        for (String sql : List.of("update customers set city = email where id = 1",
                "update customers set city = lower(email) || 'x'",
                "update customers set (city, notes) = (select email, phone from customers c2 where c2.id = customers.id)",
                "update orders o set product = c.phone from customers c where c.id = o.customer_id",
                "update orders set product = (select max(card_number) from payment_cards)",
                "update orders set product = 'x' || (select count(*) from customers where email like 'a%')",
                "insert into orders (id, product) select id, email from customers",
                "insert into notes_copy select * from customers",
                "insert into orders (id, product) values (1, (select email from customers limit 1))",
                "insert into t (a) select x from (select full_name x from customers) s",
                "with moved as (update customers set notes = email returning id) select count(*) from moved",
                "select email into temp loot from customers",
                "merge into orders o using customers c on o.customer_id = c.id when matched then update set product = c.email",
                "merge into t using customers c on t.id = c.id when not matched then insert (id, v) values (c.id, c.phone)",
                "insert into t (id, v) values (1, 'x') on conflict (id) do update set v = (select email from customers limit 1)",
                "create table loot as select id, email from customers",
                "create view v as select lower(email) e from customers")) {
            assertThat(sideDoor(sql)).as(sql).isPresent();
        }
    }

    @Test
    void mysqlUserVariablesFedByMaskedColumnsAreRefused() {
        SqlAnalyzer mysql = new SqlAnalyzer(Dialect.MYSQL);
        for (String sql : List.of("set @n = (select full_name from customers where id = 1)",
                "set @a = 1, @n := (select email from customers limit 1)",
                "do @n := (select phone from customers limit 1)",
                "select @n := full_name from customers where id = 1",
                "select id, @e := lower(email) as e from customers",
                "select full_name into @n from customers where id = 1")) {
            assertThat(planner.forStatement(detectAll, mysql.analyze(sql)).sideDoor()).as(sql).isPresent();
        }
        for (String sql : List.of("set @n = 1", "set @n = (select count(*) from customers)", "select @n",
                "select email from customers where id = @n", "set @n := 'a@b.example'")) {
            assertThat(planner.forStatement(detectAll, mysql.analyze(sql)).sideDoor()).as(sql).isEmpty();
        }
    }

    @Test
    void writesThatOnlyNameMaskedColumnsToFindTheirRowsOrReturnThemAreNot() {
        // RETURNING comes back masked like any result; conditions leak only by inference (deny-predicates)
        for (String sql : List.of("update customers set city = 'Paris' where id = 3 returning email, phone",
                "update customers set city = city where id <= 20 returning *",
                "update customers set notes = null where email = 'a@example.com'",
                "delete from customers where phone like '+33%' returning full_name",
                "insert into customers (id, full_name, email) values (9, 'Ann Lee', 'ann@example.com') returning email",
                "insert into orders (id, customer_id, product) select 9, id, 'gift' from customers where email like '%@example.com'",
                "with gone as (delete from payment_cards where card_number like '4%' returning id) select count(*) from gone",
                "update customers set city = city where id <= 20 returning id, email, phone",
                "BEGIN;update customers set city = city where id <= 20 returning id, email, phone",
                "update customers set city = city where id <= 20 returning lower(email) || phone",
                "update payment_cards set brand = brand where id <= 5 returning card_number",
                "delete from customers c where id = 990002 or id <= 3 and false returning c.*",
                "insert into customers (id, full_name, email, phone, city, created_at) values (990001, 'Zed Q', 'zed.q@example.com', '+33 6 12 34 56 78', 'Lyon', now()) returning email, phone",
                "insert into customers (id, full_name, email, phone, city, created_at) values ($1, $2, $3, $4, $5, now()) returning email, phone")) {
            assertThat(sideDoor(sql)).as(sql).isEmpty();
        }
    }
}

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
}

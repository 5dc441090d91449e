package dev.parapet.core;

import dev.parapet.masking.ColumnType;
import dev.parapet.masking.MaskAction;
import java.util.List;

/**
 * What to do with each column of one result: a {@link MaskAction}, or null to forward the column
 * as it is. Decided once per result, applied to every row. Immutable.
 *
 * @param actions per column, in order
 * @param types the declared type of each column
 * @param reasons per masked column, why (for the audit trail and the logs): "customers.email: email"
 */
public record MaskPlan(List<MaskAction> actions, List<ColumnType> types, List<String> reasons) {

    public MaskPlan {
        actions = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(actions));
        types = List.copyOf(types);
        reasons = List.copyOf(reasons);
    }

    /** Whether no column needs anything: rows go through untouched. */
    public boolean masksNothing() {
        return actions.stream().allMatch(java.util.Objects::isNull);
    }
}

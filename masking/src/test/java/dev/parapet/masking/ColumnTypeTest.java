package dev.parapet.masking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parapet.masking.ColumnType.Family;
import dev.parapet.masking.ColumnType.Nullability;
import org.junit.jupiter.api.Test;

class ColumnTypeTest {

    @Test
    void describesCommonDeclarations() {
        assertThat(ColumnType.varchar(20)).isEqualTo(new ColumnType(Family.TEXT, 0, 20, Nullability.UNKNOWN));
        assertThat(ColumnType.character(2).family()).isEqualTo(Family.CHAR);
        assertThat(ColumnType.of(Family.INTEGER).integerBytes()).isEqualTo(8);
        assertThat(ColumnType.text().withNullability(Nullability.NOT_NULL).nullability()).isEqualTo(Nullability.NOT_NULL);
    }

    @Test
    void refusesImpossibleDeclarations() {
        assertThatThrownBy(() -> ColumnType.integer(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ColumnType(Family.DATE, 0, 10, Nullability.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ColumnType(Family.TEXT, 4, 0, Nullability.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ColumnType.varchar(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyFreeTextTypesAreScanned() {
        assertThat(ColumnType.text().isTextual()).isTrue();
        assertThat(ColumnType.of(Family.JSON).isTextual()).isTrue();
        assertThat(ColumnType.of(Family.OTHER).isTextual()).isTrue();
        assertThat(ColumnType.of(Family.UUID).isTextual()).isFalse();
        assertThat(ColumnType.integer(4).isTextual()).isFalse();
    }
}

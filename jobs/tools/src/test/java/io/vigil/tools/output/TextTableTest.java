package io.vigil.tools.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCellAndLinesHaveNoTrailingBlanks() {
        String table = new TextTable("name", "n", "note")
                .row("a", "12", "")
                .row("longer", "3", "x")
                .toString();
        assertThat(table).isEqualTo("""
                name    n   note
                a       12
                longer  3   x
                """);
    }

    @Test
    void aRuleGoesBeforeTheRowAddedAfterItAcrossTheWholeTable() {
        String table = new TextTable("dataset", "alerts")
                .row("one", "1")
                .row("two", "22")
                .rule()
                .row("all", "23")
                .toString();
        assertThat(table).isEqualTo("""
                dataset  alerts
                one      1
                two      22
                ---------------
                all      23
                """);
    }

    @Test
    void aRowMustFillEveryColumn() {
        TextTable table = new TextTable("a", "b");
        assertThatThrownBy(() -> table.row("only one")).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isZero();
    }
}

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
    void controlCharactersInCellsAreShownEscapedAndKeepTheTableOneLineARow() {
        String table = new TextTable("job", "n")
                .row("a\u001b[2J\r\nb\u202e", "1")
                .row("c", "2")
                .toString();
        assertThat(table).isEqualTo("""
                job                    n
                a\\u001b[2J\\r\\nb\\u202e  1
                c                      2
                """);
    }

    @Test
    void aRowMustFillEveryColumn() {
        TextTable table = new TextTable("a", "b");
        assertThatThrownBy(() -> table.row("only one")).isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isZero();
    }
}

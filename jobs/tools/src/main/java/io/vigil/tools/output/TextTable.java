package io.vigil.tools.output;

import io.vigil.records.Printable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tables the verbs print on stdout: left-aligned columns two spaces apart, no trailing blanks, and
 * optionally a rule of dashes before a row (a pooled line under the per-dataset ones). Cells hold job ids,
 * dataset and file names from data: each is {@link Printable#escape escaped}, so no control character in one
 * reaches the terminal or breaks the table's lines.
 */
public final class TextTable {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;
    private int ruleBefore = -1;

    /** A table with these column headings; every row has as many cells. */
    public TextTable(String... headings) {
        columns = headings.length;
        rows.add(printable(headings));
    }

    public TextTable row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException(cells.length + " cells in a table of " + columns + " columns");
        }
        rows.add(printable(cells));
        return this;
    }

    /** A rule under the rows so far, as wide as the table; one per table. */
    public TextTable rule() {
        ruleBefore = rows.size();
        return this;
    }

    /** Rows under the headings. */
    public int size() {
        return rows.size() - 1;
    }

    private static String[] printable(String[] cells) {
        return Arrays.stream(cells)
                .map(c -> c == null ? "" : Printable.escape(c))
                .toArray(String[]::new);
    }

    /** The table, each line ending in a newline. */
    @Override
    public String toString() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            if (i == ruleBefore) {
                int width = 2 * (columns - 1);
                for (int w : widths) {
                    width += w;
                }
                out.append("-".repeat(width)).append('\n');
            }
            String[] row = rows.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}

package io.jshim.engine.cli;

import java.util.List;

/**
 * Go's text/tabwriter as runc configures it for {@code list} (minwidth 12,
 * tabwidth 1, padding 3, padchar ' '): every column but the last is as wide as
 * max(minwidth, widest cell + padding); the last is not padded.
 */
final class TabWriter {
    private TabWriter() {
    }

    static String format(List<String[]> rows, int minWidth, int padding) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int c = 0; c < cols - 1; c++) {
                width[c] = Math.max(width[c], Math.max(minWidth, r[c].length() + padding));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int c = 0; c < cols; c++) {
                sb.append(r[c]);
                if (c < cols - 1) {
                    sb.append(" ".repeat(width[c] - r[c].length()));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}

package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TabWriterTest {
    @Test
    void emptyListHeaderMatchesRunc() {
        String h = TabWriter.format(List.<String[]>of(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED",
            "OWNER"}), 12, 3);
        assertEquals("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n", h);
    }

    @Test
    void widensColumnsToWidestCellPlusPadding() {
        String t = TabWriter.format(List.of(new String[] {"ID", "BUNDLE", "OWNER"},
                new String[] {"aa", "/path/to/bundle", "root"}), 12, 3);
        assertEquals("ID          BUNDLE            OWNER\naa          /path/to/bundle   root\n", t);
    }
}

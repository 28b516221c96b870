package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuncLogTest {
    @Test
    void jsonLinesHaveRuncsKeysInOrder() {
        RuncLog log = new RuncLog(null, true, false, System.err);
        String line = log.format("error", "container <x> does not exist", Instant.parse("2026-11-28T17:01:30Z"));
        assertTrue(line.matches("\\{\"level\":\"error\",\"msg\":\"container \\\\u003cx\\\\u003e does not exist\","
                + "\"time\":\"2026-11-28T\\d\\d:\\d\\d:30(Z|[+-]\\d\\d:\\d\\d)\"}"), line);
    }

    @Test
    void textLinesQuoteLikeLogrus() {
        assertEquals("plain", RuncLog.logfmt("plain"));
        assertEquals("\"two words\"", RuncLog.logfmt("two words"));
        assertEquals("\"say \\\"hi\\\"\"", RuncLog.logfmt("say \"hi\""));
    }

    @Test
    void withLogFileTheLineGoesThereAndTheBareMessageToStderr(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path f = dir.resolve("log.json");
        new RuncLog(f.toString(), true, false, new PrintStream(err, true)).error("boom");
        assertEquals("boom\n", err.toString());
        assertTrue(Files.readString(f).startsWith("{\"level\":\"error\",\"msg\":\"boom\",\"time\":"));
    }
}

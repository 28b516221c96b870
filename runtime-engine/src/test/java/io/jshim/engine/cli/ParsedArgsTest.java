package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParsedArgsTest {
    private static final List<Flag> FLAGS = List.of(Flag.value("", "bundle", "b"), Flag.bool("", "detach", "d"),
            Flag.value("", "format", "f"));

    @Test
    void acceptsEveryFlagSpellingUrfaveAccepts() throws Exception {
        ParsedArgs a = ParsedArgs.parse(List.of("-b", "/x", "id", "--detach", "--format=json"), FLAGS, false);
        assertEquals("/x", a.value("bundle"));
        assertTrue(a.bool("detach"));
        assertEquals("json", a.value("format"));
        assertEquals(List.of("id"), a.positional());
        assertEquals("/y", ParsedArgs.parse(List.of("-bundle", "/y"), FLAGS, false).value("bundle"));
        assertEquals("/z", ParsedArgs.parse(List.of("--bundle", "/z"), FLAGS, false).value("bundle"));
    }

    @Test
    void stopsAtFirstArgumentForExecAndPs() throws Exception {
        ParsedArgs a = ParsedArgs.parse(List.of("-f", "json", "id", "-f", "x"), FLAGS, true);
        assertEquals("json", a.value("format"));
        assertEquals(List.of("id", "-f", "x"), a.positional());
    }

    @Test
    void unknownFlagAndMissingValueAreUsageErrors() {
        assertThrows(UsageException.class, () -> ParsedArgs.parse(List.of("--bogus"), FLAGS, false));
        assertThrows(UsageException.class, () -> ParsedArgs.parse(List.of("--bundle"), FLAGS, false));
        assertThrows(UsageException.class, () -> ParsedArgs.parse(List.of("--detach=maybe"), FLAGS, false));
    }

    @Test
    void doubleDashEndsFlags() throws Exception {
        assertEquals(List.of("--detach"), ParsedArgs.parse(List.of("--", "--detach"), FLAGS, false).positional());
    }
}

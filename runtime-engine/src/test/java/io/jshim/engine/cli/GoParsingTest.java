package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Go's duration and go-units' size parsing, as runc's flags take them. */
class GoParsingTest {
    @Test
    void durationsAsTimeParseDuration() {
        assertEquals(Duration.ofSeconds(5), GoDuration.parse("5s"));
        assertEquals(Duration.ofMillis(100), GoDuration.parse("100ms"));
        assertEquals(Duration.ofMinutes(1), GoDuration.parse("1m"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofMillis(290), GoDuration.parse(".29s"));
        assertEquals(Duration.ofNanos(3_000), GoDuration.parse("3\u00b5s"));
        assertEquals(Duration.ofSeconds(-1), GoDuration.parse("-1s"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse("-0"));
        assertEquals(Duration.ofHours(2562047).plusMinutes(47).plusSeconds(16).plusNanos(854775807),
                GoDuration.parse("9223372036854775807ns"));
    }

    @Test
    void badDurationsWordedAsGo() {
        assertEquals("time: invalid duration \"abc\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("abc")).getMessage());
        assertEquals("time: missing unit in duration \"5\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5")).getMessage());
        assertEquals("time: unknown unit \"x\" in duration \"5x\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5x")).getMessage());
        assertEquals("time: invalid duration \"\"",
                assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("."));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("9223372036854775808ns"));
    }

    @Test
    void sizesAsRamInBytes() {
        assertEquals(256L << 20, GoUnits.ramInBytes("256m"));
        assertEquals(256L << 20, GoUnits.ramInBytes("256M"));
        assertEquals(1L << 30, GoUnits.ramInBytes("1GiB"));
        assertEquals(1L << 30, GoUnits.ramInBytes("1 gb"));
        assertEquals((long) (1.5 * (1L << 30)), GoUnits.ramInBytes("1.5g"));
        assertEquals(104857600, GoUnits.ramInBytes("104857600"));
        assertEquals(10, GoUnits.ramInBytes("10b"));
        assertEquals("invalid size: 'abc'",
                assertThrows(IllegalArgumentException.class, () -> GoUnits.ramInBytes("abc")).getMessage());
        assertEquals("invalid size: '-5'",
                assertThrows(IllegalArgumentException.class, () -> GoUnits.ramInBytes("-5")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> GoUnits.ramInBytes("1.2.3m"));
        assertThrows(IllegalArgumentException.class, () -> GoUnits.ramInBytes("99999999p"));
    }
}

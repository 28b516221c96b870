package io.jshim.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SignalsTest {
    @Test
    void parsesNamesCaseInsensitivelyWithOrWithoutSig() {
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(10, Signals.parse("usr1"));
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(9, Signals.parse("9"));
        assertEquals(-1, Signals.parse("BOGUS"));
        assertEquals(-1, Signals.parse("-3"));
    }
}

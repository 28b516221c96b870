package io.jshim.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
    @Test
    void rfc3339NanoTrimsTrailingZerosLikeGo() {
        assertEquals("2026-11-28T17:05:12.80992352Z", Timestamps.rfc3339Nano(Instant.parse("2026-11-28T17:05:12.809923520Z")));
        assertEquals("2026-11-28T17:05:12.1Z", Timestamps.rfc3339Nano(Instant.parse("2026-11-28T17:05:12.100Z")));
        assertEquals("2026-11-28T17:05:12Z", Timestamps.rfc3339Nano(Instant.parse("2026-11-28T17:05:12Z")));
    }
}

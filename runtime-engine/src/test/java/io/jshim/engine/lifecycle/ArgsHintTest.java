package io.jshim.engine.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsHintTest {
    @Test
    void suggestsSplittingOneStringHoldingASpace() {
        String hint = ArgsHint.forLookupFailure(List.of("sleep 10"),
                "exec: \"sleep 10\": executable file not found in $PATH");
        assertTrue(hint.contains("\"args\": [\"sleep\", \"10\"]"), hint);
        assertTrue(hint.contains("\"sleep 10\""), hint);
    }

    @Test
    void saysNothingForOrdinaryFailures() {
        assertEquals("", ArgsHint.forLookupFailure(List.of("/nonexistent"),
                "exec: \"/nonexistent\": stat /nonexistent: no such file or directory"));
        assertEquals("", ArgsHint.forLookupFailure(List.of("a b"), "permission denied"));
    }
}

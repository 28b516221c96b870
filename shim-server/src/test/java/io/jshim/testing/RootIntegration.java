package io.jshim.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jshim.ttrpc.CurrentProcess;

/** Gate for tests that need root and real system software: skipped as non-root or with JSHIM_IT_SKIP=1. */
public final class RootIntegration {

    private RootIntegration() {
    }

    public static void assumeEnabled() {
        assumeFalse("1".equals(System.getenv("JSHIM_IT_SKIP")), "JSHIM_IT_SKIP=1");
        assumeTrue(CurrentProcess.isRoot(), "needs root (CI runs as root)");
    }
}

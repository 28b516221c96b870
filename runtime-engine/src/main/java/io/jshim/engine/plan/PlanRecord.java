package io.jshim.engine.plan;

/**
 * One frame of an init plan: its tag, its encoded payload, and a readable form
 * for tests and {@code --debug} logs.
 */
public record PlanRecord(int tag, byte[] payload, String describe) {
    @Override
    public String toString() {
        return describe;
    }
}

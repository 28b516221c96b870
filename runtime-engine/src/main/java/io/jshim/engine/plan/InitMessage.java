package io.jshim.engine.plan;

/** A message from jshim-init: its tag and payload. */
public record InitMessage(int tag, byte[] payload) {
    public int u32(int offset) {
        return (payload[offset] & 0xff) | (payload[offset + 1] & 0xff) << 8 | (payload[offset + 2] & 0xff) << 16
                | (payload[offset + 3] & 0xff) << 24;
    }

    /** The NUL-terminated string starting at offset. */
    public String str(int offset) {
        int end = offset;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return new String(payload, offset, end - offset, java.nio.charset.StandardCharsets.UTF_8);
    }
}

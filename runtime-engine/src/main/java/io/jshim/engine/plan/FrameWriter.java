package io.jshim.engine.plan;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds one little-endian payload in sync_protocol.h's encodings. */
final class FrameWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    FrameWriter u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    FrameWriter u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    FrameWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            if (x == 0) {
                throw new IllegalArgumentException("string contains a NUL byte: " + s);
            }
        }
        out.writeBytes(b);
        out.write(0);
        return this;
    }

    FrameWriter strv(List<String> v) {
        u32(v.size());
        for (String s : v) {
            str(s);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** The whole frame: u16 tag, u32 length, payload. */
    static byte[] frame(int tag, byte[] payload) {
        byte[] f = new byte[SyncProtocol.HEADER_SIZE + payload.length];
        f[0] = (byte) tag;
        f[1] = (byte) (tag >>> 8);
        for (int i = 0; i < 4; i++) {
            f[2 + i] = (byte) (payload.length >>> (8 * i));
        }
        System.arraycopy(payload, 0, f, SyncProtocol.HEADER_SIZE, payload.length);
        return f;
    }
}

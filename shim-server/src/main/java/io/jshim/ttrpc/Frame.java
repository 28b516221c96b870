package io.jshim.ttrpc;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One ttrpc frame: the 10-byte header fields and the data that follows them.
 *
 * <pre>
 * +----------------+----------------+-----------+-----------+------------------+
 * | length (u32 BE)| stream id (u32)| type (u8) | flags (u8)| data (length)    |
 * +----------------+----------------+-----------+-----------+------------------+
 * </pre>
 *
 * @param streamId the stream id as an unsigned 32-bit value held in an int (compare with
 *                 {@link Integer#compareUnsigned}); clients use odd ids
 * @param type     {@link MessageType} value; unknown values are kept so the receiver can ignore them
 * @param flags    type-specific flags; 0 on unary requests and on every response
 * @param data     the frame's data, at most {@link #MAX_DATA_LENGTH} bytes
 */
public record Frame(int streamId, byte type, byte flags, byte[] data) {

    /** Header size in bytes (ttrpc channel.go messageHeaderLength). */
    public static final int HEADER_LENGTH = 10;
    /** Largest data length either side may send or accept: 4 MiB (ttrpc channel.go messageLengthMax). */
    public static final int MAX_DATA_LENGTH = 4 << 20;

    /** Request flag: non-unary, no more data expected from the remote (ttrpc 1.2, flagRemoteClosed). */
    public static final byte FLAG_REMOTE_CLOSED = 0x1;
    /** Request flag: non-unary, the remote is still sending data (ttrpc 1.2, flagRemoteOpen). */
    public static final byte FLAG_REMOTE_OPEN = 0x2;
    /** Data flag: the frame carries no data (ttrpc 1.2, flagNoData). */
    public static final byte FLAG_NO_DATA = 0x4;

    private static final byte[] NO_DATA = new byte[0];

    public Frame {
        data = data == null ? NO_DATA : data;
    }

    public static Frame request(int streamId, byte[] data) {
        return new Frame(streamId, MessageType.REQUEST, (byte) 0, data);
    }

    public static Frame response(int streamId, byte[] data) {
        return new Frame(streamId, MessageType.RESPONSE, (byte) 0, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.streamId == streamId && f.type == type && f.flags == flags
                && Arrays.equals(f.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * streamId + type) + flags) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String shown = data.length <= 32 ? HexFormat.of().formatHex(data) : data.length + " bytes";
        return "Frame[stream=" + Integer.toUnsignedString(streamId) + ", " + MessageType.name(type)
                + ", flags=" + Byte.toUnsignedInt(flags) + ", data=" + shown + "]";
    }
}

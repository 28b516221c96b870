package io.jshim.ttrpc;

/**
 * The frame types of ttrpc (containerd/ttrpc {@code channel.go}: messageTypeRequest, messageTypeResponse,
 * messageTypeData). Data frames exist from ttrpc 1.2 on and belong to streams, which the Task service
 * does not use.
 */
public final class MessageType {

    public static final byte REQUEST = 0x1;
    public static final byte RESPONSE = 0x2;
    public static final byte DATA = 0x3;

    private MessageType() {
    }

    static String name(byte type) {
        return switch (type) {
            case REQUEST -> "request";
            case RESPONSE -> "response";
            case DATA -> "data";
            default -> "unknown(" + Byte.toUnsignedInt(type) + ")";
        };
    }
}

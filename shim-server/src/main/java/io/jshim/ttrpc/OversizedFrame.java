package io.jshim.ttrpc;

/**
 * What {@link FrameDecoder} emits in place of a frame whose header announced more than
 * {@link Frame#MAX_DATA_LENGTH} bytes, once those bytes have been read and thrown away. Go's ttrpc does
 * the same (channel.go {@code recv}: discard the body, then report RESOURCE_EXHAUSTED for that stream),
 * so the connection stays usable.
 *
 * @param streamId the stream id from the discarded frame's header
 * @param type     the message type from the discarded frame's header
 * @param length   the announced data length, unsigned
 */
public record OversizedFrame(int streamId, byte type, long length) {

    /** The status message Go's ttrpc uses (channel.go recv, errors.go OversizedMessageError). */
    public String statusMessage() {
        return messageFor(length);
    }

    static String messageFor(long length) {
        return "message length " + length + " exceed maximum message size of " + Frame.MAX_DATA_LENGTH;
    }
}

package io.jshim.ttrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Frame}s as header plus data. Like ttrpc 1.2.6 and later (channel.go {@code send},
 * errors.go {@code OversizedMessageError}) it refuses to send more than {@link Frame#MAX_DATA_LENGTH}
 * bytes; callers check the size first so that such a refusal never reaches the wire.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {

    public FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        byte[] data = frame.data();
        if (data.length > Frame.MAX_DATA_LENGTH) {
            throw new EncoderException(OversizedFrame.messageFor(data.length));
        }
        out.ensureWritable(Frame.HEADER_LENGTH + data.length);
        out.writeInt(data.length);
        out.writeInt(frame.streamId());
        out.writeByte(frame.type());
        out.writeByte(frame.flags());
        out.writeBytes(data);
    }
}

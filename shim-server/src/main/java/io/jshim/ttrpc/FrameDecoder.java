package io.jshim.ttrpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into {@link Frame}s.
 *
 * <p>A header announcing more than {@link Frame#MAX_DATA_LENGTH} bytes does not end the connection: as
 * in Go's ttrpc (channel.go {@code recv}) the announced bytes are skipped as they arrive and an
 * {@link OversizedFrame} is emitted once all of them are gone, so the receiver can answer that stream
 * with RESOURCE_EXHAUSTED. Skipping never buffers more than what the socket delivered.
 *
 * <p>A connection that ends in the middle of a header, a body or a skipped body is reported with
 * {@link TruncatedFrameException}; the handlers behind then close that one connection.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private long bytesToSkip;
    private int skippedStreamId;
    private byte skippedType;
    private long skippedLength;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            if (bytesToSkip > 0) {
                int n = (int) Math.min(bytesToSkip, in.readableBytes());
                in.skipBytes(n);
                bytesToSkip -= n;
                if (bytesToSkip > 0) {
                    return;
                }
                out.add(new OversizedFrame(skippedStreamId, skippedType, skippedLength));
                continue;
            }
            if (in.readableBytes() < Frame.HEADER_LENGTH) {
                return;
            }
            int start = in.readerIndex();
            long length = in.getUnsignedInt(start);
            int streamId = in.getInt(start + 4);
            byte type = in.getByte(start + 8);
            byte flags = in.getByte(start + 9);
            if (length > Frame.MAX_DATA_LENGTH) {
                in.skipBytes(Frame.HEADER_LENGTH);
                bytesToSkip = length;
                skippedStreamId = streamId;
                skippedType = type;
                skippedLength = length;
                continue;
            }
            if (in.readableBytes() < Frame.HEADER_LENGTH + length) {
                return;
            }
            in.skipBytes(Frame.HEADER_LENGTH);
            byte[] data = new byte[(int) length];
            in.readBytes(data);
            out.add(new Frame(streamId, type, flags, data));
        }
    }

    /** Bytes received but not yet part of an emitted frame; never more than one frame's worth. */
    int bufferedBytes() {
        return internalBuffer().readableBytes();
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (bytesToSkip > 0 || in.isReadable()) {
            long pending = bytesToSkip > 0 ? bytesToSkip : in.readableBytes();
            in.skipBytes(in.readableBytes());
            bytesToSkip = 0;
            throw new TruncatedFrameException("connection closed inside a frame (" + pending + " bytes pending)");
        }
    }
}

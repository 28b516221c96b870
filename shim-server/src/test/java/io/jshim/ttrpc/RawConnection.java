package io.jshim.ttrpc;

import io.jshim.proto.ttrpc.Request;
import io.jshim.proto.ttrpc.Response;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A ttrpc peer made of plain JDK socket calls, independent of the netty code under test: it writes any
 * bytes it is told to, well-formed or not, and reads frames back byte by byte.
 */
final class RawConnection implements AutoCloseable {

    private final SocketChannel channel;
    private final ExecutorService reader = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());

    private RawConnection(SocketChannel channel) {
        this.channel = channel;
    }

    static RawConnection connect(Path socket) throws IOException {
        return new RawConnection(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    void writeFrame(int streamId, byte type, byte flags, byte[] data) throws IOException {
        write(header(data.length, streamId, type, flags));
        write(data);
    }

    void writeRequest(int streamId, Request request) throws IOException {
        writeFrame(streamId, MessageType.REQUEST, (byte) 0, request.toByteArray());
    }

    static byte[] header(long length, int streamId, byte type, byte flags) {
        return ByteBuffer.allocate(Frame.HEADER_LENGTH)
                .putInt((int) length).putInt(streamId).put(type).put(flags).array();
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Reads one frame, failing after {@code timeout}. */
    Frame readFrame(Duration timeout) throws Exception {
        Future<Frame> frame = reader.submit(() -> {
            ByteBuffer header = readFully(Frame.HEADER_LENGTH);
            int length = header.getInt();
            int streamId = header.getInt();
            byte type = header.get();
            byte flags = header.get();
            return new Frame(streamId, type, flags, readFully(length).array());
        });
        try {
            return frame.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            frame.cancel(true);
            throw e;
        }
    }

    Response readResponse(int expectedStreamId, Duration timeout) throws Exception {
        Frame frame = readFrame(timeout);
        if (frame.streamId() != expectedStreamId || frame.type() != MessageType.RESPONSE) {
            throw new AssertionError("expected a response on stream " + expectedStreamId + ", got " + frame);
        }
        return Response.parseFrom(frame.data());
    }

    /** True if the server closes the connection (EOF) within {@code timeout}. */
    boolean closedByPeerWithin(Duration timeout) throws Exception {
        Future<Boolean> eof = reader.submit(() -> {
            ByteBuffer one = ByteBuffer.allocate(1);
            return channel.read(one) == -1;
        });
        try {
            return eof.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            eof.cancel(true);
            return false;
        }
    }

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("connection closed after " + buffer.position() + " of " + n + " bytes");
            }
        }
        return buffer.flip();
    }

    @Override
    public void close() throws IOException {
        reader.shutdownNow();
        channel.close();
    }
}

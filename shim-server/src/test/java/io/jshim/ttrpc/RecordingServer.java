package io.jshim.ttrpc;

import io.jshim.proto.ttrpc.Request;
import io.jshim.proto.ttrpc.Response;
import com.google.protobuf.ByteString;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ttrpc server made of plain JDK socket calls that records every request frame in arrival order and
 * echoes the payload back, so client tests can look at exactly what went over the wire.
 */
final class RecordingServer implements AutoCloseable {

    record Received(int connection, int streamId, Request request) {
    }

    private final ServerSocketChannel listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** Requests for this method get no answer at all. */
    volatile String silentMethod = "Silent";

    RecordingServer(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        threads.execute(this::acceptLoop);
    }

    int connections() {
        return connectionCount.get();
    }

    /** Drops every open connection, as a crashed or restarted server would. */
    void dropConnections() throws IOException {
        for (SocketChannel c : connections) {
            c.close();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel connection = listener.accept();
                connections.add(connection);
                int number = connectionCount.incrementAndGet();
                threads.execute(() -> serve(number, connection));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void serve(int number, SocketChannel connection) {
        try (connection) {
            while (true) {
                ByteBuffer header = readFully(connection, Frame.HEADER_LENGTH);
                int length = header.getInt();
                int streamId = header.getInt();
                header.get();
                header.get();
                Request request = Request.parseFrom(readFully(connection, length));
                received.add(new Received(number, streamId, request));
                if (request.getMethod().equals(silentMethod)) {
                    continue;
                }
                byte[] data = Response.newBuilder().setPayload(request.getPayload()).build().toByteArray();
                synchronized (connection) {
                    ByteBuffer out = ByteBuffer.allocate(Frame.HEADER_LENGTH + data.length)
                            .putInt(data.length).putInt(streamId).put(MessageType.RESPONSE).put((byte) 0).put(data)
                            .flip();
                    while (out.hasRemaining()) {
                        connection.write(out);
                    }
                }
            }
        } catch (IOException e) {
            // peer went away
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
        return buffer.flip();
    }

    static ByteString text(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Override
    public void close() throws IOException {
        listener.close();
        dropConnections();
        threads.shutdownNow();
    }
}

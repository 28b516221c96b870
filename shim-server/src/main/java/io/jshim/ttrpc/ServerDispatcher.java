package io.jshim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jshim.proto.google.rpc.Status;
import io.jshim.proto.ttrpc.KeyValue;
import io.jshim.proto.ttrpc.Request;
import io.jshim.proto.ttrpc.Response;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Serves the requests of one connection, the Java side of ttrpc server.go {@code serverConn.run}.
 *
 * <p>Frames are checked on the event loop in the order Go checks them: a frame the decoder had to skip
 * gets RESOURCE_EXHAUSTED; an even stream id INVALID_ARGUMENT "StreamID must be odd for client initiated
 * streams"; a Data frame (no streams are served) INVALID_ARGUMENT "StreamID is no longer active"; a
 * request whose id does not increase INVALID_ARGUMENT "StreamID cannot be re-used and must increment";
 * a payload that is no {@code ttrpc.Request} INVALID_ARGUMENT "unmarshal request error: ..."; an unknown
 * service or method UNIMPLEMENTED. Other frame types are ignored "for future compat". None of these
 * closes the connection.
 *
 * <p>Each valid request runs on the worker executor, never on the event loop, so any number of calls on
 * one connection proceed concurrently and a blocking Task.Wait stalls nothing else. Responses go out in
 * completion order. State in this class is touched only on the channel's event loop.
 */
final class ServerDispatcher extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ServerDispatcher.class.getName());

    private final ServiceRegistry registry;
    private final Executor executor;
    private final ServerConnections connections;
    private final Map<Integer, ServerCall> inFlight = new HashMap<>();
    private ChannelHandlerContext ctx;
    private int lastStreamId;
    private boolean draining;

    ServerDispatcher(ServiceRegistry registry, Executor executor, ServerConnections connections) {
        this.registry = registry;
        this.executor = executor;
        this.connections = connections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connections.opened(this);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case OversizedFrame oversized -> respond(oversized.streamId(),
                    ServerCall.failure(status(Code.RESOURCE_EXHAUSTED, oversized.statusMessage())));
            case Frame frame -> onFrame(frame);
            default -> ctx.fireChannelRead(msg);
        }
    }

    private void onFrame(Frame frame) {
        int id = frame.streamId();
        if ((id & 1) == 0) {
            rejectStream(id, Code.INVALID_ARGUMENT, "StreamID must be odd for client initiated streams");
            return;
        }
        switch (frame.type()) {
            case MessageType.REQUEST -> onRequest(frame);
            case MessageType.DATA -> rejectStream(id, Code.INVALID_ARGUMENT, "StreamID is no longer active");
            default -> LOG.log(Level.DEBUG, "ttrpc: ignoring {0}", frame);
        }
    }

    private void onRequest(Frame frame) {
        int id = frame.streamId();
        if (Integer.compareUnsigned(id, lastStreamId) <= 0) {
            rejectStream(id, Code.INVALID_ARGUMENT, "StreamID cannot be re-used and must increment");
            return;
        }
        lastStreamId = id;

        Request request;
        try {
            request = Request.parseFrom(frame.data());
        } catch (InvalidProtocolBufferException e) {
            rejectStream(id, Code.INVALID_ARGUMENT, "unmarshal request error: " + e.getMessage());
            return;
        }
        MethodHandler handler;
        try {
            handler = registry.lookup(request.getService(), request.getMethod());
        } catch (TtrpcException e) {
            respond(id, ServerCall.failure(e.toStatus()));
            return;
        }

        long timeoutNanos = request.getTimeoutNano();
        long deadline = System.nanoTime() + timeoutNanos;
        CallContext context = new CallContext(request.getService(), request.getMethod(), id,
                metadataOf(request), ctx.channel().attr(PeerCredentialsCheck.PEER).get(), timeoutNanos != 0, deadline);
        ServerCall call = new ServerCall(this, id, context, handler, request.getPayload().toByteArray());
        inFlight.put(id, call);
        connections.callStarted();

        if (timeoutNanos < 0) {
            // Go: context.WithTimeout with a negative duration is done before the handler looks at it
            call.expire();
            return;
        }
        if (timeoutNanos > 0) {
            call.attachDeadlineTimer(ctx.executor().schedule(call::expire, timeoutNanos, TimeUnit.NANOSECONDS));
        }
        FutureTask<Void> task = new FutureTask<>(call, null);
        call.attachTask(task);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            call.fail(status(Code.UNAVAILABLE, "ttrpc: server closed"));
        }
    }

    /** Called by a {@link ServerCall} from any thread, exactly once, with the call's response. */
    void complete(ServerCall call, Response response) {
        byte[] data = response.toByteArray();
        if (data.length > Frame.MAX_DATA_LENGTH) {
            // Go (ttrpc >= 1.2.6) refuses to send it and drops the connection; answering on the stream is kinder
            data = ServerCall.failure(status(Code.RESOURCE_EXHAUSTED, OversizedFrame.messageFor(data.length)))
                    .toByteArray();
        }
        Frame frame = Frame.response(call.streamId(), data);
        ctx.executor().execute(() -> {
            if (inFlight.remove(call.streamId()) == null) {
                return;
            }
            connections.callFinished();
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(frame);
            }
            closeIfDrained();
        });
    }

    private void rejectStream(int streamId, Code code, String message) {
        respond(streamId, ServerCall.failure(status(code, message)));
    }

    private void respond(int streamId, Response response) {
        ctx.writeAndFlush(Frame.response(streamId, response.toByteArray()));
    }

    /** Graceful shutdown: stop once the calls in flight have answered (Go: Server.Shutdown closes idle conns). */
    void drain() {
        ctx.executor().execute(() -> {
            draining = true;
            closeIfDrained();
        });
    }

    /** Immediate shutdown. */
    void close() {
        ctx.close();
    }

    private void closeIfDrained() {
        if (draining && inFlight.isEmpty()) {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        List<ServerCall> calls = new ArrayList<>(inFlight.values());
        inFlight.clear();
        for (ServerCall call : calls) {
            call.abort();
            connections.callFinished();
        }
        connections.closed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a truncated frame, a reset or a bug in a handler above: this connection cannot go on, others can
        LOG.log(Level.DEBUG, "ttrpc: closing connection: {0}", cause.toString());
        ctx.close();
    }

    private static Map<String, List<String>> metadataOf(Request request) {
        if (request.getMetadataCount() == 0) {
            return Map.of();
        }
        Map<String, List<String>> metadata = new LinkedHashMap<>();
        for (KeyValue kv : request.getMetadataList()) {
            metadata.computeIfAbsent(kv.getKey(), k -> new ArrayList<>(1)).add(kv.getValue());
        }
        return metadata;
    }

    private static Status status(Code code, String message) {
        return Status.newBuilder().setCode(code.value()).setMessage(message).build();
    }
}

package io.jshim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jshim.proto.ttrpc.Response;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The client end of one connection (Go: ttrpc client.go): gives each call the next odd stream id, sends
 * its Request, and completes it from the matching Response. Stream ids start at 1 on every connection
 * and only grow, because ttrpc 1.2 servers (containerd 1.7+) reject a request whose id is not larger than
 * the last one (server.go "StreamID cannot be re-used and must increment"); assigning the id and writing
 * the frame both happen on the event loop, so ids reach the wire in increasing order.
 */
final class ClientDispatcher extends ChannelInboundHandlerAdapter {

    /** Go's ErrClosed text, which containerd matches on (treats it as success for Shutdown). */
    static final String CLOSED = "ttrpc: closed";

    private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

    private final Map<Integer, PendingCall> pending = new HashMap<>();
    private ChannelHandlerContext ctx;
    private long nextStreamId = 1;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean isActive() {
        return ctx.channel().isActive();
    }

    /** Sends {@code call}; safe from any thread. */
    void send(PendingCall call) {
        if (ctx.executor().inEventLoop()) {
            sendOnLoop(call);
        } else {
            ctx.executor().execute(() -> sendOnLoop(call));
        }
    }

    private void sendOnLoop(PendingCall call) {
        if (!ctx.channel().isActive()) {
            call.result.completeExceptionally(new TtrpcException(Code.UNAVAILABLE, CLOSED));
            return;
        }
        if (call.hasDeadline && call.remainingNanos() <= 0) {
            call.result.completeExceptionally(Errdefs.deadlineExceeded());
            return;
        }
        byte[] request = call.encodeRequest();
        if (request.length > Frame.MAX_DATA_LENGTH) {
            // ttrpc >= 1.2.6 refuses to send oversized messages (errors.go OversizedMessageError)
            call.result.completeExceptionally(
                    new TtrpcException(Code.RESOURCE_EXHAUSTED, OversizedFrame.messageFor(request.length)));
            return;
        }
        if (nextStreamId > MAX_STREAM_ID) {
            call.result.completeExceptionally(new TtrpcException(Code.UNAVAILABLE, "ttrpc: stream ids exhausted"));
            ctx.close(); // the next call reconnects and starts again at 1
            return;
        }
        int id = (int) nextStreamId;
        nextStreamId += 2;
        pending.put(id, call);
        call.result.whenComplete((r, e) -> {
            if (call.result.isCancelled()) {
                ctx.executor().execute(() -> pending.remove(id));
            }
        });
        if (call.hasDeadline) {
            ctx.executor().schedule(() -> expire(id), call.remainingNanos(), TimeUnit.NANOSECONDS);
        }
        ctx.writeAndFlush(Frame.request(id, request)).addListener(written -> {
            if (!written.isSuccess()) {
                fail(id, new TtrpcException(Code.UNAVAILABLE, CLOSED, written.cause()));
            }
        });
    }

    private void expire(int id) {
        fail(id, Errdefs.deadlineExceeded());
    }

    private void fail(int id, TtrpcException error) {
        PendingCall call = pending.remove(id);
        if (call != null) {
            call.result.completeExceptionally(error);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case Frame frame when frame.type() == MessageType.RESPONSE -> onResponse(frame);
            case OversizedFrame oversized ->
                    fail(oversized.streamId(), new TtrpcException(Code.RESOURCE_EXHAUSTED, oversized.statusMessage()));
            default -> {
                // Data frames or unknown types: no streams are opened by this client, nothing to deliver
            }
        }
    }

    private void onResponse(Frame frame) {
        PendingCall call = pending.remove(frame.streamId());
        if (call == null) {
            return; // timed out or cancelled already
        }
        Response response;
        try {
            response = Response.parseFrom(frame.data());
        } catch (InvalidProtocolBufferException e) {
            call.result.completeExceptionally(
                    new TtrpcException(Code.INTERNAL, "ttrpc: cannot parse response: " + e.getMessage()));
            return;
        }
        // Go client.go: an absent status or code 0 is success
        if (response.hasStatus() && response.getStatus().getCode() != Code.OK.value()) {
            call.result.completeExceptionally(TtrpcException.fromStatus(response.getStatus()));
        } else {
            call.result.complete(response.getPayload().toByteArray());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        List<PendingCall> calls = new ArrayList<>(pending.values());
        pending.clear();
        for (PendingCall call : calls) {
            call.result.completeExceptionally(new TtrpcException(Code.UNAVAILABLE, CLOSED));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

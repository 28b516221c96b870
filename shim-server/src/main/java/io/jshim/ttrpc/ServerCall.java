package io.jshim.ttrpc;

import io.jshim.proto.google.rpc.Status;
import io.jshim.proto.ttrpc.Response;
import com.google.protobuf.ByteString;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request being served: runs its handler on a worker thread and makes sure exactly one Response
 * leaves for its stream, whichever comes first of the handler's result, the deadline, or the connection
 * going away.
 */
final class ServerCall implements Runnable {

    private final ServerDispatcher dispatcher;
    private final int streamId;
    private final CallContext context;
    private final MethodHandler handler;
    private final byte[] payload;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile Future<?> task;
    private volatile Future<?> deadlineTimer;

    ServerCall(ServerDispatcher dispatcher, int streamId, CallContext context, MethodHandler handler, byte[] payload) {
        this.dispatcher = dispatcher;
        this.streamId = streamId;
        this.context = context;
        this.handler = handler;
        this.payload = payload;
    }

    int streamId() {
        return streamId;
    }

    void attachTask(Future<?> task) {
        this.task = task;
    }

    void attachDeadlineTimer(Future<?> timer) {
        this.deadlineTimer = timer;
    }

    @Override
    public void run() {
        if (finished.get()) {
            return;
        }
        Response response;
        try {
            byte[] result = handler.handle(context, payload);
            // Go servers leave status out on success (services.go / server.go): a nil *Status marshals to nothing
            response = result == null || result.length == 0
                    ? Response.getDefaultInstance()
                    : Response.newBuilder().setPayload(ByteString.copyFrom(result)).build();
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
                throw vme;
            }
            response = failure(ErrorStatus.of(t));
        }
        finish(response);
    }

    /** The deadline from timeout_nano passed: answer DEADLINE_EXCEEDED and interrupt the handler. */
    void expire() {
        if (finish(failure(Errdefs.deadlineExceeded().toStatus()))) {
            cancelTask();
        }
    }

    /** Answer with {@code status} without running (or while still running) the handler. */
    void fail(Status status) {
        if (finish(failure(status))) {
            cancelTask();
        }
    }

    /** The connection is gone: nobody can receive an answer, so only stop the handler (Go cancels its ctx). */
    void abort() {
        if (finished.compareAndSet(false, true)) {
            cancelTimer();
            cancelTask();
        }
    }

    private boolean finish(Response response) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        cancelTimer();
        dispatcher.complete(this, response);
        return true;
    }

    private void cancelTask() {
        Future<?> t = task;
        if (t != null) {
            t.cancel(true);
        }
    }

    private void cancelTimer() {
        Future<?> timer = deadlineTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    static Response failure(Status status) {
        return Response.newBuilder().setStatus(status).build();
    }
}

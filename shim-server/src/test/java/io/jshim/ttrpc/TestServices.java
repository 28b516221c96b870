package io.jshim.ttrpc;

import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Services the server tests register: an echo, a call that blocks until released, and failing calls. */
final class TestServices {

    static final String TEST = "jshim.test.Test";
    static final String TASK_V2 = "containerd.task.v2.Task";
    static final String TASK_V3 = "containerd.task.v3.Task";

    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blockedEntered = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    final AtomicInteger sleepersFinished = new AtomicInteger();

    ServiceRegistry registry() {
        ServiceDefinition task = ServiceDefinition.builder(TASK_V2)
                .unary("Connect", ConnectRequest.parser(), (call, request) -> ConnectResponse.newBuilder()
                        .setShimPid(4242).setTaskPid(request.getId().length()).setVersion(call.service())
                        .build())
                .build();
        ServiceDefinition test = ServiceDefinition.builder(TEST)
                .raw("Echo", (call, payload) -> payload)
                .raw("Discard", (call, payload) -> new byte[0])
                .raw("Grow", (call, payload) -> java.util.Arrays.copyOf(payload, payload.length + 200))
                .unary("Empty", Empty.parser(), (call, request) -> Empty.getDefaultInstance())
                .unary("Block", Empty.parser(), (call, request) -> {
                    blockedEntered.countDown();
                    release.await();
                    return StringValue.of("released");
                })
                .unary("SleepUninterruptibly", StringValue.parser(), (call, request) -> {
                    long ms = Long.parseLong(request.getValue());
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    sleepersFinished.incrementAndGet();
                    return StringValue.of("slept " + ms);
                })
                .unary("SleepInterruptibly", StringValue.parser(), (call, request) -> {
                    try {
                        Thread.sleep(Long.parseLong(request.getValue()));
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return StringValue.of("slept");
                })
                .unary("Fail", StringValue.parser(), (call, request) -> {
                    throw switch (request.getValue()) {
                        case "not-found" -> Errdefs.notFound("container %s", "abc");
                        case "already-exists" -> Errdefs.alreadyExists("id %s", "exec1");
                        case "failed-precondition" -> Errdefs.failedPrecondition("container abc init process is not running");
                        case "invalid-argument" -> Errdefs.invalidArgument("bad signal %d", 99);
                        case "not-implemented" -> Errdefs.notImplemented("checkpoint");
                        case "internal" -> Errdefs.internal("broken %s", "invariant");
                        case "deadline" -> Errdefs.deadlineExceeded();
                        case "illegal-argument" -> new IllegalArgumentException("negative width");
                        case "no-such-file" -> new java.nio.file.NoSuchFileException("/run/x");
                        default -> new IllegalStateException("cannot start a running process");
                    };
                })
                .build();
        return new ServiceRegistry()
                .register(task)
                .register(TASK_V3, task)
                .register(test);
    }
}

package io.jshim.ttrpc;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.jshim.proto.containerd.task.v2.CloseIORequest;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskResponse;
import io.jshim.proto.containerd.task.v2.DeleteRequest;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import io.jshim.proto.containerd.task.v2.KillRequest;
import io.jshim.proto.containerd.task.v2.PidsRequest;
import io.jshim.proto.containerd.task.v2.PidsResponse;
import io.jshim.proto.containerd.task.v2.ShutdownRequest;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.proto.containerd.task.v2.StartResponse;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.proto.containerd.task.v2.StateResponse;
import io.jshim.proto.containerd.task.v2.WaitRequest;
import io.jshim.proto.containerd.task.v2.WaitResponse;
import io.jshim.proto.containerd.types.task.ProcessInfo;
import io.jshim.proto.containerd.types.task.Status;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * Just enough of a Task service for containerd to run a task through create, start, wait, kill and delete
 * with no process behind it: the "process" runs from Start until Kill, and then exits with 128 + signal.
 * It records what containerd called, in order, under which service name.
 */
final class StubTaskService {

    static final int TASK_PID = 4242;

    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<CreateTaskRequest> creates = new CopyOnWriteArrayList<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile boolean started;
    private volatile int exitStatus;
    private volatile Instant exitedAt;

    ServiceDefinition definition() {
        return ServiceDefinition.builder("containerd.task.v2.Task")
                .unary("Create", CreateTaskRequest.parser(), (call, request) -> {
                    record(call, "Create");
                    creates.add(request);
                    return CreateTaskResponse.newBuilder().setPid(TASK_PID).build();
                })
                .unary("Connect", ConnectRequest.parser(), (call, request) -> {
                    record(call, "Connect");
                    return ConnectResponse.newBuilder().setShimPid((int) ProcessHandle.current().pid())
                            .setTaskPid(TASK_PID).build();
                })
                .unary("Start", StartRequest.parser(), (call, request) -> {
                    record(call, "Start");
                    started = true;
                    return StartResponse.newBuilder().setPid(TASK_PID).build();
                })
                .unary("Wait", WaitRequest.parser(), (call, request) -> {
                    record(call, "Wait:enter");
                    exited.await(); // blocks this call only; interrupted if the connection goes away
                    record(call, "Wait:return");
                    return WaitResponse.newBuilder().setExitStatus(exitStatus).setExitedAt(timestamp(exitedAt))
                            .build();
                })
                .unary("State", StateRequest.parser(), (call, request) -> {
                    record(call, "State");
                    Status status = exitedAt != null ? Status.STOPPED : started ? Status.RUNNING : Status.CREATED;
                    return StateResponse.newBuilder().setId(request.getId()).setPid(TASK_PID).setStatus(status)
                            .setExitStatus(exitStatus).build();
                })
                .unary("Pids", PidsRequest.parser(), (call, request) -> {
                    record(call, "Pids");
                    return PidsResponse.newBuilder().addProcesses(ProcessInfo.newBuilder().setPid(TASK_PID)).build();
                })
                .unary("Kill", KillRequest.parser(), (call, request) -> {
                    record(call, "Kill");
                    if (exitedAt == null) {
                        exitStatus = 128 + request.getSignal();
                        exitedAt = Instant.now();
                        exited.countDown();
                    }
                    return Empty.getDefaultInstance();
                })
                .unary("CloseIO", CloseIORequest.parser(), (call, request) -> {
                    record(call, "CloseIO");
                    return Empty.getDefaultInstance();
                })
                .unary("Delete", DeleteRequest.parser(), (call, request) -> {
                    record(call, "Delete");
                    return DeleteResponse.newBuilder().setPid(TASK_PID).setExitStatus(exitStatus)
                            .setExitedAt(timestamp(exitedAt != null ? exitedAt : Instant.now())).build();
                })
                .unary("Shutdown", ShutdownRequest.parser(), (call, request) -> {
                    record(call, "Shutdown");
                    return Empty.getDefaultInstance();
                })
                .build();
    }

    private void record(CallContext call, String what) {
        calls.add(call.service() + "/" + what);
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}

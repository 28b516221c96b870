package io.jshim.shim.task;

import com.google.protobuf.Empty;
import io.jshim.proto.containerd.task.v2.CheckpointTaskRequest;
import io.jshim.proto.containerd.task.v2.CloseIORequest;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.DeleteRequest;
import io.jshim.proto.containerd.task.v2.ExecProcessRequest;
import io.jshim.proto.containerd.task.v2.KillRequest;
import io.jshim.proto.containerd.task.v2.PauseRequest;
import io.jshim.proto.containerd.task.v2.PidsRequest;
import io.jshim.proto.containerd.task.v2.ResizePtyRequest;
import io.jshim.proto.containerd.task.v2.ResumeRequest;
import io.jshim.proto.containerd.task.v2.ShutdownRequest;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.proto.containerd.task.v2.StatsRequest;
import io.jshim.proto.containerd.task.v2.UpdateTaskRequest;
import io.jshim.proto.containerd.task.v2.WaitRequest;
import io.jshim.ttrpc.Errdefs;
import io.jshim.ttrpc.ServiceDefinition;
import io.jshim.ttrpc.ServiceRegistry;

/**
 * {@code containerd.task.v2.Task} and {@code containerd.task.v3.Task} over ttrpc: the 17 RPCs, each a
 * thin adapter onto {@link TaskCore} (the v3 messages are the v2 ones under another package name,
 * shim-v2-protocol.md §3.1). RPCs whose engine support has not landed yet answer UNIMPLEMENTED (code
 * 12) with a message saying so, which containerd shows as "not implemented".
 */
public final class TaskService {

    public static final String V2 = "containerd.task.v2.Task";
    public static final String V3 = "containerd.task.v3.Task";

    private static final Empty EMPTY = Empty.getDefaultInstance();

    private TaskService() {
    }

    public static ServiceDefinition definition(TaskCore core) {
        return ServiceDefinition.builder(V2)
                .unary("State", StateRequest.parser(), (call, r) -> core.state(r))
                .unary("Create", CreateTaskRequest.parser(), (call, r) -> core.create(r))
                .unary("Start", StartRequest.parser(), (call, r) -> core.start(r))
                .unary("Delete", DeleteRequest.parser(), (call, r) -> core.delete(r))
                .unary("Pids", PidsRequest.parser(), (call, r) -> core.pids(r))
                .unary("Pause", PauseRequest.parser(), (call, r) -> {
                    core.pause(r);
                    return EMPTY;
                })
                .unary("Resume", ResumeRequest.parser(), (call, r) -> {
                    core.resume(r);
                    return EMPTY;
                })
                .unary("Checkpoint", CheckpointTaskRequest.parser(), (call, r) -> {
                    throw Errdefs.notImplemented("checkpoint of %s: checkpoint is not supported yet (needs CRIU)",
                            r.getId());
                })
                .unary("Kill", KillRequest.parser(), (call, r) -> {
                    core.kill(r);
                    return EMPTY;
                })
                .unary("Exec", ExecProcessRequest.parser(), (call, r) -> {
                    core.exec(r);
                    return EMPTY;
                })
                .unary("ResizePty", ResizePtyRequest.parser(), (call, r) -> {
                    core.resizePty(r);
                    return EMPTY;
                })
                .unary("CloseIO", CloseIORequest.parser(), (call, r) -> {
                    core.closeIO(r);
                    return EMPTY;
                })
                .unary("Update", UpdateTaskRequest.parser(), (call, r) -> {
                    core.update(r);
                    return EMPTY;
                })
                .unary("Wait", WaitRequest.parser(), (call, r) -> core.await(r))
                .unary("Stats", StatsRequest.parser(), (call, r) -> core.stats(r))
                .unary("Connect", ConnectRequest.parser(), (call, r) -> core.connect(r))
                .unary("Shutdown", ShutdownRequest.parser(), (call, r) -> {
                    core.shutdown();
                    return EMPTY;
                })
                .build();
    }

    /** Registers the Task service under both names. */
    public static ServiceRegistry register(ServiceRegistry registry, TaskCore core) {
        ServiceDefinition v2 = definition(core);
        return registry.register(v2).register(V3, v2);
    }
}

package io.jshim.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.jshim.proto.containerd.task.v2.CheckpointTaskRequest;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskResponse;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import io.jshim.proto.containerd.task.v2.ExecProcessRequest;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.proto.containerd.task.v2.StateResponse;
import io.jshim.proto.containerd.task.v2.StatsRequest;
import io.jshim.proto.containerd.task.v2.UpdateTaskRequest;
import io.jshim.proto.containerd.task.v2.WaitRequest;
import io.jshim.proto.containerd.task.v2.WaitResponse;
import io.jshim.shim.daemon.AdminService;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.ServiceRegistry;
import io.jshim.ttrpc.TtrpcClient;
import io.jshim.ttrpc.TtrpcException;
import io.jshim.ttrpc.TtrpcServer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Task service over a real ttrpc server: both service names route to the same handlers, a blocking
 * Wait does not stall other calls on the same connection, unsupported RPCs answer code 12, and the
 * front end's private Reserve/Cleanup calls decode the bytes the C front end sends.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TaskServiceTest {

    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private FakeRuntime runtime;
    private TaskCore core;
    private TtrpcServer server;
    private TtrpcClient client;

    @BeforeEach
    void start() throws Exception {
        runtime = new FakeRuntime();
        core = new TaskCore("ns", dir.resolve("root"), runtime, new RecordingPublisher(), new TaskCore.PidWatcher() {
            @Override
            public void watch(int pid) {
            }

            @Override
            public void unwatch(int pid) {
            }
        }, Duration.ofSeconds(60));
        runtime.onKill = (id, sig) -> {
            int pid = core.connect(ConnectRequest.newBuilder().setId(id).build()).getTaskPid();
            CompletableFuture.runAsync(() -> core.onExit(pid, 137, Instant.now()));
        };
        ServiceRegistry registry = TaskService.register(new ServiceRegistry(), core);
        registry.register(AdminService.definition(core));
        Path socket = dir.resolve("s.sock");
        server = TtrpcServer.builder(registry).build().start(socket);
        client = TtrpcClient.builder(socket).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private <R extends Message> R call(String service, String method, Message req, com.google.protobuf.Parser<R> p)
            throws InterruptedException {
        return client.call(service, method, req, p, T);
    }

    private int create(String id) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve(id));
        return call(TaskService.V2, "Create", CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
                .build(), CreateTaskResponse.parser()).getPid();
    }

    @Test
    void v2AndV3_serveTheSameTasks() throws Exception {
        int pid = create("c1");
        StateResponse v3 = call(TaskService.V3, "State", StateRequest.newBuilder().setId("c1").build(),
                StateResponse.parser());
        assertEquals(pid, v3.getPid());
        ConnectResponse c = call(TaskService.V2, "Connect", ConnectRequest.newBuilder().setId("c1").build(),
                ConnectResponse.parser());
        assertEquals(pid, c.getTaskPid());
    }

    @Test
    void aBlockedWait_doesNotStallOtherCallsOnTheConnection() throws Exception {
        int pid = create("c1");
        CompletableFuture<byte[]> wait = client.callAsync(TaskService.V2, "Wait",
                WaitRequest.newBuilder().setId("c1").build().toByteArray(), null, java.util.Map.of());
        for (int i = 0; i < 20; i++) {
            call(TaskService.V2, "State", StateRequest.newBuilder().setId("c1").build(), StateResponse.parser());
        }
        assertTrue(!wait.isDone());
        core.onExit(pid, 42, Instant.now());
        assertEquals(42, WaitResponse.parseFrom(wait.get(5, TimeUnit.SECONDS)).getExitStatus());
    }

    @Test
    void unsupportedRpcs_answerUnimplemented_withAClearMessage() throws Exception {
        create("c1");
        TtrpcException e = assertThrows(TtrpcException.class, () -> call(TaskService.V2, "Checkpoint",
                CheckpointTaskRequest.newBuilder().setId("c1").build(), com.google.protobuf.Empty.parser()));
        assertEquals(Code.UNIMPLEMENTED, e.code());
        assertTrue(e.getMessage().contains("checkpoint is not supported yet (needs CRIU)"), e.getMessage());
    }

    /** What native-shim/src/main.c sends: string fields written by hand. */
    private static byte[] strings(String... fields) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        for (int i = 0; i < fields.length; i++) {
            o.writeString(i + 1, fields[i]);
        }
        o.flush();
        return out.toByteArray();
    }

    @Test
    void reserveAndCleanup_decodeTheFrontEndsMessages() throws Exception {
        client.call(AdminService.NAME, "Reserve", strings("c9"), T);
        assertTrue(!core.idle());
        int pid = create("c1");
        Path bundle = dir.resolve("c1");
        byte[] resp = client.call(AdminService.NAME, "Cleanup", strings("c1", bundle.toString()), T);
        DeleteResponse d = DeleteResponse.parseFrom(resp);
        assertEquals(pid, d.getPid());
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(AdminService.NAME, "Cleanup", strings("c1", "relative"), T));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertEquals(ByteString.EMPTY, ByteString.copyFrom(client.call(AdminService.NAME, "Reserve", strings("x"), T)));
    }
}

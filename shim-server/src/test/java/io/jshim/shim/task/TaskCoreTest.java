package io.jshim.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.jshim.engine.EngineException;
import io.jshim.proto.containerd.events.TaskCreate;
import io.jshim.proto.containerd.events.TaskDelete;
import io.jshim.proto.containerd.events.TaskExit;
import io.jshim.proto.containerd.events.TaskStart;
import io.jshim.proto.containerd.runc.v1.Options;
import io.jshim.proto.containerd.task.v2.CloseIORequest;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.DeleteRequest;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import io.jshim.proto.containerd.task.v2.KillRequest;
import io.jshim.proto.containerd.task.v2.PauseRequest;
import io.jshim.proto.containerd.task.v2.PidsRequest;
import io.jshim.proto.containerd.task.v2.ResumeRequest;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.proto.containerd.task.v2.StateResponse;
import io.jshim.proto.containerd.task.v2.WaitRequest;
import io.jshim.proto.containerd.task.v2.WaitResponse;
import io.jshim.proto.containerd.types.task.Status;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.TtrpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * The Task service's state machine and error codes against a fake engine (no root, no containerd):
 * runc shim behaviour per shim-v2-protocol.md §3.4/§3.5, event order per §4.2.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TaskCoreTest {

    private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");

    @TempDir
    Path dir;

    private FakeRuntime runtime;
    private RecordingPublisher events;
    private final List<String> watched = Collections.synchronizedList(new ArrayList<>());
    private TaskCore core;

    @BeforeEach
    void setUp() {
        runtime = new FakeRuntime();
        events = new RecordingPublisher();
        core = new TaskCore("ns1", dir.resolve("root/ns1"), runtime, events, new TaskCore.PidWatcher() {
            @Override
            public void watch(int pid) {
                watched.add("+" + pid);
            }

            @Override
            public void unwatch(int pid) {
                watched.add("-" + pid);
            }
        }, Duration.ofSeconds(60));
        // a SIGKILL makes the fake's init exit at once, as the reaper would report it
        runtime.onKill = (id, sig) -> {
            if (sig == 9) {
                int pid = core.connect(ConnectRequest.newBuilder().setId(id).build()).getTaskPid();
                CompletableFuture.runAsync(() -> core.onExit(pid, 137, T));
            }
        };
    }

    private CreateTaskRequest.Builder request(String id) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundles").resolve(id));
        return CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString());
    }

    private int create(String id) throws Exception {
        return core.create(request(id).build()).getPid();
    }

    private static void assertCode(Code code, String messagePart, Executable call) {
        TtrpcException e = assertThrows(TtrpcException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "'" + e.getMessage() + "' lacks '" + messagePart + "'");
    }

    private StateResponse state(String id) {
        return core.state(StateRequest.newBuilder().setId(id).build());
    }

    // ---- the normal life -------------------------------------------------------------------------

    @Test
    void lifecycle_publishesCreateStartExitDelete_inOrder_withPidsAndStatus() throws Exception {
        int pid = create("c1");
        assertEquals(Status.CREATED, state("c1").getStatus());
        assertEquals(pid, core.start(StartRequest.newBuilder().setId("c1").build()).getPid());
        assertEquals(Status.RUNNING, state("c1").getStatus());
        core.onExit(pid, 7, T);
        StateResponse stopped = state("c1");
        assertEquals(Status.STOPPED, stopped.getStatus());
        assertEquals(7, stopped.getExitStatus());
        assertEquals(pid, stopped.getPid());
        DeleteResponse d = core.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals(pid, d.getPid());
        assertEquals(7, d.getExitStatus());
        assertEquals(T.getEpochSecond(), d.getExitedAt().getSeconds());
        assertEquals(T.getNano(), d.getExitedAt().getNanos());

        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"), events.topics());
        assertTrue(events.events.stream().allMatch(e -> e.namespace().equals("ns1")));
        assertEquals(pid, events.last(TaskCreate.class).getPid());
        assertEquals(pid, events.last(TaskStart.class).getPid());
        TaskExit exit = events.last(TaskExit.class);
        assertEquals("c1", exit.getContainerId());
        assertEquals("c1", exit.getId());
        assertEquals(pid, exit.getPid());
        assertEquals(7, exit.getExitStatus());
        TaskDelete del = events.last(TaskDelete.class);
        assertEquals(pid, del.getPid());
        assertEquals(7, del.getExitStatus());
        assertEquals(List.of("create c1 root=" + dir.resolve("root/ns1"), "start c1", "delete c1"), runtime.calls);
        assertEquals(List.of("+" + pid, "-" + pid), watched);
        assertCode(Code.NOT_FOUND, "not created", () -> state("c1"));
        assertTrue(core.idle());
    }

    @Test
    void create_givesTheContainerDevNullForEmptyStdio_andWritesTheBundleFiles() throws Exception {
        create("c1");
        assertEquals(3, runtime.lastStdio.length);
        Path bundle = dir.resolve("bundles/c1");
        assertEquals(dir.resolve("root/ns1").toString(), Files.readString(bundle.resolve(TaskCore.ROOT_FILE)));
        StateResponse s = state("c1");
        assertEquals(bundle.toString(), s.getBundle());
        assertEquals("", s.getStdout());
    }

    @Test
    void state_echoesTheStdioPathsOfCreate() throws Exception {
        Path f = dir.resolve("out.log");
        core.create(request("c1").setStdout("file://" + f).setStderr("file://" + f).build());
        StateResponse s = state("c1");
        assertEquals("file://" + f, s.getStdout());
        assertEquals("file://" + f, s.getStderr());
        assertTrue(Files.exists(f));
    }

    @Test
    void wait_blocksUntilTheExit_andMayBeCalledBeforeStart() throws Exception {
        int pid = create("c1");
        CompletableFuture<WaitResponse> w = CompletableFuture.supplyAsync(
                () -> core.await(WaitRequest.newBuilder().setId("c1").build()));
        Thread.sleep(100);
        assertFalse(w.isDone());
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.onExit(pid, 0, T);
        WaitResponse r = w.get(5, TimeUnit.SECONDS);
        assertEquals(0, r.getExitStatus());
        assertEquals(T.getEpochSecond(), r.getExitedAt().getSeconds());
        // and at once for an exited task
        assertEquals(0, core.await(WaitRequest.newBuilder().setId("c1").build()).getExitStatus());
    }

    @Test
    void exitDuringStart_isPublishedAfterTheStartEvent() throws Exception {
        int pid = create("c1");
        runtime.startGate = new CountDownLatch(1);
        runtime.startEntered = new CountDownLatch(1);
        CompletableFuture<Void> start = CompletableFuture.runAsync(
                () -> core.start(StartRequest.newBuilder().setId("c1").build()));
        assertTrue(runtime.startEntered.await(5, TimeUnit.SECONDS));
        CompletableFuture<Void> exit = CompletableFuture.runAsync(() -> core.onExit(pid, 3, T));
        Thread.sleep(100);
        runtime.startGate.countDown();
        start.get(5, TimeUnit.SECONDS);
        exit.get(5, TimeUnit.SECONDS);
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit"), events.topics());
    }

    // ---- the state machine's refusals ------------------------------------------------------------

    @Test
    void startTwice_isRefused_asTheRuncShimDoes() throws Exception {
        create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        assertCode(Code.UNKNOWN, "cannot start a running process",
                () -> core.start(StartRequest.newBuilder().setId("c1").build()));
    }

    @Test
    void startAfterExit_isRefused() throws Exception {
        int pid = create("c1");
        core.onExit(pid, 137, T);
        assertCode(Code.UNKNOWN, "cannot start a stopped process",
                () -> core.start(StartRequest.newBuilder().setId("c1").build()));
    }

    @Test
    void deleteOfARunningTask_isRefused() throws Exception {
        create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        assertCode(Code.UNKNOWN, "cannot delete a running process",
                () -> core.delete(DeleteRequest.newBuilder().setId("c1").build()));
        assertEquals(Status.RUNNING, state("c1").getStatus());
    }

    @Test
    void deleteOfACreatedTask_killsItFirst_andPublishesItsExit() throws Exception {
        int pid = create("c1");
        DeleteResponse d = core.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals(137, d.getExitStatus());
        assertEquals(pid, d.getPid());
        assertTrue(runtime.calls.contains("kill c1 9 all"), runtime.calls.toString());
        assertEquals(List.of("/tasks/create", "/tasks/exit", "/tasks/delete"), events.topics());
    }

    @Test
    void unknownTaskOrExec_isNotFound() throws Exception {
        assertCode(Code.NOT_FOUND, "container nope not created", () -> state("nope"));
        assertCode(Code.NOT_FOUND, "not created", () -> core.start(StartRequest.newBuilder().setId("nope").build()));
        assertCode(Code.NOT_FOUND, "not created", () -> core.kill(KillRequest.newBuilder().setId("nope").build()));
        assertCode(Code.NOT_FOUND, "not created", () -> core.delete(DeleteRequest.newBuilder().setId("nope").build()));
        assertCode(Code.NOT_FOUND, "not created", () -> core.await(WaitRequest.newBuilder().setId("nope").build()));
        assertCode(Code.NOT_FOUND, "not created", () -> core.pids(PidsRequest.newBuilder().setId("nope").build()));
        create("c1");
        assertCode(Code.NOT_FOUND, "process e1 does not exist",
                () -> core.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build()));
        assertCode(Code.NOT_FOUND, "does not exist",
                () -> core.kill(KillRequest.newBuilder().setId("c1").setExecId("e1").setSignal(9).build()));
    }

    @Test
    void duplicateCreate_isAlreadyExists() throws Exception {
        create("c1");
        assertCode(Code.ALREADY_EXISTS, "already exists", () -> create("c1"));
    }

    @Test
    void failedCreate_leavesNothing_andMapsTheEngineError() throws Exception {
        runtime.failCreate = new EngineException(EngineException.Kind.INTERNAL, "unable to start container process: boom");
        assertCode(Code.UNKNOWN, "boom", () -> create("c1"));
        runtime.failCreate = new EngineException(EngineException.Kind.INVALID_ARGUMENT, "process.args must not be empty");
        assertCode(Code.INVALID_ARGUMENT, "process.args", () -> create("c2"));
        assertTrue(events.topics().isEmpty());
        assertTrue(core.idle());
        assertCode(Code.NOT_FOUND, "not created", () -> state("c1"));
    }

    @Test
    void checkpointRestore_isUnimplemented_andATerminalGetsAConsoleSocket() throws Exception {
        assertCode(Code.UNIMPLEMENTED, "needs CRIU", () -> core.create(request("c1").setCheckpoint("/cp").build()));
        core.create(request("c2").build());
        assertEquals(-1, runtime.lastConsoleFd);
        core.create(request("c3").setTerminal(true).build());
        assertTrue(runtime.lastConsoleFd >= 0, "a terminal task's create gets the relay's console socket");
        // no master arrived (the fake makes no pty): a resize is a no-op
        core.resizePty(io.jshim.proto.containerd.task.v2.ResizePtyRequest.newBuilder().setId("c2").setWidth(80)
                .setHeight(24).build());
    }

    @Test
    void runcSystemdCgroupOption_isRefused_andRootIsHonoured() throws Exception {
        Any systemd = Any.pack(Options.newBuilder().setSystemdCgroup(true).build(), "");
        assertCode(Code.INVALID_ARGUMENT, "systemd", () -> core.create(request("c1").setOptions(
                Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(systemd.getValue())).build()));
        Options root = Options.newBuilder().setRoot(dir.resolve("runc-root").toString()).build();
        core.create(request("c2").setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options")
                .setValue(root.toByteString())).build());
        assertTrue(runtime.calls.contains("create c2 root=" + dir.resolve("runc-root/ns1")), runtime.calls.toString());
    }

    // ---- Kill ------------------------------------------------------------------------------------

    @Test
    void kill_forwardsSignalAndAll() throws Exception {
        create("c1");
        core.kill(KillRequest.newBuilder().setId("c1").setSignal(15).setAll(true).build());
        assertTrue(runtime.calls.contains("kill c1 15 all"));
    }

    @Test
    void killOfAStoppedTask_isNotFound_unlessAll() throws Exception {
        int pid = create("c1");
        core.onExit(pid, 0, T);
        assertCode(Code.NOT_FOUND, "process already finished",
                () -> core.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build()));
        core.kill(KillRequest.newBuilder().setId("c1").setSignal(9).setAll(true).build());
    }

    @Test
    void killOfAnExitedButUnreapedInit_isNotFound() throws Exception {
        create("c1");
        runtime.failKill = new EngineException(EngineException.Kind.FAILED_PRECONDITION, "container not running");
        assertCode(Code.NOT_FOUND, "process already finished",
                () -> core.kill(KillRequest.newBuilder().setId("c1").setSignal(15).build()));
    }

    // ---- Exec ------------------------------------------------------------------------------------

    private static io.jshim.proto.containerd.task.v2.ExecProcessRequest.Builder exec(String id, String execId) {
        return io.jshim.proto.containerd.task.v2.ExecProcessRequest.newBuilder().setId(id).setExecId(execId)
                .setSpec(Any.newBuilder().setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                        .setValue(com.google.protobuf.ByteString.copyFromUtf8("{\"args\":[\"ls\"],\"cwd\":\"/\"}")));
    }

    @Test
    void exec_lifecycle_publishesAddedStartedExit_andWaitDeleteSeeItsStatus() throws Exception {
        int init = create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.exec(exec("c1", "e1").build());
        assertEquals(Status.CREATED, core.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build())
                .getStatus());
        int pid = core.start(StartRequest.newBuilder().setId("c1").setExecId("e1").build()).getPid();
        assertTrue(runtime.calls.contains("exec c1 {\"args\":[\"ls\"],\"cwd\":\"/\"}"), runtime.calls.toString());
        StateResponse s = core.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertEquals(Status.RUNNING, s.getStatus());
        assertEquals(pid, s.getPid());
        assertEquals("e1", s.getId());
        var ps = core.pids(PidsRequest.newBuilder().setId("c1").build());
        assertEquals(1, ps.getProcessesCount()); // the fake lists no pids: init only
        runtime.pids = List.of(init, pid);
        ps = core.pids(PidsRequest.newBuilder().setId("c1").build());
        assertEquals("e1", io.jshim.proto.containerd.runc.v1.ProcessDetails.parseFrom(
                ps.getProcesses(1).getInfo().getValue()).getExecId());
        CompletableFuture<WaitResponse> w = CompletableFuture.supplyAsync(
                () -> core.await(WaitRequest.newBuilder().setId("c1").setExecId("e1").build()));
        core.onExit(pid, 3, T);
        assertEquals(3, w.get(5, TimeUnit.SECONDS).getExitStatus());
        DeleteResponse d = core.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertEquals(3, d.getExitStatus());
        assertEquals(pid, d.getPid());
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exec-added", "/tasks/exec-started",
                "/tasks/exit"), events.topics());
        TaskExit exit = events.last(TaskExit.class);
        assertEquals("e1", exit.getId());
        assertEquals(pid, exit.getPid());
        assertCode(Code.NOT_FOUND, "process e1 does not exist",
                () -> core.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build()));
    }

    @Test
    void initExit_isPublishedAfterTheExitsOfItsRunningExecs() throws Exception {
        int init = create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.exec(exec("c1", "e1").build());
        int pid = core.start(StartRequest.newBuilder().setId("c1").setExecId("e1").build()).getPid();
        core.exec(exec("c1", "e2").build()); // added, never started: not waited for
        CompletableFuture<WaitResponse> w = CompletableFuture.supplyAsync(
                () -> core.await(WaitRequest.newBuilder().setId("c1").build()));
        core.onExit(init, 0, T);
        Thread.sleep(100);
        assertFalse(w.isDone(), "init's Wait returned before its exec's exit");
        assertFalse(events.topics().contains("/tasks/exit"));
        core.onExit(pid, 137, T);
        assertEquals(0, w.get(5, TimeUnit.SECONDS).getExitStatus());
        List<String> topics = events.topics();
        assertEquals(List.of("/tasks/exit", "/tasks/exit"), topics.subList(topics.size() - 2, topics.size()));
        assertEquals("c1", events.last(TaskExit.class).getId());
        assertCode(Code.FAILED_PRECONDITION, "init process is not running",
                () -> core.start(StartRequest.newBuilder().setId("c1").setExecId("e2").build()));
    }

    @Test
    void exec_refusals_followTheRuncShim() throws Exception {
        int init = create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.exec(exec("c1", "e1").build());
        assertCode(Code.ALREADY_EXISTS, "id e1", () -> core.exec(exec("c1", "e1").build()));
        assertCode(Code.FAILED_PRECONDITION, "process not created",
                () -> core.kill(KillRequest.newBuilder().setId("c1").setExecId("e1").setSignal(9).build()));
        int pid = core.start(StartRequest.newBuilder().setId("c1").setExecId("e1").build()).getPid();
        assertCode(Code.UNKNOWN, "cannot start a running process",
                () -> core.start(StartRequest.newBuilder().setId("c1").setExecId("e1").build()));
        assertCode(Code.UNKNOWN, "cannot delete a running process",
                () -> core.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build()));
        // the fake pid names no process: kill(2) says ESRCH
        assertCode(Code.NOT_FOUND, "process already finished",
                () -> core.kill(KillRequest.newBuilder().setId("c1").setExecId("e1").setSignal(15).build()));
        core.onExit(pid, 0, T);
        core.onExit(init, 0, T);
        assertCode(Code.UNKNOWN, "cannot exec in a stopped state", () -> core.exec(exec("c1", "e3").build()));
        runtime.failExec = new EngineException(EngineException.Kind.INVALID_ARGUMENT, "args must not be empty");
    }

    @Test
    void failedExecStart_leavesTheExecCreated() throws Exception {
        create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.exec(exec("c1", "e1").build());
        runtime.failExec = new EngineException(EngineException.Kind.INTERNAL, "unable to start container process: x");
        assertCode(Code.UNKNOWN, "unable to start", () -> core.start(StartRequest.newBuilder().setId("c1")
                .setExecId("e1").build()));
        assertEquals(Status.CREATED, core.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build())
                .getStatus());
        core.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
    }

    // ---- Pause, Resume ---------------------------------------------------------------------------

    @Test
    void pauseAndResume_followTheStateMachine_andPublishEvents() throws Exception {
        create("c1");
        assertCode(Code.UNKNOWN, "cannot pause a created process",
                () -> core.pause(PauseRequest.newBuilder().setId("c1").build()));
        core.start(StartRequest.newBuilder().setId("c1").build());
        core.pause(PauseRequest.newBuilder().setId("c1").build());
        assertEquals(Status.PAUSED, state("c1").getStatus());
        assertCode(Code.UNKNOWN, "cannot delete a paused process",
                () -> core.delete(DeleteRequest.newBuilder().setId("c1").build()));
        core.resume(ResumeRequest.newBuilder().setId("c1").build());
        assertEquals(Status.RUNNING, state("c1").getStatus());
        assertCode(Code.UNKNOWN, "cannot resume a running process",
                () -> core.resume(ResumeRequest.newBuilder().setId("c1").build()));
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/paused", "/tasks/resumed"), events.topics());
    }

    // ---- Stats, Update ------------------------------------------------------------------------------

    @Test
    void stats_answersTheCgroupMetricsAny() throws Exception {
        create("c1");
        var r = core.stats(io.jshim.proto.containerd.task.v2.StatsRequest.newBuilder().setId("c1").build());
        assertEquals("io.containerd.cgroups.v1.Metrics", r.getStats().getTypeUrl());
    }

    @Test
    void update_passesTheResourcesJson_andIsRefusedOnceStopped() throws Exception {
        int pid = create("c1");
        String json = "{\"memory\":{\"limit\":67108864}}";
        io.jshim.proto.containerd.task.v2.UpdateTaskRequest req = io.jshim.proto.containerd.task.v2.UpdateTaskRequest
                .newBuilder().setId("c1").setResources(Any.newBuilder()
                        .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/LinuxResources")
                        .setValue(com.google.protobuf.ByteString.copyFromUtf8(json))).build();
        core.update(req);
        assertTrue(runtime.calls.contains("update c1 " + json), runtime.calls.toString());
        core.onExit(pid, 0, T);
        assertCode(Code.UNKNOWN, "cannot update a stopped process", () -> core.update(req));
    }

    @Test
    void cgroupMetrics_mapTheEnginesStatistics() {
        var stats = new io.jshim.engine.cgroup.stats.CgroupStats(
                new io.jshim.engine.cgroup.stats.CgroupStats.Cpu(
                        new io.jshim.engine.cgroup.stats.CgroupStats.CpuUsage(5000, List.of(2000L, 3000L), List.of(),
                                List.of(), 1000, 4000),
                        new io.jshim.engine.cgroup.stats.CgroupStats.Throttling(10, 2, 300)),
                null,
                new io.jshim.engine.cgroup.stats.CgroupStats.Memory(7, new io.jshim.engine.cgroup.stats.CgroupStats
                        .MemoryData(100, 200, 1, 1 << 20), null, null, null, true,
                        java.util.Map.of("rss", 50L, "total_cache", 9L)),
                new io.jshim.engine.cgroup.stats.CgroupStats.Pids(3, 64), null, java.util.Map.of());
        var v1 = CgroupMetrics.v1(stats);
        assertEquals(5000, v1.getCpu().getUsage().getTotal());
        assertEquals(List.of(2000L, 3000L), v1.getCpu().getUsage().getPerCpuList());
        assertEquals(2, v1.getCpu().getThrottling().getThrottledPeriods());
        assertEquals(100, v1.getMemory().getUsage().getUsage());
        assertEquals(1 << 20, v1.getMemory().getUsage().getLimit());
        assertEquals(50, v1.getMemory().getRss());
        assertEquals(9, v1.getMemory().getTotalCache());
        assertEquals(3, v1.getPids().getCurrent());
        var v2 = CgroupMetrics.v2(stats);
        assertEquals(5, v2.getCpu().getUsageUsec());
        assertEquals(100, v2.getMemory().getUsage());
        assertEquals(64, v2.getPids().getLimit());
    }

    // ---- Pids, Connect, Shutdown, CloseIO ---------------------------------------------------------

    @Test
    void pids_neverEmptyForALiveTask() throws Exception {
        int pid = create("c1");
        assertEquals(pid, core.pids(PidsRequest.newBuilder().setId("c1").build()).getProcesses(0).getPid());
        runtime.pids = List.of(5, 6);
        assertEquals(2, core.pids(PidsRequest.newBuilder().setId("c1").build()).getProcessesCount());
    }

    @Test
    void connect_reportsShimAndTaskPids() throws Exception {
        int pid = create("c1");
        var r = core.connect(ConnectRequest.newBuilder().setId("c1").build());
        assertEquals(ProcessHandle.current().pid(), r.getShimPid());
        assertEquals(pid, r.getTaskPid());
        assertEquals(0, core.connect(ConnectRequest.newBuilder().setId("other").build()).getTaskPid());
    }

    @Test
    void shutdown_isHonouredOnlyWithoutTasks() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        core.onShutdownRequest(requests::incrementAndGet);
        int pid = create("c1");
        core.shutdown();
        assertEquals(0, requests.get());
        core.onExit(pid, 0, T);
        core.delete(DeleteRequest.newBuilder().setId("c1").build());
        core.shutdown();
        assertEquals(1, requests.get());
    }

    @Test
    void closeIO_andResizePty_ofATaskWithoutTerminal_succeed() throws Exception {
        create("c1");
        core.closeIO(CloseIORequest.newBuilder().setId("c1").setStdin(true).build());
        core.resizePty(io.jshim.proto.containerd.task.v2.ResizePtyRequest.newBuilder().setId("c1").setWidth(80)
                .setHeight(24).build());
    }

    // ---- the front end's calls: reservations and cleanup ------------------------------------------

    @Test
    void aReservation_keepsTheDaemonBusy_untilItsCreate() throws Exception {
        assertTrue(core.idle());
        core.reserve("c1");
        assertFalse(core.idle());
        assertEquals(Duration.ZERO, core.idleFor());
        int pid = create("c1");
        core.onExit(pid, 0, T);
        core.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertTrue(core.idle());
    }

    @Test
    void cleanupOfALiveTask_killsAndRemovesIt_withoutADeleteEvent() throws Exception {
        int pid = create("c1");
        core.start(StartRequest.newBuilder().setId("c1").build());
        DeleteResponse d = core.cleanup("c1", dir.resolve("bundles/c1"));
        assertEquals(pid, d.getPid());
        assertEquals(137, d.getExitStatus());
        assertFalse(events.topics().contains("/tasks/delete"));
        assertCode(Code.NOT_FOUND, "not created", () -> state("c1"));
        assertTrue(core.idle());
    }

    @Test
    void cleanupOfATaskThatWillNotDie_forgetsItWithinTheFrontEndsBudget() throws Exception {
        create("c1");
        runtime.onKill = (id, sig) -> { };
        long t0 = System.nanoTime();
        DeleteResponse d = core.cleanup("c1", dir.resolve("bundles/c1"));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(4));
        assertEquals(137, d.getExitStatus());
        assertTrue(core.idle());
        assertTrue(runtime.calls.contains("delete c1"), runtime.calls.toString());
    }

    @Test
    void cleanupOfAnUnknownTask_forceDeletesInTheRecordedRoot_andIsIdempotent() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundles/gone"));
        Files.writeString(bundle.resolve(TaskCore.ROOT_FILE), "/some/root");
        Files.writeString(bundle.resolve(TaskCore.PID_FILE), "4321");
        DeleteResponse d = core.cleanup("gone", bundle);
        assertEquals(4321, d.getPid());
        assertEquals(137, d.getExitStatus());
        assertTrue(d.getExitedAt().getSeconds() > 0);
        assertEquals(List.of("delete gone force"), runtime.calls);
        core.cleanup("gone", bundle);
        assertEquals(2, runtime.calls.size());
    }
}

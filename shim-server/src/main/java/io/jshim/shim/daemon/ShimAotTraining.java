package io.jshim.shim.daemon;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Empty;
import io.jshim.engine.EngineException;
import io.jshim.proto.containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
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
import io.jshim.shim.events.PublisherOptions;
import io.jshim.shim.events.TtrpcEventPublisher;
import io.jshim.shim.reaper.Reaper;
import io.jshim.shim.task.ContainerRuntime;
import io.jshim.shim.task.TaskCore;
import io.jshim.shim.task.TaskService;
import io.jshim.ttrpc.ServiceDefinition;
import io.jshim.ttrpc.ServiceRegistry;
import io.jshim.ttrpc.TtrpcClient;
import io.jshim.ttrpc.TtrpcException;
import io.jshim.ttrpc.TtrpcServer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The training run behind the shim daemon's AOT cache ({@code lib/jshim/shim.aot}, JEP 483/514,
 * design.md §6): one JVM that walks what a daemon walks when containerd first talks to it — the ttrpc
 * server and client on netty-epoll, protobuf parsing of every Task message, the task state machine and
 * its events forwarded over ttrpc, the reaper — with a stand-in engine, so it needs no root, no
 * container and no containerd — plus the engine's own training (jrunc's), which covers what a first
 * Create parses and plans. Not covered: a real create (jshim-init, cgroups), which needs root. Run by the front end: {@code JSHIM_AOT_TRAINING=1
 * containerd-shim-jshim-v2 aot-training} (deploy/pom.xml at build time, deploy/install.sh at install).
 */
public final class ShimAotTraining {

    private ShimAotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("jshim-shim-aot");
        try {
            // the engine's own training (config.json through Jackson, validation, plan building, the
            // FFM calls of create/start): a daemon's first Create walks all of it
            io.jshim.engine.cli.AotTraining.main(new String[0]);
            train(tmp);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static void train(Path tmp) throws Exception {
        // a stand-in for containerd's Events service, so that the publisher's path is trained too
        AtomicInteger forwarded = new AtomicInteger();
        ServiceRegistry events = new ServiceRegistry().register(ServiceDefinition.builder(TtrpcEventPublisher.SERVICE)
                .unary(TtrpcEventPublisher.METHOD, ForwardRequest.parser(), (call, r) -> {
                    forwarded.incrementAndGet();
                    return Empty.getDefaultInstance();
                }).build());
        Path eventsSocket = tmp.resolve("events.sock");
        Path shimSocket = tmp.resolve("shim.sock");
        AtomicInteger pids = new AtomicInteger(5_000_000); // above any pid_max: never a real process
        TaskCore[] core = new TaskCore[1];
        ContainerRuntime stub = new ContainerRuntime() {
            @Override
            public int create(CreateSpec spec) throws EngineException {
                if (spec.id().startsWith("fail")) {
                    throw new EngineException(EngineException.Kind.INVALID_ARGUMENT, "training: refused");
                }
                return pids.incrementAndGet();
            }

            @Override
            public void start(Path root, String id) {
            }

            @Override
            public void kill(Path root, String id, int signal, boolean all) {
                int pid = core[0].connect(ConnectRequest.newBuilder().setId(id).build()).getTaskPid();
                CompletableFuture.runAsync(() -> core[0].onExit(pid, 128 + signal, Instant.now()));
            }

            @Override
            public void delete(Path root, String id, boolean force) {
            }

            @Override
            public int exec(Path root, String id, byte[] processJson, int[] stdio) {
                return pids.incrementAndGet();
            }

            @Override
            public List<Integer> pids(Path root, String id) {
                return List.of(1, 2);
            }

            @Override
            public void pause(Path root, String id) {
            }

            @Override
            public void resume(Path root, String id) {
            }

            @Override
            public com.google.protobuf.Any stats(Path root, String id) {
                return com.google.protobuf.Any.getDefaultInstance();
            }

            @Override
            public void update(Path root, String id, byte[] resourcesJson) {
            }
        };
        try (TtrpcServer eventsServer = TtrpcServer.builder(events).build().start(eventsSocket);
                TtrpcEventPublisher publisher = TtrpcEventPublisher.connect(eventsSocket, PublisherOptions.defaults())) {
            Reaper reaper = new Reaper((pid, status, at) -> { }, Duration.ofSeconds(1));
            core[0] = new TaskCore("training", tmp.resolve("root"), stub, publisher, new TaskCore.PidWatcher() {
                @Override
                public void watch(int pid) {
                    reaper.watch(pid);
                }

                @Override
                public void unwatch(int pid) {
                    reaper.unwatch(pid);
                }
            }, Duration.ofSeconds(60));
            ServiceRegistry services = TaskService.register(new ServiceRegistry(), core[0]);
            services.register(AdminService.definition(core[0]));
            try (TtrpcServer server = TtrpcServer.builder(services).build().start(shimSocket);
                    TtrpcClient client = TtrpcClient.builder(shimSocket).build()) {
                for (int i = 0; i < 30; i++) {
                    lifecycle(client, core[0], tmp, "t" + i);
                }
                server.shutdown(Duration.ofSeconds(1));
            }
            reaper.close();
            publisher.close(Duration.ofSeconds(2));
        }
    }

    private static void lifecycle(TtrpcClient client, TaskCore core, Path tmp, String id) throws Exception {
        Duration t = Duration.ofSeconds(5);
        Path bundle = Files.createDirectories(tmp.resolve("bundles").resolve(id));
        String s = TaskService.V2;
        client.call(AdminService.NAME, "Reserve", strings(id), t);
        client.call(s, "Create", CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build(),
                io.jshim.proto.containerd.task.v2.CreateTaskResponse.parser(), t);
        client.call(s, "Connect", ConnectRequest.newBuilder().setId(id).build(), ConnectResponse.parser(), t);
        CompletableFuture<byte[]> wait = client.callAsync(s, "Wait", WaitRequest.newBuilder().setId(id).build()
                .toByteArray(), null, java.util.Map.of());
        client.call(s, "Start", StartRequest.newBuilder().setId(id).build(), StartResponse.parser(), t);
        client.call(TaskService.V3, "State", StateRequest.newBuilder().setId(id).build(), StateResponse.parser(), t);
        client.call(s, "Exec", io.jshim.proto.containerd.task.v2.ExecProcessRequest.newBuilder().setId(id)
                .setExecId("e").setSpec(com.google.protobuf.Any.newBuilder()
                        .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
                        .setValue(com.google.protobuf.ByteString.copyFromUtf8("{\"args\":[\"true\"],\"cwd\":\"/\"}")))
                .build(), Empty.parser(), t);
        int execPid = client.call(s, "Start", StartRequest.newBuilder().setId(id).setExecId("e").build(),
                StartResponse.parser(), t).getPid();
        client.call(s, "State", StateRequest.newBuilder().setId(id).setExecId("e").build(), StateResponse.parser(), t);
        core.onExit(execPid, 0, Instant.now()); // the stand-in's exec "exits" (no real process: no kill)
        client.call(s, "Wait", WaitRequest.newBuilder().setId(id).setExecId("e").build(), WaitResponse.parser(), t);
        client.call(s, "Delete", DeleteRequest.newBuilder().setId(id).setExecId("e").build(), DeleteResponse.parser(),
                t);
        client.call(s, "Pids", PidsRequest.newBuilder().setId(id).build(), PidsResponse.parser(), t);
        client.call(s, "Kill", KillRequest.newBuilder().setId(id).setSignal(9).setAll(true).build(),
                Empty.parser(), t);
        WaitResponse.parseFrom(wait.get());
        client.call(s, "Delete", DeleteRequest.newBuilder().setId(id).build(), DeleteResponse.parser(), t);
        client.call(s, "Shutdown", ShutdownRequest.newBuilder().setId(id).build(), Empty.parser(), t);
        client.call(AdminService.NAME, "Cleanup", strings(id, bundle.toString()), t);
        try {
            client.call(s, "State", StateRequest.newBuilder().setId(id).build(), StateResponse.parser(), t);
        } catch (TtrpcException expected) {
            // NOT_FOUND: the error path is trained too
        }
        try {
            client.call(s, "Create", CreateTaskRequest.newBuilder().setId("fail" + id).setBundle(bundle.toString())
                    .build(), io.jshim.proto.containerd.task.v2.CreateTaskResponse.parser(), t);
        } catch (TtrpcException expected) {
            // INVALID_ARGUMENT from the stand-in engine
        }
    }

    private static byte[] strings(String... fields) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        for (int i = 0; i < fields.length; i++) {
            o.writeString(i + 1, fields[i]);
        }
        o.flush();
        return out.toByteArray();
    }
}

package io.jshim.shim.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.proto.containerd.task.v2.StateRequest;
import io.jshim.shim.events.EventPublisher;
import io.jshim.shim.task.TaskCore;
import io.jshim.shim.task.TaskService;
import io.jshim.ttrpc.MethodHandler;
import io.jshim.ttrpc.ServiceDefinition;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics endpoint: the Task service instrumented by {@link ShimMetrics}, scraped over its unix
 * socket with a plain HTTP/1.0 GET, as Prometheus (or curl --unix-socket) would.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {

    @TempDir
    Path dir;

    /** A runtime where every task exists at once; only what the calls below need. */
    static final class NoopRuntime implements io.jshim.shim.task.ContainerRuntime {
        private int next = 4000;

        @Override
        public synchronized int create(CreateSpec spec) {
            return next++;
        }

        @Override
        public void start(Path root, String id) {
        }

        @Override
        public void kill(Path root, String id, int signal, boolean all) {
        }

        @Override
        public void delete(Path root, String id, boolean force) {
        }

        @Override
        public List<Integer> pids(Path root, String id) {
            return List.of();
        }

        @Override
        public int exec(Path root, String id, byte[] processJson, int[] stdio) {
            return 0;
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
    }

    static String get(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    break;
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void scrape_showsTasksStartsExecsRpcLatencyEventsAndJvmMemory() throws Exception {
        ShimMetrics metrics = new ShimMetrics();
        List<String> topics = new ArrayList<>();
        EventPublisher events = metrics.instrument(new EventPublisher() {
            @Override
            public boolean publish(String namespace, String topic, com.google.protobuf.Message event) {
                topics.add(topic);
                return true;
            }

            @Override
            public void close() {
            }
        });
        TaskCore core = new TaskCore("ns1", dir.resolve("root"), new NoopRuntime(), events, new TaskCore.PidWatcher() {
            @Override
            public void watch(int pid) {
            }

            @Override
            public void unwatch(int pid) {
            }
        }, Duration.ofSeconds(60));
        ServiceDefinition task = metrics.bind(core).instrument(TaskService.definition(core));
        MethodHandler create = task.methods().get("Create");
        MethodHandler start = task.methods().get("Start");
        MethodHandler state = task.methods().get("State");
        for (String id : List.of("a", "b")) {
            Path bundle = Files.createDirectories(dir.resolve(id));
            create.handle(null, CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build()
                    .toByteArray());
        }
        start.handle(null, StartRequest.newBuilder().setId("a").build().toByteArray());
        assertThrows(Exception.class, () -> state.handle(null, StateRequest.newBuilder().setId("nope").build()
                .toByteArray()));
        task.methods().get("Connect").handle(null, ConnectRequest.newBuilder().setId("a").build().toByteArray());

        Path socket = dir.resolve("m/metrics.sock");
        try (MetricsServer server = MetricsServer.start(socket, metrics::scrape)) {
            String resp = get(socket, "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n");
            assertTrue(resp.startsWith("HTTP/1.0 200 OK\r\n"), resp);
            assertTrue(resp.contains("Content-Type: text/plain; version=0.0.4"), resp);
            String body = resp.substring(resp.indexOf("\r\n\r\n") + 4);
            assertTrue(body.contains("jshim_tasks 2.0"), body);
            assertTrue(body.contains("jshim_tasks_running 1.0"), body);
            assertTrue(body.contains("jshim_task_starts_total 1.0"), body);
            assertTrue(body.contains("jshim_execs_total 0.0"), body);
            assertTrue(body.contains("jshim_rpc_seconds_count{method=\"Create\",status=\"ok\"} 2"), body);
            assertTrue(body.contains("jshim_rpc_seconds_count{method=\"State\",status=\"error\"} 1"), body);
            assertTrue(body.contains("jshim_events_total{topic=\"/tasks/create\"} 2.0"), body);
            assertTrue(body.contains("jshim_events_total{topic=\"/tasks/start\"} 1.0"), body);
            assertTrue(body.contains("jvm_memory_used_bytes{"), body);

            assertTrue(get(socket, "GET /other HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 404"));
            assertTrue(get(socket, "POST /metrics HTTP/1.0\r\n\r\n").startsWith("HTTP/1.0 405"));
            IOException taken = assertThrows(IOException.class, () -> MetricsServer.start(socket, () -> ""));
            assertTrue(taken.getMessage().contains("another process"), taken.getMessage());
        }
        assertFalse(Files.exists(socket), "the socket goes with the server");
        // a stale socket file (a dead daemon's) is replaced
        Files.createFile(socket);
        try (MetricsServer again = MetricsServer.start(socket, () -> "x 1\n")) {
            assertEquals("x 1\n", get(socket, "GET / HTTP/1.0\r\n\r\n").split("\r\n\r\n", 2)[1]);
        }
    }
}

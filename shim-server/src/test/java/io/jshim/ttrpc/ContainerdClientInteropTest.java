package io.jshim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.testing.ContainerdDaemon;
import io.jshim.testing.RootIntegration;
import io.jshim.testing.Scripts;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The other direction: containerd's own Go ttrpc client against OUR server. A stand-in shim binary
 * ({@code fake-shim.sh}) tells containerd to dial a socket served by {@link TtrpcServer} in this JVM, with
 * {@link StubTaskService} as the Task service, and ctr drives a whole task lifecycle through it: create,
 * start (attached, so it waits for the exit and then deletes the task), ps, kill. The attached {@code ctr task start}
 * blocks in our Wait handler while {@code ctr task ps} and {@code ctr task kill} go through the same
 * connection (containerd keeps one per shim), so the sequence only completes if a blocked call stalls
 * nothing else. Runs against containerd 1.6.20
 * (ttrpc 1.1) and 2.x (ttrpc 1.2, which also checks that our server accepts its stream ids).
 *
 * <p>Needs root; skipped otherwise or with JSHIM_IT_SKIP=1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerdClientInteropTest {

    @Test
    void containerd16_drivesATaskThroughOurServer() throws Exception {
        RootIntegration.assumeEnabled();
        runTaskThroughOurServer(Path.of(Scripts.run("ensure-containerd1.sh", Duration.ofMinutes(5))), 2);
    }

    @Test
    void containerd2_drivesATaskThroughOurServer() throws Exception {
        RootIntegration.assumeEnabled();
        runTaskThroughOurServer(Path.of(Scripts.run("fetch-containerd2.sh", Duration.ofMinutes(5))), 3);
    }

    private void runTaskThroughOurServer(Path bin, int configVersion) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jshim-fake-");
        Path socket = dir.resolve("task.sock");
        Path shim = dir.resolve("containerd-shim-fake-v2");
        try (InputStream script = getClass().getResourceAsStream("/fake-shim.sh")) {
            Files.copy(script, shim, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));

        StubTaskService task = new StubTaskService();
        ServiceRegistry services = new ServiceRegistry()
                .register(task.definition())
                .register("containerd.task.v3.Task", task.definition());
        String id = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (TtrpcServer server = TtrpcServer.builder(services).build().start(socket);
                ContainerdDaemon containerd = ContainerdDaemon.start(bin, configVersion,
                        Map.of("JSHIM_FAKE_SHIM_SOCKET", socket.toString()))) {
            Duration timeout = Duration.ofSeconds(20);
            expectSuccess(containerd, containerd.ctr(timeout, "-n", "jshim-it", "container", "create",
                    "--runtime", shim.toString(), "--rootfs", rootfs.toString(), id, "/bin/true"));

            // attached start: Create, Wait, Start, then ctr waits for the task's exit
            Process waiter = containerd.ctrProcess("-n", "jshim-it", "task", "start", "--null-io", id);
            try {
                TtrpcServerTest.waitFor(() -> task.calls.stream().anyMatch(c -> c.endsWith("/Wait:enter"))
                        && task.calls.stream().anyMatch(c -> c.endsWith("/Start")));
                ContainerdDaemon.CtrResult ps = containerd.ctr(timeout, "-n", "jshim-it", "task", "ps", id);
                expectSuccess(containerd, ps);
                assertTrue(ps.output().contains(String.valueOf(StubTaskService.TASK_PID)), ps.output());
                assertEquals(1, server.connectionCount(), "containerd multiplexes everything on one connection");
                assertTrue(waiter.isAlive(), "ctr task start is still blocked in our Wait");

                expectSuccess(containerd, containerd.ctr(timeout, "-n", "jshim-it", "task", "kill", "-s", "SIGKILL", id));
                assertTrue(waiter.waitFor(10, TimeUnit.SECONDS), "Wait returned after Kill");
                assertEquals(137, waiter.exitValue(), "ctr reports the exit status our Wait returned");
            } finally {
                waiter.destroyForcibly();
            }
            // an attached ctr task start deletes the task itself once it has exited: Delete, Shutdown
            TtrpcServerTest.waitFor(() -> task.calls.stream().anyMatch(c -> c.endsWith("/Shutdown")));
            expectSuccess(containerd, containerd.ctr(timeout, "-n", "jshim-it", "container", "delete", id));
            System.out.println("containerd from " + bin + " called: " + task.calls);

            List<String> calls = task.calls.stream().map(c -> c.substring(c.indexOf('/') + 1)).toList();
            assertTrue(task.calls.stream().allMatch(c -> c.startsWith("containerd.task.v2.Task/")), task.calls.toString());
            assertEquals(id, task.creates.getFirst().getId());
            assertTrue(task.creates.getFirst().getBundle().startsWith(containerd.dir().toString()),
                    task.creates.getFirst().getBundle());
            assertInOrder(calls, "Create", "Start", "Pids", "Kill", "Wait:return", "Delete", "Shutdown");
            assertTrue(calls.indexOf("Wait:enter") < calls.indexOf("Pids"), "Pids was served while Wait blocked");
        } finally {
            for (Path p : List.of(shim, socket, rootfs, dir)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void expectSuccess(ContainerdDaemon containerd, ContainerdDaemon.CtrResult result) {
        assertEquals(0, result.exitStatus(), result.output() + "\n" + containerd.logTail());
    }

    private static void assertInOrder(List<String> calls, String... expected) {
        int at = -1;
        for (String call : expected) {
            int next = calls.subList(at + 1, calls.size()).indexOf(call);
            assertTrue(next >= 0, call + " missing after position " + at + " in " + calls);
            at += next + 1;
        }
    }
}

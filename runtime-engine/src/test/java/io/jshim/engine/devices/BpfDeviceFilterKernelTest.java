package io.jshim.engine.devices;

import static io.jshim.engine.devices.DeviceFilterProgramTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The eBPF device filter on the real kernel (root only; skipped elsewhere). A cgroup2
 * directory is made under the host's cgroup2 mount (on a v1/v2 hybrid the unified hierarchy
 * has no controllers, but device programs attached to it still apply to its processes), the
 * filter attached, a shell moved into it, and what the shell may open is checked: an allowed
 * device opens, a denied one fails with EPERM ("Operation not permitted"), as under v1.
 */
class BpfDeviceFilterKernelTest {
    private Path dir;

    @BeforeEach
    void makeCgroup() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Optional<Path> mount = cgroup2Mount();
        assumeTrue(mount.isPresent(), "no cgroup2 mount");
        dir = mount.get().resolve("jshim-bpf-test-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectory(dir);
    }

    @AfterEach
    void removeCgroup() throws IOException {
        if (dir != null) {
            Files.deleteIfExists(dir); // rmdir: the shell has exited and been reaped
        }
    }

    static Optional<Path> cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length == 2 && halves[1].startsWith("cgroup2 ")) {
                return Optional.of(Path.of(halves[0].split(" ")[4]));
            }
        }
        return Optional.empty();
    }

    /** Runs {@code script} in a shell that enters {@link #dir} before it runs anything. */
    private String runInCgroup(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "read go; " + script).redirectErrorStream(true).start();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(p.pid()));
            try (OutputStream in = p.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the shell did not finish");
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void deniedDevicesFailWithEpermAndAllowedOnesOpen() throws Exception {
        BpfDeviceFilter.replace(dir, DeviceFilterProgram.of(List.of(rule('a', -1, -1, "rwm", false),
                rule('c', 1, 3, "rwm", true), rule('c', 1, 5, "r", true))));
        assertEquals(1, BpfDeviceFilter.attached(dir).size());
        String out = runInCgroup("echo x > /dev/null && echo null-w-ok;"
                + " head -c 1 /dev/zero > /dev/null && echo zero-r-ok;"
                + " (echo x > /dev/zero) 2>&1; (cat /dev/full) 2>&1; true");
        assertTrue(out.contains("null-w-ok"), out);
        assertTrue(out.contains("zero-r-ok"), out);
        assertTrue(out.contains("/dev/zero: Operation not permitted"), out);
        assertTrue(out.contains("/dev/full: Operation not permitted"), out);
    }

    @Test
    void replacingTheFilterDetachesTheOldOne() throws Exception {
        BpfDeviceFilter.replace(dir, DeviceFilterProgram.of(List.of(rule('a', -1, -1, "rwm", false),
                rule('c', 1, 3, "rwm", true))));
        // an update that opens /dev/full: with ALLOW_MULTI the old deny would still win if it stayed
        BpfDeviceFilter.replace(dir, DeviceFilterProgram.of(List.of(rule('a', -1, -1, "rwm", false),
                rule('c', 1, 3, "rwm", true), rule('c', 1, 7, "rw", true))));
        assertEquals(1, BpfDeviceFilter.attached(dir).size());
        String out = runInCgroup("head -c 1 /dev/full > /dev/null && echo full-ok; (cat /dev/zero) 2>&1; true");
        assertTrue(out.contains("full-ok"), out);
        assertTrue(out.contains("/dev/zero: Operation not permitted"), out);
    }
}

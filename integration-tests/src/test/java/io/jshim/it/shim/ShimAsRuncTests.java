package io.jshim.it.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.testing.ContainerdDaemon.CtrResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * jshim receiving runc's options: containerd's {@code io.containerd.runc.v2} runtime resolved to jshim's
 * binary ({@link ShimFixture#start(String, boolean)}), so that {@code ctr run --runc-*} sends
 * {@code containerd.runc.v1.Options}, as a CRI handler of runtime_type io.containerd.runc.v2 with
 * runtime_path jshim would. SystemdCgroup is refused with a message that says what to do; Root,
 * NoPivotRoot and IoUid/IoGid are honoured; BinaryName is ignored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ShimAsRuncTests {

    static final String RUNC = "io.containerd.runc.v2";

    ShimFixture f;

    abstract String containerdVersion();

    @BeforeAll
    void startContainerd() throws Exception {
        f = ShimFixture.start(containerdVersion(), true);
    }

    @AfterAll
    void stopContainerd() {
        if (f != null) {
            f.close();
        }
    }

    private String why(CtrResult r) {
        return r.output() + "\n" + f.daemonLogs() + "\n--- containerd\n" + f.containerd.logTail();
    }

    @Test
    void systemdCgroup_failsTheRun_andCtrSaysWhy() throws Exception {
        String id = f.id("systemd");
        CtrResult r = f.ctr("run", "--rm", "--runtime", RUNC, "--runc-systemd-cgroup", "--cgroup",
                "system.slice:jshim-it:" + id, "--rootfs", f.rootfs.toString(), id, "/bin/true");
        f.ctr("container", "rm", id);
        assertTrue(r.exitStatus() != 0, why(r));
        assertTrue(r.output().contains("runc option SystemdCgroup = true is not supported: jshim has no systemd "
                + "cgroup driver yet (remove SystemdCgroup from the runtime's options)"), r.output());
    }

    /** {@code --runc-root} (the container's runtime options; the Create has no task options) and {@code --runc-binary}. */
    @Test
    void root_isHonoured_binaryNameIgnored() throws Exception {
        String id = f.id("root");
        Path root = f.work.resolve("runc-root");
        Process run = f.ctrProcess("run", "--rm", "--runtime", RUNC, "--runc-root", root.toString(), "--runc-binary",
                "/usr/bin/runc", "--rootfs", f.rootfs.toString(), id, "/bin/sh", "-c", "echo ran; sleep 3");
        try {
            Path state = root.resolve(f.namespace).resolve(id);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.isDirectory(state) && run.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.isDirectory(state), "no engine state under the runc Root option: " + state);
            assertTrue(run.waitFor(30, TimeUnit.SECONDS));
            String out = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), out + "\n" + f.daemonLogs());
            assertEquals("ran", out.strip(), out);
            assertTrue(!Files.exists(state), "engine state left at " + state);
        } finally {
            run.destroyForcibly();
        }
    }

    /** {@code --no-pivot --uidmap/--gidmap}: the task options NoPivotRoot, IoUid and IoGid. */
    @Test
    void noPivotAndIoOwner_areHonoured() throws Exception {
        String id = f.id("nopivot");
        CtrResult r = f.ctr("run", "--rm", "--runtime", RUNC, "--no-pivot", "--uidmap", "0:1234:65536", "--gidmap",
                "0:5678:65536", "--rootfs", f.rootfs.toString(), id, "/bin/sh", "-c", "stat -L -c '%u %g' /proc/self/fd/1");
        assertEquals(0, r.exitStatus(), why(r));
        // containerd 2.1.9's ctr sends only NoPivotRoot here (the daemon logs a 2-byte Options), no IoUid/IoGid
        assertEquals(containerdVersion().equals("1") ? "1234 5678" : "0 0", r.output().strip(), why(r));
    }
}

package io.jshim.engine.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.EngineException;
import io.jshim.engine.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HostSecurity read from a fake /proc and /sys; LSM labels; oomScoreAdj. */
class HostAndLabelsTest {

    private static void write(Path root, String rel, String text) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void hostFactsComeFromProcAndSys(@TempDir Path root) throws Exception {
        write(root, "proc/sys/kernel/cap_last_cap", "40\n");
        write(root, "proc/self/status", "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n");
        HostSecurity h = HostSecurity.probe(root);
        assertEquals(40, h.lastCap());
        assertEquals(0x1fffeffffffL, h.ownPermitted());
        assertFalse(h.appArmorEnabled());
        assertFalse(h.seLinuxEnabled());

        write(root, "sys/kernel/security/apparmor/profiles", "");
        write(root, "sys/module/apparmor/parameters/enabled", "N\n");
        assertFalse(HostSecurity.probe(root).appArmorEnabled());
        write(root, "sys/module/apparmor/parameters/enabled", "Y\n");
        assertTrue(HostSecurity.probe(root).appArmorEnabled());
        write(root, "sys/fs/selinux/enforce", "1");
        assertTrue(HostSecurity.probe(root).seLinuxEnabled());
    }

    @Test
    void labelsOfAnAbsentSecurityModuleAreClearErrors() throws Exception {
        HostSecurity none = new HostSecurity(40, -1L, false, false);
        assertEquals("process.apparmorProfile \"x\": AppArmor is not enabled on this host",
                assertThrows(SpecException.class, () -> LsmLabels.check("x", null, null, none)).getMessage());
        assertEquals("process.selinuxLabel \"system_u:system_r:container_t:s0\": SELinux is not enabled on this host",
                assertThrows(SpecException.class, () -> LsmLabels.check(null, "system_u:system_r:container_t:s0",
                        null, none)).getMessage());
        assertEquals("linux.mountLabel \"l\": SELinux is not enabled on this host",
                assertThrows(SpecException.class, () -> LsmLabels.check("", "", "l", none)).getMessage());
        LsmLabels.check(null, "", null, none);
        HostSecurity both = new HostSecurity(40, -1L, true, true);
        assertEquals("process.apparmorProfile \"x\": applying AppArmor profiles is not supported by this version of "
                + "jrunc", assertThrows(SpecException.class, () -> LsmLabels.check("x", null, null, both)).getMessage());
    }

    @Test
    void oomScoreAdjIsCheckedAndWrittenToTheInitsProcFile(@TempDir Path proc) throws Exception {
        assertEquals("process.oomScoreAdj: 1001 is out of range (-1000..1000)",
                assertThrows(SpecException.class, () -> OomScoreAdj.validate(1001)).getMessage());
        OomScoreAdj.validate(-1000);
        OomScoreAdj.validate(null);
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/oom_score_adj"), "0\n");
        OomScoreAdj oom = new OomScoreAdj(proc);
        oom.apply(42, 500);
        assertEquals("500", Files.readString(proc.resolve("42/oom_score_adj")));
        oom.apply(42, null); // absent: untouched
        assertEquals("500", Files.readString(proc.resolve("42/oom_score_adj")));
        EngineException e = assertThrows(EngineException.class, () -> oom.apply(7, 100));
        assertEquals("process.oomScoreAdj 100: " + proc.resolve("7/oom_score_adj") + ": the container's init is gone",
                e.getMessage());
        if (io.jshim.engine.linux.Syscalls.geteuid() == 0 && Files.isWritable(Path.of("/proc/self/oom_score_adj"))) {
            // the real kernel: lowering below our own needs CAP_SYS_RESOURCE (if we lack it, the
            // message says so; if we have it, the write simply works)
            int self = (int) ProcessHandle.current().pid();
            String own = HostSecurity.read(Path.of("/proc/self/oom_score_adj"));
            try {
                OomScoreAdj.host().apply(self, Integer.parseInt(own) - 1);
                OomScoreAdj.host().apply(self, Integer.parseInt(own)); // it worked: put it back
            } catch (EngineException denied) {
                assertTrue(denied.getMessage().contains("needs CAP_SYS_RESOURCE"), denied.getMessage());
            }
        }
    }
}

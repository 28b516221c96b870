package io.jshim.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.it.support.BusyboxBundle;
import io.jshim.it.support.Result;
import io.jshim.it.support.TestBed;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@code linux.devices} (nodes made in the container's /dev) and {@code linux.resources.devices}
 * (the device cgroup: v1 devices.allow/deny on this host), side by side with runc.
 *
 * <p>The v2 eBPF device filter cannot run under jrunc here (the controllers of this hybrid host
 * sit on v1, so jrunc picks v1); it is tested against the real kernel in runtime-engine's
 * {@code BpfDeviceFilterKernelTest}, on a cgroup2 directory of the unified hierarchy.
 */
class DevicesIT {

    private static Consumer<ObjectNode> device(String path, String type, long major, long minor, int mode, int uid,
            int gid) {
        return c -> c.withObjectProperty("linux").withArrayProperty("devices").addObject().put("path", path)
                .put("type", type).put("major", major).put("minor", minor).put("fileMode", mode).put("uid", uid)
                .put("gid", gid);
    }

    private static Consumer<ObjectNode> allow(String type, long major, long minor, String access) {
        return c -> c.withObjectProperty("linux").withObjectProperty("resources").withArrayProperty("devices")
                .addObject().put("allow", true).put("type", type).put("major", major).put("minor", minor)
                .put("access", access);
    }

    private static String both(Result j, Result r) {
        return "--- jrunc:\n" + j.describe() + "\n--- runc:\n" + r.describe();
    }

    private static Result[] runBoth(TestBed bed, BusyboxBundle b, String name) {
        Result j = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id(name + "-jrunc"));
        Result r = bed.runc().run("run", "--bundle", b.dir().toString(), bed.id(name + "-runc"));
        assertEquals(0, r.exitCode(), () -> both(j, r));
        assertEquals(0, j.exitCode(), () -> both(j, r));
        return new Result[] {j, r};
    }

    @Test
    void specDevicesAppearWithTheirNumbersModeAndOwner(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("sh", "-c",
                        "stat -c '%n %F %t:%T %a %u:%g' /dev/xfull /dev/sub/xloop /dev/xfifo")
                .edit(device("/dev/xfull", "c", 1, 7, 0640, 1000, 1001))
                .edit(device("/dev/sub/xloop", "b", 7, 0, 0600, 0, 6))
                .edit(device("/dev/xfifo", "p", 0, 0, 0620, 5, 5))
                .build();
        Result[] res = runBoth(bed, b, "nodes");
        assertEquals("/dev/xfull character special file 1:7 640 1000:1001\n"
                + "/dev/sub/xloop block special file 7:0 600 0:6\n"
                + "/dev/xfifo fifo 0:0 620 5:5\n", res[0].stdout(), () -> both(res[0], res[1]));
        assertEquals(res[1].stdout(), res[0].stdout(), () -> both(res[0], res[1]));
    }

    @Test
    void theDeviceCgroupAllowsAndDeniesAsUnderRunc(TestBed bed) {
        // Both nodes exist in /dev; the spec's rules (runc spec: deny all) allow /dev/fuse for
        // reading only and /dev/uinput not at all; /dev/null is among runc's default allowed
        // devices. Opening either needs no capability, so EPERM comes from the device cgroup.
        BusyboxBundle b = bed.bundle("b").args("sh", "-c",
                        "(exec 3</dev/fuse) && echo fuse-read-open; (exec 3>/dev/fuse) && echo fuse-write-open;"
                        + " (exec 3</dev/uinput) && echo uinput-open;"
                        + " echo x > /dev/null && echo null-ok; true")
                .edit(device("/dev/fuse", "c", 10, 229, 0666, 0, 0))
                .edit(device("/dev/uinput", "c", 10, 223, 0600, 0, 0))
                .edit(allow("c", 10, 229, "r"))
                .build();
        Result[] res = runBoth(bed, b, "cgroup");
        assertEquals("fuse-read-open\nnull-ok\n", res[0].stdout(), () -> both(res[0], res[1]));
        assertEquals("sh: can't create /dev/fuse: Operation not permitted\n"
                + "sh: can't open /dev/uinput: Operation not permitted\n", res[0].stderr(), () -> both(res[0], res[1]));
        assertEquals(res[1].stdout(), res[0].stdout(), () -> both(res[0], res[1]));
        assertEquals(res[1].stderr(), res[0].stderr(), () -> both(res[0], res[1]));
    }

    @Test
    void aFileThatIsNotTheDeviceIsAnError(TestBed bed) throws IOException {
        assumeTrue(bed.jrunc().isJrunc(), "runc 1.1.5 keeps whatever file is there (config-linux.md says MUST error)");
        // /dev from the image (no tmpfs), holding a regular file where the spec wants a device
        BusyboxBundle b = bed.bundle("b").args("true").edit(device("/dev/xfull", "c", 1, 7, 0666, 0, 0))
                .edit(c -> {
                    ArrayNode mounts = c.withArrayProperty("mounts");
                    for (int i = mounts.size() - 1; i >= 0; i--) {
                        if (mounts.get(i).path("destination").asText().equals("/dev")) {
                            mounts.remove(i);
                        }
                    }
                }).build();
        Files.writeString(b.rootfs().resolve("dev/xfull"), "not a device\n");
        Result r = bed.jrunc().run("run", "--bundle", b.dir().toString(), bed.id("conflict"));
        assertEquals(1, r.exitCode(), r::describe);
        assertEquals(1, r.stderrLines().size(), r::describe);
        assertTrue(r.errorMessage().contains("create device /dev/xfull: a file that is not a device node is in the "
                + "way"), r::describe);
        bed.assertNothingLeft("a device path taken by a regular file");
        assertEquals("not a device\n", Files.readString(b.rootfs().resolve("dev/xfull")));
    }

    @Test
    void aBadDeviceRuleFailsCleanly(TestBed bed) {
        BusyboxBundle b = bed.bundle("b").args("true").edit(c -> c.withObjectProperty("linux")
                .withObjectProperty("resources").withArrayProperty("devices").addObject().put("allow", true)
                .put("type", "x").put("access", "rwm")).build();
        for (var rt : List.of(bed.jrunc(), bed.runc())) {
            Result r = rt.run("run", "--bundle", b.dir().toString(), bed.id("badrule-" + rt.name()));
            assertEquals(1, r.exitCode(), r::describe);
            bed.assertNothingLeft(rt.name() + ": a bad device rule");
            assertTrue(r.errorMessage().contains("invalid cgroup device type \"x\""), r::describe);
        }
    }
}

package io.jshim.engine.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupPathsTest {
    @TempDir
    Path tmp;

    @Test
    void cleanLikeRunc() {
        assertEquals("a/b", CgroupPaths.clean("../../a/./b/"));
        assertEquals("/b", CgroupPaths.clean("/a/../../b"));
        assertEquals("a/b/c", CgroupPaths.clean("a//b/./c"));
        assertEquals("/", CgroupPaths.clean("/.."));
        assertEquals("", CgroupPaths.clean(null));
    }

    @Test
    void v1AbsentPathIsOwnCgroupPlusIdPerController() throws Exception {
        FakeHost h = FakeHost.thisMachine(tmp).own("memory", "/process_api/x");
        Map<String, Path> p = CgroupPaths.v1(h.layout(), null, "ctr1");
        assertEquals(h.mount("memory").resolve("process_api/x/ctr1"), p.get("memory"));
        assertEquals(h.mount("cpu").resolve("ctr1"), p.get("cpu"));
        assertEquals(h.mount("systemd").resolve("ctr1"), p.get("name=systemd"));
        assertFalse(p.containsKey("hugetlb"));
        assertEquals(9, p.size());
        assertEquals(p, CgroupPaths.v1(h.layout(), "", "ctr1"));
    }

    @Test
    void v1RelativePathIsUnderOwnCgroup() throws Exception {
        FakeHost h = FakeHost.thisMachine(tmp).own("memory", "/process_api/x");
        Map<String, Path> p = CgroupPaths.v1(h.layout(), "k8s/pod1/../ctr1", "ignored");
        assertEquals(h.mount("memory").resolve("process_api/x/k8s/ctr1"), p.get("memory"));
        assertEquals(h.mount("pids").resolve("k8s/ctr1"), p.get("pids"));
    }

    @Test
    void v1AbsolutePathIsFromTheHierarchyRoot() throws Exception {
        FakeHost h = FakeHost.thisMachine(tmp).own("memory", "/process_api/x");
        Map<String, Path> p = CgroupPaths.v1(h.layout(), "/jshim/ctr1", "ignored");
        assertEquals(h.mount("memory").resolve("jshim/ctr1"), p.get("memory"));
        assertEquals(h.mount("cpuset").resolve("jshim/ctr1"), p.get("cpuset"));
        assertEquals(h.mount("cpuset").resolve("x"), CgroupPaths.v1(h.layout(), "/../x", "i").get("cpuset"));
    }

    @Test
    void v1CombinedMountsShareTheDirectory() throws Exception {
        FakeHost h = FakeHost.v1(tmp, "cpu,cpuacct", "memory", "devices");
        Map<String, Path> p = CgroupPaths.v1(h.layout(), "/c", "i");
        assertEquals(h.mount("cpu,cpuacct").resolve("c"), p.get("cpu"));
        assertEquals(p.get("cpu"), p.get("cpuacct"));
    }

    @Test
    void v1MountRootIsStrippedFromOwnCgroup() throws Exception {
        // Inside a container that sees /docker/abc of the host's memory hierarchy at its mount point.
        FakeHost h = FakeHost.v1(tmp, "memory", "devices").mountRoot("memory", "/docker/abc")
                .own("memory", "/docker/abc/sub");
        Map<String, Path> p = CgroupPaths.v1(h.layout(), null, "ctr");
        assertEquals(h.mount("memory").resolve("sub/ctr"), p.get("memory"));
        assertEquals(h.mount("devices").resolve("ctr"), p.get("devices"));
    }

    @Test
    void v2RelativeGoesUnderTheParentOfOwnCgroup() throws Exception {
        FakeHost h = FakeHost.v2(tmp, "cpu memory pids").own("", "/user.slice/session-1.scope");
        assertEquals(h.cgroupRoot.resolve("user.slice/ctr1"), CgroupPaths.v2(h.layout(), null, "ctr1"));
        assertEquals(h.cgroupRoot.resolve("user.slice/a/b"), CgroupPaths.v2(h.layout(), "a/b", "ctr1"));
        assertEquals(h.cgroupRoot.resolve("a/b"), CgroupPaths.v2(h.layout(), "/a/b", "ctr1"));
    }

    @Test
    void v2OwnCgroupAtRoot() throws Exception {
        FakeHost h = FakeHost.v2(tmp, "cpu memory pids");
        assertEquals(h.cgroupRoot.resolve("ctr1"), CgroupPaths.v2(h.layout(), null, "ctr1"));
    }

    @Test
    void hierarchyRootItselfIsRefused() throws Exception {
        FakeHost h = FakeHost.thisMachine(tmp);
        CgroupException e = assertThrows(CgroupException.class, () -> CgroupPaths.v1(h.layout(), "/", "id"));
        assertTrue(e.getMessage().contains("names no cgroup"), e.getMessage());
        assertThrows(CgroupException.class, () -> CgroupPaths.v1(h.layout(), null, ""));
        assertThrows(CgroupException.class, () -> CgroupPaths.v1(h.layout(), "/a/..", "id"));
    }

    @Test
    void managerFactoryPicksTheVersion() throws Exception {
        FakeHost v1 = FakeHost.thisMachine(tmp.resolve("a"));
        FakeHost v2 = FakeHost.v2(tmp.resolve("b"), "memory");
        assertEquals(CgroupLayout.Mode.V1, CgroupManager.create(v1.layout(), null, "x").mode());
        assertEquals(CgroupLayout.Mode.V2, CgroupManager.create(v2.layout(), null, "x").mode());
    }
}

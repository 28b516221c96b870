package io.jshim.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.proto.cri.runtime.v1.ContainerStats;
import io.jshim.proto.cri.runtime.v1.ContainerStatsFilter;
import io.jshim.proto.cri.runtime.v1.ContainerStatsRequest;
import io.jshim.proto.cri.runtime.v1.ListContainerStatsRequest;
import io.jshim.proto.cri.runtime.v1.ListPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.PodSandboxState;
import io.jshim.proto.cri.runtime.v1.PodSandboxStatus;
import io.jshim.proto.cri.runtime.v1.PodSandboxStatusRequest;
import io.jshim.proto.cri.runtime.v1.VersionRequest;
import io.jshim.proto.cri.runtime.v1.VersionResponse;
import io.jshim.testing.ContainerdDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Kubernetes' view of jshim: a CRI client (what kubelet does, over containerd's CRI socket with
 * grpc-java) runs the same pods on the {@code runc} handler and on the {@code jshim} handler of one
 * private containerd, checks each, and compares what it saw. Each run has two pods with a network
 * namespace of their own (CNI) of two containers each, plus a host-network pod, all at once:
 * <ul>
 *   <li>containers of one pod share the network (a web server on 127.0.0.1 in one is reached from the
 *       other), IPC and UTS namespaces and the pod's /dev/shm; containers of two pods share none of them;
 *       each container has its own pid namespace (the CRI default) in one pod, and the other pod shares
 *       the sandbox's (shareProcessNamespace: pause is pid 1 and every container's processes show);</li>
 *   <li>ExecSync returns stdout, stderr and exit codes; container output reaches the CRI log file;</li>
 *   <li>ContainerStats and ListContainerStats return non-zero CPU and memory;
 *       UpdateContainerResources changes the limits in the container's cgroup;</li>
 *   <li>StopContainer, RemoveContainer, StopPodSandbox and RemovePodSandbox clean everything up: no
 *       process, mount, cgroup, network namespace or shim daemon remains.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class CriPodTests {

    CriFixture f;
    private final Map<String, Map<String, String>> observed = new TreeMap<>();

    abstract String containerdVersion();

    /** The jshim grouping under test ({@code JSHIM_SHIM_GROUP}): "" for the default, or "pod". */
    String grouping() {
        return "";
    }

    @BeforeAll
    void startContainerd() throws Exception {
        f = CriFixture.start(containerdVersion(),
                grouping().isEmpty() ? Map.of() : Map.of("JSHIM_SHIM_GROUP", grouping()));
    }

    @AfterAll
    void stopContainerd() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @Order(1)
    void versionNamesContainerdAndCriV1() {
        VersionResponse v = f.cri.version(VersionRequest.newBuilder().setVersion("v1").build());
        assertEquals("containerd", v.getRuntimeName());
        assertEquals("v1", v.getRuntimeApiVersion());
        assertTrue(v.getRuntimeVersion().startsWith(containerdVersion().equals("1") ? "1.6" : "2."),
                v.getRuntimeVersion());
    }

    @Test
    @Order(2)
    void podsRunOnRunc() throws Exception {
        observed.put("runc", runPods("runc"));
    }

    @Test
    @Order(3)
    void podsRunOnJshim() throws Exception {
        observed.put("jshim", runPods("jshim"));
    }

    @Test
    @Order(4)
    void jshimBehavesAsRunc() {
        assertNotNull(observed.get("runc"), "the runc run failed");
        assertNotNull(observed.get("jshim"), "the jshim run failed");
        assertEquals(observed.get("runc").toString().replace(", ", ",\n"),
                observed.get("jshim").toString().replace(", ", ",\n"));
    }

    /**
     * Runs the pods on {@code handler}, checks them, removes them and checks that nothing remains.
     * Returns what it saw that does not depend on the handler (outputs, exit codes, states, which
     * namespaces are shared), for the comparison with runc.
     */
    private Map<String, String> runPods(String handler) throws Exception {
        Map<String, String> seen = new TreeMap<>();
        String tag = handler.substring(0, 1);
        Path logs = Files.createDirectories(f.work.resolve("logs-" + handler));
        PodUnderTest a = new PodUnderTest(f, handler, "a" + tag, false, logs);
        PodUnderTest b = new PodUnderTest(f, handler, "b" + tag, false, true, logs); // shareProcessNamespace
        PodUnderTest h = new PodUnderTest(f, handler, "h" + tag, true, logs);
        List<PodUnderTest> pods = List.of(a, b, h);
        try {
            for (PodUnderTest p : pods) {
                p.run();
            }
            for (PodUnderTest p : List.of(a, b)) {
                p.startWebAndClient();
            }
            h.startClientOnly();
            seen.put("h.exits-7", h.runToExit("quick", 7));

            // Sandboxes are ready; CNI pods have an address of the test's link-local range, host pods none.
            for (PodUnderTest p : pods) {
                PodSandboxStatus st = f.cri.podSandboxStatus(PodSandboxStatusRequest.newBuilder()
                        .setPodSandboxId(p.sandboxId).build()).getStatus();
                assertEquals(PodSandboxState.SANDBOX_READY, st.getState(), p.name);
                assertEquals(handler, st.getRuntimeHandler(), p.name);
                if (p.hostNetwork) {
                    assertEquals("", st.getNetwork().getIp(), p.name + " (host network) has a pod IP");
                } else {
                    assertTrue(st.getNetwork().getIp().startsWith(CriFixture.SUBNET_PREFIX),
                            p.name + " IP " + st.getNetwork().getIp());
                }
                seen.put(p.key() + ".state", st.getState().name());
            }
            if (handler.equals("jshim")) {
                // a pod's sandbox and containers share one daemon: by default the k8s.io namespace's
                // daemon serves every pod; with grouping "pod", one per pod (io.kubernetes.cri.sandbox-id)
                int expected = grouping().equals("pod") ? pods.size() : 1;
                assertEquals(expected, f.daemonPids().size(), "jshim daemons for " + pods.size() + " pods: "
                        + f.daemonPids());
                for (PodUnderTest p : pods) {
                    p.assertOneShimAddress();
                }
            }

            // localhost, IPC, UTS and /dev/shm are shared within a pod, not across pods
            for (PodUnderTest p : List.of(a, b)) {
                seen.put(p.key() + ".localhost", p.clientFetchesOwnWebServer());
                seen.put(p.key() + ".shm", p.exec(p.clientId, "cat", "/dev/shm/marker").stdout().replace("-" + p.name, "-" + p.key()));
                seen.put(p.key() + ".hostname", p.exec(p.clientId, "hostname").stdout().replace("-" + p.name, "-" + p.key()));
                for (String ns : List.of("net", "ipc", "uts")) {
                    assertEquals(p.namespace(p.webId, ns), p.namespace(p.clientId, ns), p.name + " " + ns);
                }
                if (p.sharePid) {
                    // shareProcessNamespace: one pid namespace, the sandbox's, where pause is pid 1
                    assertEquals(p.namespace(p.webId, "pid"), p.namespace(p.clientId, "pid"), p.name + " pid");
                    assertEquals("pause", p.exec(p.clientId, "cat", "/proc/1/comm").stdout().strip(), p.name);
                } else {
                    assertNotEquals(p.namespace(p.webId, "pid"), p.namespace(p.clientId, "pid"),
                            p.name + ": containers have a pid namespace each");
                }
                seen.put(p.key() + ".ps", p.processNames(p.clientId));
                assertNotEquals(PodUnderTest.hostNamespace("net"), p.namespace(p.clientId, "net"), p.name);
                seen.put(p.key() + ".log", p.webLogLine());
            }
            for (String ns : List.of("net", "ipc", "uts")) {
                assertNotEquals(a.namespace(a.clientId, ns), b.namespace(b.clientId, ns), "pods a and b share " + ns);
            }
            seen.put("b.sees-a-shm", Integer.toString(b.exec(b.clientId, "cat", "/dev/shm/marker-" + a.name).exitCode()));
            assertEquals(PodUnderTest.hostNamespace("net"), h.namespace(h.clientId, "net"), "host network pod");
            // the host pod is privileged (as node agents are): every capability, the host's devices, rw /sys
            seen.put("h.privileged", h.exec(h.clientId, "/bin/sh", "-c",
                    "grep -E '^Cap(Eff|Bnd)' /proc/self/status; ls /dev | sort | md5sum; grep ' /sys ' /proc/mounts"
                    + " | cut -d' ' -f3,4 | cut -d, -f1").toString());
            seen.put("a.unprivileged", a.exec(a.clientId, "/bin/sh", "-c",
                    "grep -E '^Cap(Eff|Bnd)' /proc/self/status; ls /dev | sort | md5sum; grep ' /sys ' /proc/mounts"
                    + " | cut -d' ' -f3,4 | cut -d, -f1").toString());

            // ExecSync: stdout, stderr and the exit code
            PodUnderTest.ExecResult r = a.exec(a.clientId, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(new PodUnderTest.ExecResult("out\n", "err\n", 3), r);
            seen.put("exec", r.toString());
            seen.put("exec.missing", Integer.toString(a.exec(a.clientId, "/bin/sh", "-c", "exec /no/such").exitCode()));

            // stats: non-zero CPU and memory for running containers, by id and listed by pod
            a.exec(a.clientId, "/bin/sh", "-c", "i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done");
            ContainerStats stats = f.cri.containerStats(ContainerStatsRequest.newBuilder()
                    .setContainerId(a.clientId).build()).getStats();
            assertEquals(a.clientId, stats.getAttributes().getId());
            assertTrue(stats.getCpu().getUsageCoreNanoSeconds().getValue() > 0, "cpu: " + stats.getCpu());
            assertTrue(stats.getMemory().getWorkingSetBytes().getValue() > 0, "memory: " + stats.getMemory());
            for (PodUnderTest p : List.of(a, b)) {
                List<ContainerStats> listed = f.cri.listContainerStats(ListContainerStatsRequest.newBuilder()
                        .setFilter(ContainerStatsFilter.newBuilder().setPodSandboxId(p.sandboxId)).build())
                        .getStatsList();
                assertEquals(2, listed.size(), p.name + ": " + listed);
                for (ContainerStats s : listed) {
                    assertTrue(s.getCpu().getUsageCoreNanoSeconds().getValue() > 0, p.name + " cpu: " + s);
                    assertTrue(s.getMemory().getWorkingSetBytes().getValue() > 0, p.name + " memory: " + s);
                }
                seen.put(p.key() + ".stats", Integer.toString(listed.size()));
            }

            // Pids (containerd's task ps, which CRI and kubelet's tooling rely on) lists the processes
            for (PodUnderTest p : List.of(a, b)) {
                ContainerdDaemon.CtrResult ps = f.containerd.ctr(Duration.ofSeconds(30), "--namespace", "k8s.io",
                        "task", "ps", p.clientId);
                assertEquals(0, ps.exitStatus(), ps.output());
                long pids = ps.output().lines().skip(1).filter(l -> l.matches("\\s*\\d+\\s.*")).count();
                assertTrue(pids >= 1, p.name + " task ps: " + ps.output());
                seen.put(p.key() + ".pids", Long.toString(pids));
            }

            // UpdateContainerResources changes the limits in the container's own cgroup
            Map<String, String> limits = a.updateClientResources(64L << 20, 100_000, 50_000);
            assertEquals(Long.toString(64L << 20), limits.get("memory.limit_in_bytes"), limits.toString());
            assertEquals("50000", limits.get("cpu.cfs_quota_us"), limits.toString());
            assertEquals("100000", limits.get("cpu.cfs_period_us"), limits.toString());
            seen.put("update", limits.toString());

            // stop: the exit status kubelet sees (sleep as pid 1 ignores SIGTERM: killed after the grace)
            for (PodUnderTest p : pods) {
                seen.put(p.key() + ".stop", p.stopClient(1));
            }
        } finally {
            for (PodUnderTest p : pods) {
                p.remove();
            }
        }
        assertTrue(f.cri.listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList().stream()
                .noneMatch(s -> pods.stream().anyMatch(p -> s.getId().equals(p.sandboxId))), "removed pods still listed");
        List<Long> daemons = f.awaitNoDaemons();
        assertTrue(daemons.isEmpty(), "jshim daemons left after their pods were removed: " + daemons + "\n"
                + f.daemonLogs());
        f.removeCgroupParents();
        List<String> leaks = f.leaks();
        assertTrue(leaks.isEmpty(), handler + " pods left behind:\n  " + String.join("\n  ", leaks));
        return seen;
    }
}

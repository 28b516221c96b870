package io.jshim.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import io.jshim.proto.cri.runtime.v1.ContainerConfig;
import io.jshim.proto.cri.runtime.v1.ContainerMetadata;
import io.jshim.proto.cri.runtime.v1.ContainerState;
import io.jshim.proto.cri.runtime.v1.ContainerStatus;
import io.jshim.proto.cri.runtime.v1.ContainerStatusRequest;
import io.jshim.proto.cri.runtime.v1.CreateContainerRequest;
import io.jshim.proto.cri.runtime.v1.ExecSyncRequest;
import io.jshim.proto.cri.runtime.v1.ExecSyncResponse;
import io.jshim.proto.cri.runtime.v1.ImageSpec;
import io.jshim.proto.cri.runtime.v1.LinuxContainerConfig;
import io.jshim.proto.cri.runtime.v1.LinuxContainerResources;
import io.jshim.proto.cri.runtime.v1.LinuxContainerSecurityContext;
import io.jshim.proto.cri.runtime.v1.LinuxPodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.LinuxSandboxSecurityContext;
import io.jshim.proto.cri.runtime.v1.NamespaceMode;
import io.jshim.proto.cri.runtime.v1.NamespaceOption;
import io.jshim.proto.cri.runtime.v1.PodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.PodSandboxMetadata;
import io.jshim.proto.cri.runtime.v1.RemoveContainerRequest;
import io.jshim.proto.cri.runtime.v1.RemovePodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.RunPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.StartContainerRequest;
import io.jshim.proto.cri.runtime.v1.StopContainerRequest;
import io.jshim.proto.cri.runtime.v1.StopPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.UpdateContainerResourcesRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One pod as kubelet would make it through CRI: a sandbox (its own network namespace from CNI, or the
 * host's), a {@code web} container serving {@code pod-<name>} over HTTP on 127.0.0.1:8080 and writing a
 * marker into the pod's /dev/shm, and a {@code client} container that only sleeps and is exec'd into.
 */
final class PodUnderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String handler;
    final String name;
    final boolean hostNetwork;
    /** shareProcessNamespace: the pod's containers join the sandbox's pid namespace (pause is pid 1). */
    final boolean sharePid;
    private final CriFixture f;
    private final Path logDir;
    private PodSandboxConfig config;
    String sandboxId;
    String webId;
    String clientId;
    private final List<String> containers = new ArrayList<>();

    PodUnderTest(CriFixture f, String handler, String name, boolean hostNetwork, Path logs) throws IOException {
        this(f, handler, name, hostNetwork, false, logs);
    }

    PodUnderTest(CriFixture f, String handler, String name, boolean hostNetwork, boolean sharePid, Path logs)
            throws IOException {
        this.sharePid = sharePid;
        this.f = f;
        this.handler = handler;
        this.name = name;
        this.hostNetwork = hostNetwork;
        this.logDir = Files.createDirectories(logs.resolve(name));
    }

    /** The pod's name without the handler's letter, so that runc's and jshim's observations compare. */
    String key() {
        return name.substring(0, 1);
    }

    private NamespaceOption namespaces() {
        return NamespaceOption.newBuilder()
                .setNetwork(hostNetwork ? NamespaceMode.NODE : NamespaceMode.POD)
                .setPid(sharePid ? NamespaceMode.POD : NamespaceMode.CONTAINER)
                .setIpc(NamespaceMode.POD)
                .build();
    }

    /** RunPodSandbox, as kubelet asks for it (cgroupfs driver: a cgroup parent per pod). */
    void run() {
        PodSandboxConfig.Builder c = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default")
                        .setUid(UUID.randomUUID().toString()))
                .setLogDirectory(logDir.toString())
                .putLabels("jshim-it", f.session.token())
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent(f.cgroupRoot + "/pod-" + name)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces())
                                .setPrivileged(hostNetwork)));
        if (!hostNetwork) {
            c.setHostname("host-" + name); // a host-network pod must not set one
        }
        config = c.build();
        sandboxId = f.cri.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                .setRuntimeHandler(handler).build()).getPodSandboxId();
    }

    void startWebAndClient() throws Exception {
        webId = createAndStart("web", List.of("/bin/sh", "-c", "echo marker-" + name + " > /dev/shm/marker && "
                + "echo pod-" + name + " > /dev/shm/marker-" + name + " && mkdir -p /tmp/www && echo pod-" + name
                + " > /tmp/www/index.html && echo web-started && exec httpd -f -p 127.0.0.1:8080 -h /tmp/www"));
        clientId = createAndStart("client", List.of("/bin/sleep", "3600"));
    }

    void startClientOnly() throws Exception {
        clientId = createAndStart("client", List.of("/bin/sleep", "3600"));
    }

    /**
     * A container that exits on its own with {@code status}: CRI learns it from the shim's exit event
     * (and Wait); returns the state, exit code and reason it reports once the container stopped.
     */
    String runToExit(String container, int status) throws Exception {
        String id = createAndStart(container, List.of("/bin/sh", "-c", "echo bye; exit " + status), false);
        ContainerStatus st = status(id);
        for (int i = 0; i < 100 && st.getState() != ContainerState.CONTAINER_EXITED; i++) {
            Thread.sleep(100);
            st = status(id);
        }
        assertEquals(ContainerState.CONTAINER_EXITED, st.getState(), name + "/" + container + ": " + st);
        return st.getState() + " " + st.getExitCode() + " " + st.getReason();
    }

    private String createAndStart(String container, List<String> command) throws Exception {
        return createAndStart(container, command, true);
    }

    private String createAndStart(String container, List<String> command, boolean staysUp) throws Exception {
        ContainerConfig cc = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(container))
                .setImage(ImageSpec.newBuilder().setImage(CriFixture.BUSYBOX))
                .addAllCommand(command)
                .setLogPath(container + ".log")
                .setLinux(LinuxContainerConfig.newBuilder()
                        .setResources(LinuxContainerResources.newBuilder().setCpuShares(256)
                                .setMemoryLimitInBytes(256L << 20))
                        .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(namespaces())
                                .setPrivileged(hostNetwork)))
                .build();
        String id = f.cri.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(sandboxId)
                .setConfig(cc).setSandboxConfig(config).build()).getContainerId();
        containers.add(id);
        assertEquals(ContainerState.CONTAINER_CREATED, status(id).getState(), name + "/" + container);
        f.cri.startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        ContainerStatus st = status(id);
        if (staysUp) {
            assertEquals(ContainerState.CONTAINER_RUNNING, st.getState(), name + "/" + container + ": " + st);
        }
        assertTrue(st.getStartedAt() > 0, name + "/" + container + " started_at");
        return id;
    }

    /**
     * The sandbox and every container of the pod are served by one shim: the {@code address} file
     * containerd keeps in each task's bundle names the same socket.
     */
    void assertOneShimAddress() throws IOException {
        Path tasks = f.containerd.dir().resolve("state/io.containerd.runtime.v2.task/k8s.io");
        String sandboxShim = Files.readString(tasks.resolve(sandboxId).resolve("address")).strip();
        for (String id : containers) {
            if (status(id).getState() != ContainerState.CONTAINER_RUNNING) {
                continue; // an exited container's task (and bundle) is gone
            }
            assertEquals(sandboxShim, Files.readString(tasks.resolve(id).resolve("address")).strip(),
                    name + ": container " + id + " is served by another shim than its sandbox");
        }
    }

    ContainerStatus status(String id) {
        return f.cri.containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus();
    }

    /** The container's init pid, from the verbose status CRI returns (info["info"] is JSON). */
    long pid(String id) throws IOException {
        String info = f.cri.containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true)
                .build()).getInfoOrThrow("info");
        JsonNode pid = JSON.readTree(info).get("pid");
        assertTrue(pid != null && pid.asLong() > 0, "no pid in " + info);
        return pid.asLong();
    }

    record ExecResult(String stdout, String stderr, int exitCode) {
    }

    ExecResult exec(String id, String... cmd) {
        ExecSyncResponse r = f.cri.execSync(ExecSyncRequest.newBuilder().setContainerId(id)
                .addAllCmd(List.of(cmd)).setTimeout(20).build());
        return new ExecResult(r.getStdout().toString(StandardCharsets.UTF_8),
                r.getStderr().toString(StandardCharsets.UTF_8), r.getExitCode());
    }

    /** The command names {@code ps} shows in the container, sorted and without ps itself. */
    String processNames(String id) {
        ExecResult r = exec(id, "ps", "-o", "comm");
        assertEquals(0, r.exitCode(), name + " ps: " + r);
        return r.stdout().lines().skip(1).map(String::strip).filter(c -> !c.equals("ps")).sorted()
                .toList().toString();
    }

    /** {@code readlink /proc/self/ns/<ns>} in the container, e.g. {@code net:[4026532290]}. */
    String namespace(String id, String ns) {
        ExecResult r = exec(id, "readlink", "/proc/self/ns/" + ns);
        assertEquals(0, r.exitCode(), name + " readlink ns/" + ns + ": " + r);
        return r.stdout().strip();
    }

    static String hostNamespace(String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString();
    }

    /** GET http://127.0.0.1:8080/ from the client: the page of this pod's own web container. */
    String clientFetchesOwnWebServer() throws InterruptedException {
        ExecResult r = null;
        for (int i = 0; i < 50; i++) { // httpd may still be starting
            // busybox-static's wget crashes (glibc static NSS); its nc speaks HTTP/1.0 well enough
            r = exec(clientId, "/bin/sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 | tail -n 1");
            if (r.exitCode() == 0 && !r.stdout().isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(new ExecResult("pod-" + name + "\n", "", 0), r, name + ": client → web over localhost");
        return r.stdout().strip().replace(name, key());
    }

    /** The web container's first line in its CRI log file ({@code <time> stdout F web-started}). */
    String webLogLine() throws Exception {
        Path log = logDir.resolve("web.log");
        for (int i = 0; i < 50 && (!Files.exists(log) || Files.size(log) == 0); i++) {
            Thread.sleep(100);
        }
        String line = Files.readAllLines(log).getFirst();
        assertTrue(line.endsWith(" stdout F web-started"), log + ": " + line);
        return line.substring(line.indexOf(' ') + 1);
    }

    /**
     * UpdateContainerResources on the client, then the limits as the host's cgroup files of its init
     * show them (cgroup v1 memory and cpu hierarchies).
     */
    Map<String, String> updateClientResources(long memory, long period, long quota) throws IOException {
        f.cri.updateContainerResources(UpdateContainerResourcesRequest.newBuilder().setContainerId(clientId)
                .setLinux(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(memory).setCpuPeriod(period)
                        .setCpuQuota(quota).setCpuShares(512))
                .build());
        Map<String, String> cgroupOf = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/" + pid(clientId) + "/cgroup"))) {
            String[] fields = line.split(":", 3);
            for (String controller : fields[1].split(",")) {
                cgroupOf.put(controller, fields[2]);
            }
        }
        Map<String, String> limits = new TreeMap<>();
        limits.put("memory.limit_in_bytes", read("memory", cgroupOf.get("memory"), "memory.limit_in_bytes"));
        limits.put("cpu.cfs_quota_us", read("cpu", cgroupOf.get("cpu"), "cpu.cfs_quota_us"));
        limits.put("cpu.cfs_period_us", read("cpu", cgroupOf.get("cpu"), "cpu.cfs_period_us"));
        limits.put("cpu.shares", read("cpu", cgroupOf.get("cpu"), "cpu.shares"));
        return limits;
    }

    private static String read(String hierarchy, String cgroup, String file) throws IOException {
        assertTrue(cgroup != null, "no " + hierarchy + " cgroup");
        return Files.readString(Path.of("/sys/fs/cgroup", hierarchy, cgroup, file)).strip();
    }

    /** StopContainer with a grace period; returns the state, exit code and reason CRI reports. */
    String stopClient(long graceSeconds) {
        f.cri.stopContainer(StopContainerRequest.newBuilder().setContainerId(clientId).setTimeout(graceSeconds)
                .build());
        ContainerStatus st = status(clientId);
        assertEquals(ContainerState.CONTAINER_EXITED, st.getState(), name + " client after StopContainer");
        assertTrue(st.getFinishedAt() >= st.getStartedAt(), name + " finished_at");
        return st.getState() + " " + st.getExitCode() + " " + st.getReason();
    }

    /** Removes the containers and the sandbox as kubelet does: stop, remove, StopPodSandbox, RemovePodSandbox. */
    void remove() {
        try {
            for (String id : containers) {
                f.cri.stopContainer(StopContainerRequest.newBuilder().setContainerId(id).setTimeout(0).build());
                f.cri.removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
            }
            if (sandboxId != null) {
                f.cri.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
                f.cri.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
            }
        } catch (StatusRuntimeException e) {
            throw new AssertionError(handler + " pod " + name + ": removing it failed: " + e.getStatus(), e);
        }
    }
}

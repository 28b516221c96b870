package io.jshim.it.cri;

import io.jshim.it.support.ItSession;
import io.jshim.proto.cri.runtime.v1.ContainerConfig;
import io.jshim.proto.cri.runtime.v1.ContainerMetadata;
import io.jshim.proto.cri.runtime.v1.CreateContainerRequest;
import io.jshim.proto.cri.runtime.v1.ImageSpec;
import io.jshim.proto.cri.runtime.v1.LinuxPodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.PodSandboxConfig;
import io.jshim.proto.cri.runtime.v1.PodSandboxMetadata;
import io.jshim.proto.cri.runtime.v1.RemovePodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.RunPodSandboxRequest;
import io.jshim.proto.cri.runtime.v1.StartContainerRequest;
import io.jshim.proto.cri.runtime.v1.StopPodSandboxRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The CRI part of {@code bench/bench.sh} (not a test: it prints numbers and never fails on one). Under one
 * private containerd with CRI ({@link CriFixture}), for the {@code runc} handler and then the
 * {@code jshim} handler: starts N pods one after the other, each as kubelet does it (RunPodSandbox with a
 * CNI network namespace, then CreateContainer and StartContainer of one busybox container), timing
 * RunPodSandbox and the whole pod start; then, with the N pods running, the total PSS of the shim
 * processes (runc shims by their {@code -address}, jshim daemons by their pid files); then removes them.
 * Prints medians and ratios (jshim / runc) on one line per metric.
 *
 * <pre>java -cp ... io.jshim.it.cri.CriBench CONTAINERD_VERSION(1|2) N [GROUP]</pre>
 * GROUP is the jshim grouping ({@code JSHIM_SHIM_GROUP}): unset = the default (one daemon for all of
 * k8s.io), or {@code pod} (one daemon per pod, runc's rule).
 */
public final class CriBench {

    private CriBench() {
    }

    public static void main(String[] args) throws Exception {
        String version = args.length > 0 ? args[0] : "1";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String group = args.length > 2 ? args[2] : "";
        Map<String, String> env = group.isEmpty() ? Map.of() : Map.of("JSHIM_SHIM_GROUP", group);
        Map<String, double[]> results = new java.util.LinkedHashMap<>();
        try (ItSession session = ItSession.get(); CriFixture f = CriFixture.start(version, env)) {
            for (String handler : List.of("runc", "jshim")) {
                results.put(handler, measure(f, handler, n));
            }
        }
        String label = group.isEmpty() ? "default grouping: a daemon per namespace" : "grouping " + group;
        System.out.printf("%nCRI pods, jshim (%s) vs runc, containerd %s, %d pods, medians%n", label,
                version.equals("1") ? "1.6" : "2.x", n);
        System.out.printf("%-34s%12s%12s%10s%10s%n", "metric", "runc", "jshim", "ratio", "target");
        String[] names = {"RunPodSandbox (ms)", "pod start: sandbox+container (ms)", "shim PSS, " + n + " pods (MB)",
            "remove pod (ms)"};
        String[] targets = {"", "<=0.8", "<=0.3", ""};
        for (int i = 0; i < names.length; i++) {
            double r = results.get("runc")[i];
            double j = results.get("jshim")[i];
            System.out.printf("%-34s%12.1f%12.1f%10.2f%10s%n", names[i], r, j, j / r, targets[i]);
        }
    }

    /** Returns medians: RunPodSandbox ms, pod start ms, shim PSS MB with n pods, pod removal ms. */
    private static double[] measure(CriFixture f, String handler, int n) throws Exception {
        startPod(f, handler, "warm", new double[2]);
        removePods(f, List.of(f.cri.listPodSandbox(io.jshim.proto.cri.runtime.v1.ListPodSandboxRequest
                .getDefaultInstance()).getItemsList().stream().map(p -> p.getId()).toArray(String[]::new)));
        double[] sandbox = new double[n];
        double[] pod = new double[n];
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] t = new double[2];
            ids.add(startPod(f, handler, handler.charAt(0) + "p" + i, t));
            sandbox[i] = t[0];
            pod[i] = t[1];
        }
        Thread.sleep(1000);
        double pss = shimPssKb(f) / 1024.0;
        long t0 = System.nanoTime();
        removePods(f, ids);
        double remove = (System.nanoTime() - t0) / 1e6 / n;
        f.awaitNoDaemons();
        f.removeCgroupParents();
        return new double[] {median(sandbox), median(pod), pss, remove};
    }

    private static String startPod(CriFixture f, String handler, String name, double[] times) {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("bench")
                        .setUid(UUID.randomUUID().toString()))
                .setHostname(name)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(f.cgroupRoot + "/pod-" + name))
                .build();
        long t0 = System.nanoTime();
        String id = f.cri.runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                .setRuntimeHandler(handler).build()).getPodSandboxId();
        long t1 = System.nanoTime();
        String c = f.cri.createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(id)
                .setConfig(ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
                        .setImage(ImageSpec.newBuilder().setImage(CriFixture.BUSYBOX))
                        .addAllCommand(List.of("/bin/sleep", "3600")))
                .setSandboxConfig(config).build()).getContainerId();
        f.cri.startContainer(StartContainerRequest.newBuilder().setContainerId(c).build());
        long t2 = System.nanoTime();
        times[0] = (t1 - t0) / 1e6;
        times[1] = (t2 - t0) / 1e6;
        return id;
    }

    /** StopPodSandbox stops the pod's containers too; RemovePodSandbox removes them. */
    private static void removePods(CriFixture f, List<String> ids) {
        for (String id : ids) {
            f.cri.stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            f.cri.removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
        }
    }

    /** PSS (kB) of runc shims serving this containerd, plus every live jshim daemon of the fixture. */
    private static long shimPssKb(CriFixture f) throws IOException {
        long total = 0;
        String address = "-address " + f.containerd.grpcAddress();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains("containerd-shim-runc-v2") && cmd.contains(address)) {
                        total += pss(p);
                    }
                } catch (IOException e) {
                    // gone
                }
            }
        }
        for (long pid : f.daemonPids()) {
            total += pss(Path.of("/proc", Long.toString(pid)));
        }
        return total;
    }

    private static long pss(Path proc) throws IOException {
        for (String line : Files.readAllLines(proc.resolve("smaps_rollup"))) {
            if (line.startsWith("Pss:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

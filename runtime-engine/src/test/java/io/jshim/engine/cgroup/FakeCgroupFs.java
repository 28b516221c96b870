package io.jshim.engine.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fake cgroupfs: ordinary files under a temporary directory, plus the kernel's reactions
 * that the code under test depends on. mkdir fills a new cgroup with its interface files,
 * rmdir refuses a cgroup with tasks or children (EBUSY) and removes the files with the
 * directory, cgroup.procs appends, cgroup.subtree_control takes "+ctrl" only for
 * controllers in cgroup.controllers, cgroup.freeze updates cgroup.events, and the v1
 * memory limit and memsw limit must stay ordered. Every write is logged.
 */
final class FakeCgroupFs implements CgroupFs {
    /** "path-relative-to-root=value" for every write attempted, in order. */
    final List<String> log = new ArrayList<>();
    final Map<Path, Set<String>> v1Mounts = new LinkedHashMap<>();
    Path v2Mount;
    /** Whether new v2 cgroups get cgroup.kill (Linux 5.14+). */
    boolean cgroupKill;
    /** Whether writing FROZEN/1 takes effect (false: stays FREEZING / events "frozen 0"). */
    boolean freezeWorks = true;

    private final Path root;
    private final Map<Path, Failure> failures = new HashMap<>();

    private record Failure(CgroupException.Errno errno, int[] remaining) {
    }

    FakeCgroupFs(Path root) {
        this.root = root;
    }

    /** Makes the next {@code times} writes to (or rmdirs of) {@code path} fail with {@code errno}. */
    void fail(Path path, CgroupException.Errno errno, int times) {
        failures.put(path, new Failure(errno, new int[] {times}));
    }

    void failAlways(Path path, CgroupException.Errno errno) {
        fail(path, errno, Integer.MAX_VALUE);
    }

    /** Writes relative to the fake root, for assertions. */
    List<String> writes() {
        return List.copyOf(log);
    }

    List<String> writesTo(String fileName) {
        return log.stream().filter(s -> s.substring(0, s.indexOf('=')).endsWith("/" + fileName)).toList();
    }

    private boolean failing(Path p) {
        Failure f = failures.get(p);
        if (f == null || f.remaining()[0] <= 0) {
            return false;
        }
        f.remaining()[0]--;
        return true;
    }

    // ---- CgroupFs ----

    @Override
    public String read(Path file) throws CgroupException {
        return CgroupFs.kernel().read(file);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public List<Path> subdirs(Path dir) throws CgroupException {
        return CgroupFs.kernel().subdirs(dir);
    }

    @Override
    public void write(Path file, String value) throws CgroupException {
        log.add(root.relativize(file) + "=" + value);
        if (failing(file)) {
            throw CgroupException.write(file, value, failures.get(file).errno(), null);
        }
        if (!Files.isRegularFile(file)) {
            throw CgroupException.write(file, value,
                    Files.isDirectory(file) ? CgroupException.Errno.EISDIR : CgroupException.Errno.ENOENT, null);
        }
        Path dir = file.getParent();
        String name = file.getFileName().toString();
        switch (name) {
            case "cgroup.procs" -> {
                List<String> pids = new ArrayList<>(lines(file));
                if (!pids.contains(value.strip())) {
                    pids.add(value.strip());
                }
                put(file, String.join("\n", pids) + (pids.isEmpty() ? "" : "\n"));
            }
            case "cgroup.subtree_control" -> {
                Set<String> avail = words(dir.resolve("cgroup.controllers"));
                Set<String> on = words(file);
                for (String tok : value.strip().split("\\s+")) {
                    String c = tok.substring(1);
                    if (!avail.contains(c)) {
                        throw CgroupException.write(file, value, CgroupException.Errno.EINVAL, null);
                    }
                    if (tok.startsWith("+")) {
                        on.add(c);
                    } else {
                        on.remove(c);
                    }
                }
                put(file, String.join(" ", on) + "\n");
            }
            case "cgroup.freeze" -> {
                put(file, value.strip() + "\n");
                boolean frozen = value.strip().equals("1") && freezeWorks;
                put(dir.resolve("cgroup.events"), "populated " + (lines(dir.resolve("cgroup.procs")).isEmpty() ? 0 : 1)
                        + "\nfrozen " + (frozen ? 1 : 0) + "\n");
            }
            case "cgroup.kill" -> {
                for (String pid : pidsUnder(dir)) {
                    kill(Integer.parseInt(pid));
                }
            }
            case "freezer.state" -> put(file,
                    (value.strip().equals("FROZEN") && !freezeWorks ? "FREEZING" : value.strip()) + "\n");
            case "memory.limit_in_bytes" -> {
                Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
                if (Files.exists(memsw) && num(value) > num(read(memsw))) {
                    throw CgroupException.write(file, value, CgroupException.Errno.EINVAL, null);
                }
                put(file, value.strip() + "\n");
            }
            case "memory.memsw.limit_in_bytes" -> {
                if (num(value) < num(read(dir.resolve("memory.limit_in_bytes")))) {
                    throw CgroupException.write(file, value, CgroupException.Errno.EINVAL, null);
                }
                put(file, value.strip() + "\n");
            }
            case "cpu.shares" -> put(file, Math.clamp(Long.parseLong(value.strip()), 2, 262144) + "\n");
            default -> put(file, value.strip() + "\n");
        }
    }

    /** Device filters "attached" per directory (v2), the last one wins as with the kernel's replace. */
    final Map<Path, io.jshim.engine.devices.DeviceFilterProgram> deviceFilters = new LinkedHashMap<>();

    /** Logged as "DIR/<bpf device filter>=N insns"; fails like a write when {@link #fail} names DIR. */
    @Override
    public void replaceDeviceFilter(Path dir, io.jshim.engine.devices.DeviceFilterProgram program)
            throws CgroupException {
        log.add(root.relativize(dir) + "/<bpf device filter>=" + program.instructionCount() + " insns");
        if (failing(dir)) {
            throw new CgroupException("bpf BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) to " + dir
                    + ": operation not permitted");
        }
        deviceFilters.put(dir, program);
    }

    @Override
    public void mkdir(Path dir) throws CgroupException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (!Files.isDirectory(dir.getParent())) {
            throw CgroupException.op("mkdir", dir, CgroupException.Errno.ENOENT);
        }
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw CgroupException.op("mkdir", dir, e);
        }
        populate(dir);
    }

    @Override
    public boolean rmdir(Path dir) throws CgroupException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        if (failing(dir)) {
            throw CgroupException.op("rmdir", dir, failures.get(dir).errno());
        }
        if (!subdirs(dir).isEmpty() || !lines(dir.resolve("cgroup.procs")).isEmpty()) {
            throw CgroupException.op("rmdir", dir, CgroupException.Errno.EBUSY);
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
            Files.delete(dir);
        } catch (IOException e) {
            throw CgroupException.op("rmdir", dir, e);
        }
        return true;
    }

    // ---- the fake kernel's side ----

    /** A task exits: it leaves every cgroup.procs. */
    void kill(int pid) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                List<String> pids = new ArrayList<>(lines(p));
                if (pids.remove(Integer.toString(pid))) {
                    put(p, pids.isEmpty() ? "" : String.join("\n", pids) + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes a cgroup directory the way the kernel would, files and all (also for the fixture's own setup). */
    void populate(Path dir) {
        if (v2Mount != null && dir.startsWith(v2Mount)) {
            populateV2(dir);
            return;
        }
        for (Map.Entry<Path, Set<String>> m : v1Mounts.entrySet()) {
            if (dir.startsWith(m.getKey())) {
                populateV1(dir, m.getValue(), dir.equals(m.getKey()));
                return;
            }
        }
        throw new IllegalStateException("not under a fake cgroup mount: " + dir);
    }

    private void populateV1(Path dir, Set<String> controllers, boolean isRoot) {
        put(dir.resolve("cgroup.procs"), "");
        put(dir.resolve("tasks"), "");
        put(dir.resolve("notify_on_release"), "0\n");
        put(dir.resolve("cgroup.clone_children"), "0\n");
        String unlimited = "9223372036854771712\n";
        for (String c : controllers) {
            switch (c) {
                case "cpuset" -> {
                    put(dir.resolve("cpuset.cpus"), isRoot ? "0-3\n" : "\n");
                    put(dir.resolve("cpuset.mems"), isRoot ? "0\n" : "\n");
                    put(dir.resolve("cpuset.cpu_exclusive"), "0\n");
                }
                case "cpu" -> {
                    put(dir.resolve("cpu.shares"), "1024\n");
                    put(dir.resolve("cpu.cfs_period_us"), "100000\n");
                    put(dir.resolve("cpu.cfs_quota_us"), "-1\n");
                    put(dir.resolve("cpu.rt_period_us"), "1000000\n");
                    put(dir.resolve("cpu.rt_runtime_us"), "0\n");
                    put(dir.resolve("cpu.stat"), "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
                }
                case "cpuacct" -> put(dir.resolve("cpuacct.usage"), "0\n");
                case "memory" -> {
                    put(dir.resolve("memory.limit_in_bytes"), unlimited);
                    put(dir.resolve("memory.memsw.limit_in_bytes"), unlimited);
                    put(dir.resolve("memory.soft_limit_in_bytes"), unlimited);
                    put(dir.resolve("memory.swappiness"), "60\n");
                    put(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
                    put(dir.resolve("memory.use_hierarchy"), "1\n");
                    put(dir.resolve("memory.usage_in_bytes"), "0\n");
                    put(dir.resolve("memory.max_usage_in_bytes"), "0\n");
                }
                case "devices" -> {
                    put(dir.resolve("devices.allow"), "");
                    put(dir.resolve("devices.deny"), "");
                    put(dir.resolve("devices.list"), "a *:* rwm\n");
                }
                case "freezer" -> {
                    if (!isRoot) {
                        put(dir.resolve("freezer.state"), "THAWED\n");
                        put(dir.resolve("freezer.self_freezing"), "0\n");
                    }
                }
                case "blkio" -> {
                    put(dir.resolve("blkio.weight"), "500\n");
                    put(dir.resolve("blkio.leaf_weight"), "500\n");
                    put(dir.resolve("blkio.weight_device"), "");
                    put(dir.resolve("blkio.leaf_weight_device"), "");
                    for (String t : List.of("read_bps_device", "write_bps_device", "read_iops_device",
                            "write_iops_device")) {
                        put(dir.resolve("blkio.throttle." + t), "");
                    }
                }
                case "pids" -> {
                    put(dir.resolve("pids.max"), "max\n");
                    put(dir.resolve("pids.current"), "0\n");
                }
                case "hugetlb" -> {
                    put(dir.resolve("hugetlb.2MB.limit_in_bytes"), unlimited);
                    put(dir.resolve("hugetlb.1GB.limit_in_bytes"), unlimited);
                }
                case "net_cls" -> put(dir.resolve("net_cls.classid"), "0\n");
                case "net_prio" -> put(dir.resolve("net_prio.ifpriomap"), "lo 0\n");
                case "rdma" -> put(dir.resolve("rdma.max"), "");
                default -> {
                    // name=systemd and the like: only the core files
                }
            }
        }
    }

    private void populateV2(Path dir) {
        boolean isRoot = dir.equals(v2Mount);
        put(dir.resolve("cgroup.procs"), "");
        put(dir.resolve("cgroup.threads"), "");
        put(dir.resolve("cgroup.subtree_control"), "\n");
        if (!isRoot) {
            Set<String> inherited = words(dir.getParent().resolve("cgroup.subtree_control"));
            put(dir.resolve("cgroup.controllers"), String.join(" ", inherited) + "\n");
            put(dir.resolve("cgroup.events"), "populated 0\nfrozen 0\n");
            put(dir.resolve("cgroup.freeze"), "0\n");
            put(dir.resolve("cgroup.type"), "domain\n");
            if (cgroupKill) {
                put(dir.resolve("cgroup.kill"), "");
            }
            for (String c : inherited) {
                switch (c) {
                    case "memory" -> {
                        put(dir.resolve("memory.max"), "max\n");
                        put(dir.resolve("memory.high"), "max\n");
                        put(dir.resolve("memory.low"), "0\n");
                        put(dir.resolve("memory.swap.max"), "max\n");
                        put(dir.resolve("memory.current"), "0\n");
                        put(dir.resolve("memory.oom.group"), "0\n");
                    }
                    case "cpu" -> {
                        put(dir.resolve("cpu.weight"), "100\n");
                        put(dir.resolve("cpu.max"), "max 100000\n");
                        put(dir.resolve("cpu.max.burst"), "0\n");
                        put(dir.resolve("cpu.idle"), "0\n");
                    }
                    case "cpuset" -> {
                        put(dir.resolve("cpuset.cpus"), "\n");
                        put(dir.resolve("cpuset.mems"), "\n");
                    }
                    case "io" -> {
                        put(dir.resolve("io.weight"), "default 100\n");
                        put(dir.resolve("io.max"), "");
                    }
                    case "pids" -> put(dir.resolve("pids.max"), "max\n");
                    case "hugetlb" -> put(dir.resolve("hugetlb.2MB.max"), "max\n");
                    case "rdma" -> put(dir.resolve("rdma.max"), "");
                    default -> {
                    }
                }
            }
        }
    }

    Set<String> words(Path file) {
        Set<String> out = new LinkedHashSet<>();
        if (Files.exists(file)) {
            try {
                Arrays.stream(Files.readString(file).strip().split("\\s+")).filter(w -> !w.isEmpty())
                        .forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static List<String> lines(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> pidsUnder(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().equals("cgroup.procs")).flatMap(p -> lines(p).stream())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void put(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long num(String s) {
        String t = s.strip();
        long v = Long.parseLong(t);
        return v == -1 ? Long.MAX_VALUE : v;
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.linux.Errno;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.plan.InitChannel;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.state.ProcStat;
import io.jshim.engine.plan.CgroupMountSource;
import io.jshim.engine.plan.PlanBuilder;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecLoader;
import io.jshim.engine.spec.SpecValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run behind jrunc's AOT cache (JEP 483/514, design.md §6): one JVM
 * that walks the code every jrunc call walks — argument parsing, config.json
 * through Jackson, validation, plan building, state and list output — so that
 * `-XX:AOTCacheOutput` records those classes loaded and linked. Needs no root and
 * touches nothing outside a temp dir. Run by the build (deploy/pom.xml) through
 * the jrunc launcher with JSHIM_AOT_TRAINING=1.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("jrunc-aot-training");
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        try {
            Path bundle = tmp.resolve("bundle");
            Files.createDirectories(bundle.resolve("rootfs"));
            String root = tmp.resolve("root").toString();
            for (int i = 0; i < 3; i++) {
                Files.deleteIfExists(bundle.resolve("config.json"));
                Jrunc.run(List.of("--root", root, "spec", "--bundle", bundle.toString()), sink, sink);
                Jrunc.run(List.of("--root", root, "list"), sink, sink);
                Jrunc.run(List.of("--root", root, "list", "-f", "json"), sink, sink);
                Jrunc.run(List.of("--root", root, "--log-format", "json", "state", "missing"), sink, sink);
                Jrunc.run(List.of("--root", root, "delete", "--force", "missing"), sink, sink);
                Jrunc.run(List.of("--root", root, "kill", "missing", "KILL"), sink, sink);
                // pause/resume/update/events/features: containerd's shim asks for these by name
                Jrunc.run(List.of("--root", root, "pause", "missing"), sink, sink);
                Jrunc.run(List.of("--root", root, "update", "--memory", "256m", "--pids-limit", "50", "missing"),
                        sink, sink);
                Jrunc.run(List.of("--root", root, "events", "--stats", "--interval", "1s", "missing"), sink, sink);
                Jrunc.run(List.of("--root", root, "features"), sink, sink);
                Jrunc.run(List.of("--root", root, "create", "--bundle", tmp.resolve("nope").toString(), "x"), sink,
                        sink);
                Spec spec = SpecLoader.load(bundle);
                SpecValidator.validate(spec);
                new PlanBuilder(spec, bundle, bundle.resolve("rootfs"), "training", new CgroupMountSource() {
                    @Override
                    public boolean unified() {
                        return false;
                    }

                    @Override
                    public String unifiedDir() {
                        return null;
                    }

                    @Override
                    public List<Hierarchy> hierarchies() {
                        return List.of(new Hierarchy("memory", "/sys/fs/cgroup/memory/training", "memory"));
                    }
                }).execFifo(tmp.resolve("exec.fifo")).build().encode();
                RecordJson.write(spec);
                exerciseSyscalls(tmp);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** The FFM downcalls every create/start/kill makes, on harmless arguments. */
    private static void exerciseSyscalls(Path tmp) throws Exception {
        Syscalls.getpid();
        Syscalls.geteuid();
        Syscalls.kill(Syscalls.getpid(), 0);
        int[] pair = Syscalls.socketpair();
        int dup = Syscalls.dupInheritable(pair[1], 10);
        new InitChannel(pair[0]).sendMessage(SyncProtocol.MSG_GO);
        Syscalls.pollOne(dup, Syscalls.POLLIN, 0);
        try (InitChannel other = new InitChannel(dup)) {
            other.receive();
        }
        Syscalls.close(pair[0]);
        Syscalls.close(pair[1]);
        try {
            Syscalls.waitpid(-1, Syscalls.WNOHANG);
        } catch (LinuxException e) {
            // ECHILD: no children, as expected
        }
        Path fifo = tmp.resolve("training.fifo");
        Files.deleteIfExists(fifo);
        Syscalls.mkfifo(fifo.toString(), 0600);
        int fd = Syscalls.open(fifo.toString(), Syscalls.O_RDONLY | Syscalls.O_NONBLOCK, 0);
        Syscalls.pollOne(fd, Syscalls.POLLIN, 0);
        Syscalls.close(fd);
        Errno.describe(Errno.ENOENT);
        ProcStat.of(Syscalls.getpid());
        try {
            CgroupLayout.detect();
        } catch (Exception e) {
            // no cgroups mounted where the build runs: nothing to learn
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}

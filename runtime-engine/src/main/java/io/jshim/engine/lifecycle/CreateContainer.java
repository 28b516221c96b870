package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.engine.plan.InitMessage;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanBuilder;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecLoader;
import io.jshim.engine.spec.SpecValidator;
import io.jshim.engine.state.ContainerId;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.ProcStat;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Timestamps;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code create}: validates the bundle, claims the id, makes the cgroups and the
 * exec FIFO, has jshim-init build the container, and returns with the
 * container's init blocked on the FIFO (runtime.md "create"). Any failure undoes
 * all of it, so a failed create leaves nothing behind.
 */
public final class CreateContainer {
    private static final int SIGKILL = 9;

    private final StateStore store;
    private final Cgroups cgroups;
    private final InitLauncher launcher;

    public CreateContainer(StateStore store, Cgroups cgroups, InitLauncher launcher) {
        this.store = store;
        this.cgroups = cgroups;
        this.launcher = launcher;
    }

    public ContainerState create(CreateRequest req) throws EngineException {
        String id = ContainerId.validate(req.id());
        Path bundle = req.bundle().toAbsolutePath().normalize();
        Spec spec;
        Path rootfs;
        try {
            spec = SpecLoader.load(bundle);
            SpecValidator.validate(spec);
            rootfs = PlanBuilder.resolveRootfs(spec, bundle);
        } catch (SpecException e) {
            throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
        }
        if (spec.process().isTerminal()) {
            if (req.consoleSocket() == null && !req.subreaper()) {
                throw new EngineException(Kind.INVALID_ARGUMENT,
                        "cannot allocate tty if jrunc will detach without setting console socket");
            }
            throw new EngineException(Kind.INVALID_ARGUMENT, "process.terminal is not supported by this version of "
                    + "jrunc yet: set \"terminal\": false in " + bundle.resolve("config.json"));
        }
        store.claim(id);
        Attempt attempt = new Attempt(id);
        try {
            return attempt.run(req, spec, bundle, rootfs);
        } catch (EngineException | RuntimeException e) {
            attempt.undo();
            throw e;
        }
    }

    /** One create in progress: remembers what it made so that {@link #undo} can remove it. */
    private final class Attempt {
        private final String id;
        private CgroupManager cgroup;
        private int initPid;

        Attempt(String id) {
            this.id = id;
        }

        ContainerState run(CreateRequest req, Spec spec, Path bundle, Path rootfs) throws EngineException {
            String cgroupsPath = spec.linux() == null ? null : spec.linux().cgroupsPath();
            cgroup = cgroups.forNew(cgroupsPath, id);
            Map<String, String> cgroupPaths;
            try {
                cgroup.create();
                if (spec.linux() != null && spec.linux().resources() != null) {
                    cgroup.apply(spec.linux().resources());
                }
                cgroupPaths = new TreeMap<>(cgroup.paths());
            } catch (CgroupException e) {
                throw new EngineException(Kind.INTERNAL, "cgroups: " + e.getMessage(), e);
            }
            Path fifo = store.fifo(id);
            InitPlan plan;
            try {
                Syscalls.mkfifo(fifo.toString(), 0622);
                plan = new PlanBuilder(spec, bundle, rootfs, id,
                        CgroupMounts.of(cgroupPaths, cgroups.layout().mode() == io.jshim.engine.cgroup.CgroupLayout.Mode.V2))
                        .execFifo(fifo).preserveFds(req.preserveFds()).noPivot(req.noPivot())
                        .noNewKeyring(req.noNewKeyring()).build();
            } catch (SpecException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
            } catch (IOException e) {
                throw new EngineException(Kind.INTERNAL, e.getMessage(), e);
            }
            startInit(plan, spec.process().args(), req.preserveFds());
            long startTime = ProcStat.of(initPid).map(ProcStat::startTime).orElse(0L);
            ContainerState state = new ContainerState(ContainerState.CURRENT_VERSION, id, bundle.toString(),
                    rootfs.toString(), initPid, startTime, Timestamps.rfc3339Nano(Instant.now()),
                    spec.annotations() == null ? null : new TreeMap<>(spec.annotations()), cgroupPaths,
                    cgroupsPath, !req.subreaper());
            store.save(state);
            if (req.pidFile() != null) {
                writePidFile(req.pidFile(), initPid);
            }
            return state;
        }

        private void startInit(InitPlan plan, List<String> args, int preserveFds) throws EngineException {
            InitLauncher.Started init;
            try {
                init = launcher.start(id, preserveFds);
            } catch (LinuxException e) {
                throw new EngineException(Kind.INTERNAL, "start jshim-init: " + e.getMessage(), e);
            }
            try (var channel = init.channel()) {
                try {
                    channel.send(plan.encode());
                } catch (LinuxException e) {
                    // jshim-init stops reading at the first record it rejects; its
                    // MSG_ERROR is still queued on the socket and says why.
                    expect(channel.receive(), SyncProtocol.MSG_ERROR, args);
                }
                InitMessage pidMsg = expect(channel.receive(), SyncProtocol.MSG_PID, args);
                initPid = pidMsg.u32(0);
                reap(init.pid());
                try {
                    cgroup.addProcess(initPid);
                } catch (CgroupException e) {
                    throw new EngineException(Kind.INTERNAL, "cgroups: " + e.getMessage(), e);
                }
                channel.sendMessage(SyncProtocol.MSG_GO);
                expect(channel.receive(), SyncProtocol.MSG_READY, args);
            } catch (EOFException e) {
                reap(init.pid());
                throw new EngineException(Kind.INTERNAL, "unable to start container process: jshim-init exited "
                        + "without reporting an error (see its stderr above)", e);
            } catch (IOException e) {
                reap(init.pid());
                throw new EngineException(Kind.INTERNAL, "unable to start container process: " + e.getMessage(), e);
            }
        }

        private InitMessage expect(InitMessage m, int tag, List<String> args) throws EngineException {
            if (m.tag() == SyncProtocol.MSG_ERROR) {
                String msg = m.str(4);
                throw new EngineException(Kind.INTERNAL, "unable to start container process: " + msg
                        + ArgsHint.forLookupFailure(args, msg));
            }
            if (m.tag() != tag) {
                throw new EngineException(Kind.INTERNAL, "unable to start container process: jshim-init sent "
                        + "message " + m.tag() + " where " + tag + " was expected");
            }
            return m;
        }

        /** The jshim-init parent exits right after reporting the pid; collect its status. */
        private void reap(int pid) {
            try {
                Syscalls.waitpid(pid, 0);
            } catch (LinuxException e) {
                // already reaped
            }
        }

        void undo() {
            if (initPid > 0) {
                try {
                    Syscalls.kill(initPid, SIGKILL);
                    Wait.untilExited(initPid, -1, 5_000);
                } catch (LinuxException e) {
                    // it is gone already
                }
            }
            if (cgroup != null) {
                try {
                    cgroup.destroy();
                } catch (CgroupException e) {
                    // best effort; the error that made create fail is the one to report
                }
            }
            try {
                store.remove(id);
            } catch (EngineException e) {
                // best effort, as above
            }
        }
    }

    /** runc's createPidFile: write to a temp file beside it, then rename; no trailing newline. */
    static void writePidFile(Path pidFile, int pid) throws EngineException {
        Path abs = pidFile.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName());
        try {
            Files.writeString(tmp, Integer.toString(pid));
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new EngineException(Kind.INTERNAL, "write pid file " + abs + ": " + e.getMessage(), e);
        }
    }
}

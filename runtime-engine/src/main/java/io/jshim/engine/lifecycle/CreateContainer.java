package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.console.ConsolePlan;
import io.jshim.engine.console.ConsoleSocket;
import io.jshim.engine.devices.DefaultDeviceRules;
import io.jshim.engine.hooks.ContainerHooks;
import io.jshim.engine.hooks.HookException;
import io.jshim.engine.hooks.HookPlan;
import io.jshim.engine.hooks.HookState;
import io.jshim.engine.hooks.HookValidator;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.namespace.UserNamespace;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.engine.plan.InitMessage;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanBuilder;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.security.ContainerSecurity;
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
    private final ContainerHooks hooks;

    public CreateContainer(StateStore store, Cgroups cgroups, InitLauncher launcher) {
        this(store, cgroups, launcher, new ContainerHooks());
    }

    public CreateContainer(StateStore store, Cgroups cgroups, InitLauncher launcher, ContainerHooks hooks) {
        this.store = store;
        this.cgroups = cgroups;
        this.launcher = launcher;
        this.hooks = hooks;
    }

    public ContainerState create(CreateRequest req) throws EngineException {
        String id = ContainerId.validate(req.id());
        Path bundle = req.bundle().toAbsolutePath().normalize();
        Spec spec;
        Path rootfs;
        ContainerSecurity security;
        try {
            io.jshim.engine.Trace.mark("create: loading spec");
            spec = SpecLoader.load(bundle);
            io.jshim.engine.Trace.mark("spec loaded");
            SpecValidator.validate(spec);
            HookValidator.validate(spec.hooks()); // a missing hook fails here, before anything exists
            security = ContainerSecurity.of(spec, id, bundle); // capabilities, seccomp, LSM, oomScoreAdj
            rootfs = PlanBuilder.resolveRootfs(spec, bundle);
            io.jshim.engine.Trace.mark("spec validated");
        } catch (SpecException e) {
            throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
        }
        checkConsole(spec, req);
        store.claim(id);
        Attempt attempt = new Attempt(id);
        attempt.security = security;
        try {
            return attempt.run(req, spec, bundle, rootfs);
        } catch (EngineException | RuntimeException e) {
            attempt.undo();
            throw e;
        }
    }

    /** runc's checkTerminal: a terminal needs somewhere to send its master, and a console socket needs a terminal. */
    private static void checkConsole(Spec spec, CreateRequest req) throws EngineException {
        boolean terminal = spec.process().isTerminal();
        if (terminal && req.consoleSocket() == null && req.consoleFd() < 0) {
            throw new EngineException(Kind.INVALID_ARGUMENT, req.subreaper()
                    ? "process.terminal is set but no console was given to receive the pty master"
                    : "cannot allocate tty if jrunc will detach without setting console socket");
        }
        if (req.consoleSocket() != null && (!terminal || req.subreaper())) {
            throw new EngineException(Kind.INVALID_ARGUMENT,
                    "cannot use console socket if jrunc will not detach or allocate tty");
        }
    }

    /** One create in progress: remembers what it made so that {@link #undo} can remove it. */
    private final class Attempt {
        private final String id;
        private CgroupManager cgroup;
        private int initPid;
        private ContainerSecurity security;
        private UserNamespace userns = UserNamespace.NONE;
        private Spec spec;
        private HookState hookState;

        Attempt(String id) {
            this.id = id;
        }

        ContainerState run(CreateRequest req, Spec spec, Path bundle, Path rootfs) throws EngineException {
            this.spec = spec;
            this.hookState = new HookState(id, bundle.toString(), spec.annotations());
            SavedConfig.save(store, id, bundle, spec); // start, delete and exec read this copy
            String cgroupsPath = spec.linux() == null ? null : spec.linux().cgroupsPath();
            cgroup = cgroups.forNew(cgroupsPath, id);
            Map<String, String> cgroupPaths;
            try {
                cgroup.create();
                cgroup.apply(DefaultDeviceRules.resources(spec)); // linux.resources + runc's default device rules
                cgroupPaths = new TreeMap<>(cgroup.paths());
                io.jshim.engine.Trace.mark("cgroups made");
            } catch (CgroupException e) {
                throw new EngineException(Kind.INTERNAL, "cgroups: " + e.getMessage(), e);
            }
            Path fifo = store.fifo(id);
            InitPlan plan;
            try {
                Syscalls.mkfifo(fifo.toString(), 0622);
                // mkfifo(3) applies jrunc's umask: set 0622 exactly, as runc does, so that a
                // non-root process user (no CAP_DAC_OVERRIDE) can still open it for writing
                Files.setPosixFilePermissions(fifo, java.nio.file.attribute.PosixFilePermissions.fromString("rw--w--w-"));
                userns = UserNamespace.of(spec);
                plan = new PlanBuilder(spec, bundle, rootfs, id,
                        CgroupMounts.of(cgroups.layout(), cgroupPaths))
                        .execFifo(fifo).preserveFds(req.preserveFds()).noPivot(req.noPivot())
                        .noNewKeyring(req.noNewKeyring()).build();
                io.jshim.engine.Trace.mark("plan built");
            } catch (SpecException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
            } catch (IOException e) {
                throw new EngineException(Kind.INTERNAL, e.getMessage(), e);
            }
            HookPlan.addTo(plan, spec.hooks(), hookState); // createContainer, startContainer, the MSG_HOOKS pause
            try (ConsoleSocket console = openConsole(req)) {
                startInit(plan, spec.process().args(), req.preserveFds(), console, req.stdio());
            }
            long startTime = ProcStat.of(initPid).map(ProcStat::startTime).orElse(0L);
            ContainerState state = new ContainerState(ContainerState.CURRENT_VERSION, id, bundle.toString(),
                    rootfs.toString(), initPid, startTime, Timestamps.rfc3339Nano(Instant.now()),
                    spec.annotations() == null ? null : new TreeMap<>(spec.annotations()), cgroupPaths,
                    cgroupsPath, !req.subreaper())
                    .withResources(spec.linux() == null ? null : spec.linux().resources()); // base for `update`
            store.save(state);
            io.jshim.engine.Trace.mark("state saved");
            if (req.pidFile() != null) {
                writePidFile(req.pidFile(), initPid);
            }
            return state;
        }

        /** The socket the pty master goes to, when process.terminal is set; else null. */
        private ConsoleSocket openConsole(CreateRequest req) throws EngineException {
            if (!spec.process().isTerminal()) {
                return null;
            }
            if (req.consoleFd() >= 0) {
                return ConsoleSocket.borrow(req.consoleFd());
            }
            try {
                return ConsoleSocket.connect(req.consoleSocket());
            } catch (LinuxException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
            }
        }

        private void startInit(InitPlan plan, List<String> args, int preserveFds, ConsoleSocket console,
                int[] stdio) throws EngineException {
            InitLauncher.Started init;
            try {
                if (console == null) {
                    init = launcher.startWithStdio(id, preserveFds, stdio);
                } else {
                    init = launcher.startWithStdio(id, preserveFds, stdio, console.fd());
                    ConsolePlan.addTo(plan, init.passedFds()[0], console, spec.process());
                }
                io.jshim.engine.Trace.mark("jshim-init spawned");
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
                io.jshim.engine.Trace.mark("init pid received");
                reap(init.pid());
                try {
                    cgroup.addProcess(initPid);
                } catch (CgroupException e) {
                    throw new EngineException(Kind.INTERNAL, "cgroups: " + e.getMessage(), e);
                }
                security.afterPid(initPid); // process.oomScoreAdj
                userns.prepare(initPid, store.fifo(id)); // uid/gid maps, exec FIFO owner
                channel.sendMessage(SyncProtocol.MSG_GO);
                if (ContainerHooks.hasRuntimeHooks(spec.hooks())) {
                    // jshim-init stops after the mounts, before createContainer hooks and pivot_root
                    expect(channel.receive(), SyncProtocol.MSG_HOOKS, args);
                    try {
                        hooks.createRuntime(spec.hooks(), hookState, initPid);
                    } catch (HookException e) {
                        throw new EngineException(Kind.INTERNAL, e.getMessage(), e);
                    }
                    channel.sendMessage(SyncProtocol.MSG_HOOKS_DONE);
                }
                expect(security.receiveBeforeReady(channel, initPid), SyncProtocol.MSG_READY, args);
                io.jshim.engine.Trace.mark("init ready");
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
            boolean started = initPid > 0;
            if (started) {
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
            if (started) {
                // The container existed (hooks may have set things up): destroyed, it gets
                // its poststop hooks like any other, as runc's destroy() runs them too.
                hooks.poststop(spec.hooks(), hookState);
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

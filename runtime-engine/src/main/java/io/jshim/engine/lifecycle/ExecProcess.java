package io.jshim.engine.lifecycle;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupManager;
import io.jshim.engine.console.ConsolePlan;
import io.jshim.engine.console.ConsoleSocket;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.plan.InitChannel;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.engine.plan.InitMessage;
import io.jshim.engine.plan.InitPlan;
import io.jshim.engine.plan.PlanBuilder;
import io.jshim.engine.plan.SyncProtocol;
import io.jshim.engine.security.ContainerSecurity;
import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import io.jshim.engine.spec.SpecProcess;
import io.jshim.engine.state.ContainerState;
import io.jshim.engine.state.StateStore;
import io.jshim.engine.state.Status;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code exec}: a new process in a running (or created) container. jshim-init
 * runs in join mode (sync_protocol.h MODE_JOIN): it setns()es into the
 * container's namespaces ({@link ExecNamespaces}), clone()s the process and
 * reports its pid; the engine puts it in the container's cgroups before MSG_GO;
 * the process gets the same setup as the container's own (user, cwd, rlimits,
 * capabilities, no_new_privs, the container's seccomp profile, a terminal) and
 * execs. No exec FIFO: it runs as soon as it is ready.
 *
 * <p>The caller waits for the process: it is jshim-init's child, and jshim-init
 * exits right after reporting it, so a foreground caller must be a child
 * subreaper (prctl PR_SET_CHILD_SUBREAPER) to inherit and reap it.
 */
public final class ExecProcess {
    private static final int SIGKILL = 9;

    private final StateStore store;
    private final QueryContainer query;
    private final Cgroups cgroups;
    private final InitLauncher launcher;

    public ExecProcess(StateStore store, QueryContainer query, Cgroups cgroups, InitLauncher launcher) {
        this.store = store;
        this.query = query;
        this.cgroups = cgroups;
        this.launcher = launcher;
    }

    /** The started process: its host pid. */
    public record Started(int pid) {
    }

    public Started start(ExecRequest req) throws EngineException {
        io.jshim.engine.Trace.mark("exec: start");
        ContainerView v = query.view(req.id());
        io.jshim.engine.Trace.mark("exec: viewed");
        if (v.status() == Status.STOPPED) {
            throw new EngineException(Kind.FAILED_PRECONDITION, "cannot exec in a stopped container");
        }
        if (v.status() == Status.PAUSED && !req.ignorePaused()) {
            throw new EngineException(Kind.FAILED_PRECONDITION,
                    "cannot exec in a paused container (use --ignore-paused to override)");
        }
        ContainerState s = v.state();
        Spec spec = SavedConfig.load(store, s);
        io.jshim.engine.Trace.mark("exec: spec loaded");
        SpecProcess process = normalize(req.process().resolve(spec.process()));
        if (process.isTerminal() && req.consoleSocket() == null && req.consoleFd() < 0) {
            throw new EngineException(Kind.INVALID_ARGUMENT,
                    "cannot allocate tty if jrunc will detach without setting console socket");
        }
        InitPlan plan;
        ContainerSecurity security;
        Spec execSpec = new Spec(spec.ociVersion(), process, spec.root(), spec.hostname(), spec.domainname(),
                spec.mounts(), spec.hooks(), spec.annotations(), spec.linux());
        try {
            security = ContainerSecurity.of(execSpec, s.id(), Path.of(s.bundle()));
            plan = new PlanBuilder(spec, Path.of(s.bundle()), Path.of(s.rootfs()), s.id(), null)
                    .preserveFds(req.preserveFds())
                    .buildExec(process, ExecNamespaces.of(s.pid()));
        } catch (SpecException e) {
            throw new EngineException(Kind.INVALID_ARGUMENT, e.getMessage(), e);
        }
        io.jshim.engine.Trace.mark("exec: plan built");
        CgroupManager cg = cgroups.of(s);
        io.jshim.engine.Trace.mark("exec: cgroups");
        int pid;
        try (ConsoleSocket console = openConsole(req, process)) {
            pid = launch(plan, process, req.preserveFds(), console, cg, security, s.id(), req.stdio());
        }
        if (req.pidFile() != null) {
            try {
                CreateContainer.writePidFile(req.pidFile(), pid);
            } catch (EngineException e) {
                kill(pid);
                throw e;
            }
        }
        io.jshim.engine.Trace.mark("exec: ready");
        return new Started(pid);
    }

    /** runc's validateProcessSpec, and the zero values its Go structs give missing fields. */
    private static SpecProcess normalize(SpecProcess p) throws EngineException {
        if (p == null) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "process: the process to exec is missing");
        }
        if (p.args() == null || p.args().isEmpty() || p.args().get(0) == null || p.args().get(0).isEmpty()) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "args must not be empty");
        }
        if (p.cwd() == null || p.cwd().isEmpty()) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "cwd property must not be empty");
        }
        if (!p.cwd().startsWith("/")) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "cwd must be an absolute path");
        }
        SpecProcess.User u = p.user();
        SpecProcess.User user = new SpecProcess.User(u == null || u.uid() == null ? 0L : u.uid(),
                u == null || u.gid() == null ? 0L : u.gid(), u == null ? null : u.umask(),
                u == null ? null : u.additionalGids(), u == null ? null : u.username());
        return new SpecProcess(p.terminal(), p.consoleSize(), user, p.args(), p.commandLine(), p.env(), p.cwd(),
                p.capabilities(), p.rlimits(), p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                p.selinuxLabel(), p.scheduler(), p.ioPriority());
    }

    private static ConsoleSocket openConsole(ExecRequest req, SpecProcess process) throws EngineException {
        if (!process.isTerminal()) {
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

    private int launch(InitPlan plan, SpecProcess process, int preserveFds, ConsoleSocket console,
            CgroupManager cg, ContainerSecurity security, String id, int[] stdio) throws EngineException {
        List<String> args = process.args();
        InitLauncher.Started init;
        try {
            if (console == null) {
                init = launcher.startWithStdio(id, preserveFds, stdio);
            } else {
                init = launcher.startWithStdio(id, preserveFds, stdio, console.fd());
                ConsolePlan.addTo(plan, init.passedFds()[0], console, process);
            }
        } catch (LinuxException e) {
            throw new EngineException(Kind.INTERNAL, "start jshim-init: " + e.getMessage(), e);
        }
        io.jshim.engine.Trace.mark("exec: spawned");
        int pid = 0;
        try (InitChannel channel = init.channel()) {
            try {
                channel.send(plan.encode());
            } catch (LinuxException e) {
                // jshim-init stops reading at the first record it rejects; its MSG_ERROR says why
                expect(channel.receive(), SyncProtocol.MSG_ERROR, args);
            }
            pid = expect(channel.receive(), SyncProtocol.MSG_PID, args).u32(0);
            io.jshim.engine.Trace.mark("exec: pid");
            if (cg != null) {
                cg.addProcess(pid);
            }
            security.afterPid(pid);
            io.jshim.engine.Trace.mark("exec: cgroup joined");
            channel.sendMessage(SyncProtocol.MSG_GO);
            expect(security.receiveBeforeReady(channel, pid), SyncProtocol.MSG_READY, args);
            // jshim-init's parent exited right after reporting the pid; collected once the process is
            // going rather than before the cgroup step (the wait for its exit measured 1-2 ms here)
            reap(init.pid());
            return pid;
        } catch (EngineException e) {
            reap(init.pid()); // it failed, or exited after reporting the pid
            kill(pid);
            throw e;
        } catch (CgroupException e) {
            reap(init.pid());
            kill(pid);
            throw new EngineException(Kind.INTERNAL, "cgroups: " + e.getMessage(), e);
        } catch (EOFException e) {
            reap(init.pid());
            kill(pid);
            throw new EngineException(Kind.INTERNAL, "unable to start container process: jshim-init exited "
                    + "without reporting an error (see its stderr above)", e);
        } catch (IOException e) {
            reap(init.pid());
            kill(pid);
            throw new EngineException(Kind.INTERNAL, "unable to start container process: " + e.getMessage(), e);
        }
    }

    private static InitMessage expect(InitMessage m, int tag, List<String> args) throws EngineException {
        if (m.tag() == SyncProtocol.MSG_ERROR) {
            String msg = m.str(4);
            throw new EngineException(Kind.INTERNAL, "unable to start container process: " + msg
                    + ArgsHint.forLookupFailure(args, msg));
        }
        if (m.tag() != tag) {
            throw new EngineException(Kind.INTERNAL, "unable to start container process: jshim-init sent message "
                    + m.tag() + " where " + tag + " was expected");
        }
        return m;
    }

    /** The jshim-init parent exits right after reporting the pid; collect its status. */
    private static void reap(int pid) {
        try {
            Syscalls.waitpid(pid, 0);
        } catch (LinuxException e) {
            // already reaped
        }
    }

    /** A half-started process must not run on; our subreaper (if any) reaps it. */
    private static void kill(int pid) {
        if (pid <= 0) {
            return;
        }
        try {
            Syscalls.kill(pid, SIGKILL);
            Wait.untilExited(pid, -1, 5_000);
        } catch (LinuxException e) {
            // gone already
        }
    }
}

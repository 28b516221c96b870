package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import io.jshim.engine.console.ConsoleRelay;
import io.jshim.engine.lifecycle.CreateRequest;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.state.ContainerState;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;

/**
 * {@code jrunc run <id>}: create and start; in the foreground, pass stdio through,
 * forward signals to the container's init, and exit with its status (128+N when
 * killed by signal N), deleting the container afterwards unless {@code --keep}.
 */
final class RunCommand implements Command {
    /** Signals a foreground run forwards to init (runc forwards all but SIGCHLD/SIGWINCH; the JVM owns the rest). */
    private static final String[] FORWARDED = {"HUP", "INT", "TERM", "QUIT", "USR1", "ALRM", "CONT", "TSTP"};

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String usage() {
        return "run [command options] <container-id>";
    }

    @Override
    public List<Flag> flags() {
        List<Flag> f = new ArrayList<>(CreateFlags.COMMON);
        f.add(Flag.bool("detach from the container's process", "detach", "d"));
        f.add(Flag.bool("do not use subreaper to reap reparented processes", "no-subreaper"));
        f.add(Flag.bool("do not delete the container after it exits", "keep"));
        return f;
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        String id = a.positional().get(0);
        boolean detach = a.bool("detach");
        if (detach && a.bool("keep")) {
            throw new CommandFailed("jrunc run failed: --detach and --keep cannot both be set");
        }
        boolean subreaper = !detach;
        if (subreaper) {
            // The init's parent (jshim-init) exits after clone, so init is orphaned;
            // as a subreaper we inherit it and can wait for its exit status.
            Syscalls.prctl(Syscalls.PR_SET_CHILD_SUBREAPER, 1);
        }
        ContainerState state;
        // In the foreground a terminal is relayed to ours, as runc's tty.go does: the pty
        // master comes back on this socketpair when process.terminal is set.
        ConsoleRelay relay = detach ? null : ConsoleRelay.open();
        try {
            CreateRequest req = CreateFlags.request(a, id, subreaper);
            state = ctx.engine.create(relay == null ? req : req.withConsoleFd(relay.socketForContainer()));
        } catch (EngineException e) {
            closeQuietly(relay);
            // when the relay could not take over our terminal, that is the story
            throw new CommandFailed("jrunc run failed: " + (relay != null && relay.failure() != null
                    ? relay.failure().getMessage() : e.getMessage()));
        }
        int pid = state.pid();
        if (!detach) {
            forwardSignals(pid);
        }
        try {
            ctx.engine.start(id);
        } catch (EngineException e) {
            closeQuietly(relay);
            deleteQuietly(ctx, id);
            throw new CommandFailed("jrunc run failed: " + e.getMessage());
        }
        if (detach) {
            return 0;
        }
        int status;
        try {
            status = Syscalls.exitCodeOf(Syscalls.waitpid(pid, 0));
            io.jshim.engine.Trace.mark("init exited");
        } catch (LinuxException e) {
            throw new CommandFailed("jrunc run failed: wait for container init " + pid + ": " + e.getMessage());
        } finally {
            closeQuietly(relay); // drains the pty and gives the terminal back
        }
        if (!a.bool("keep")) {
            try {
                ctx.engine.delete(id, true);
            } catch (EngineException e) {
                ctx.log.warn("delete container " + id + " after it exited: " + e.getMessage());
            }
        }
        return status;
    }

    static void forwardSignals(int pid) {
        for (String name : FORWARDED) {
            try {
                int num = Signals.BY_NAME.get(name);
                Signal.handle(new Signal(name), s -> {
                    try {
                        Syscalls.kill(pid, num);
                    } catch (LinuxException e) {
                        // init is gone; its exit status is about to be collected
                    }
                });
            } catch (IllegalArgumentException e) {
                // the JVM reserves this signal (e.g. QUIT without -Xrs); it is not forwarded
            }
        }
    }

    private static void closeQuietly(ConsoleRelay relay) {
        if (relay != null) {
            relay.close();
        }
    }

    private static void deleteQuietly(CliContext ctx, String id) {
        try {
            ctx.engine.delete(id, true);
        } catch (EngineException e) {
            ctx.log.warn("clean up container " + id + ": " + e.getMessage());
        }
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import io.jshim.engine.EngineException.Kind;
import io.jshim.engine.console.ConsoleRelay;
import io.jshim.engine.json.RecordJson;
import io.jshim.engine.lifecycle.ExecProcess;
import io.jshim.engine.lifecycle.ExecRequest;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import io.jshim.engine.spec.SpecProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jrunc exec [flags] <id> <command...>} or {@code exec -p process.json <id>}:
 * runs a process in the container (runc's exec.go). Flags end at the id; the rest
 * is the command. In the foreground jrunc waits for the process, forwarding
 * signals, and exits with its status (128+N when killed by signal N); with
 * {@code -d} it exits 0 once the process runs. When jrunc itself fails it exits
 * 255 with the message prefixed {@code exec failed: }, as runc does.
 */
final class ExecCommand implements Command {
    static final int FAILED = 255;

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String usage() {
        return "exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>";
    }

    @Override
    public boolean flagsEndAtFirstArgument() {
        return true;
    }

    @Override
    public List<Flag> flags() {
        return List.of(
                Flag.value("path to an AF_UNIX socket which will receive a file descriptor referencing the master "
                        + "end of the console's pseudoterminal", "console-socket"),
                Flag.value("current working directory in the container", "cwd"),
                Flag.value("set environment variables", "env", "e"),
                Flag.bool("allocate a pseudo-TTY", "tty", "t"),
                Flag.value("UID (format: <uid>[:<gid>])", "user", "u"),
                Flag.value("additional gids", "additional-gids", "g"),
                Flag.value("path to the process.json", "process", "p"),
                Flag.bool("detach from the container's process", "detach", "d"),
                Flag.value("specify the file to write the process id to", "pid-file"),
                Flag.value("set the asm process label for the process commonly used with selinux", "process-label"),
                Flag.value("set the apparmor profile for the process", "apparmor"),
                Flag.bool("set the no new privileges value for the process", "no-new-privs"),
                Flag.value("add a capability to the bounding set for the process", "cap", "c"),
                Flag.value("Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
                        "preserve-fds"),
                Flag.value("run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.",
                        "cgroup"),
                Flag.bool("allow exec in a paused container", "ignore-paused"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.atLeast(this, a, 1);
        String id = a.positional().get(0);
        List<String> command = a.positional().subList(1, a.positional().size());
        boolean detach = a.bool("detach");
        int preserveFds = a.intValue("preserve-fds", 0);
        if (preserveFds < 0) {
            throw new UsageException("--preserve-fds must be a non-negative number", 1, false);
        }
        if (!a.values("cgroup").isEmpty()) {
            throw new CommandFailed("exec failed: --cgroup " + a.values("cgroup").get(0) + ": running the process "
                    + "in a sub-cgroup is not supported by this version of jrunc", FAILED);
        }
        String consoleSocket = emptyToNull(a.value("console-socket"));
        String pidFile = emptyToNull(a.value("pid-file"));
        ExecRequest.ProcessSource source = template -> {
            SpecProcess p = process(a, command, template);
            checkTerminal(p.isTerminal(), detach, consoleSocket);
            return p;
        };
        ConsoleRelay relay = null;
        int pid;
        try {
            if (!detach) {
                // The process is jshim-init's child, orphaned when jshim-init exits after
                // reporting it: as a subreaper we inherit it and can wait for its status.
                Syscalls.prctl(Syscalls.PR_SET_CHILD_SUBREAPER, 1);
                relay = ConsoleRelay.open(); // used only if the process has a terminal
            }
            ExecProcess.Started started = ctx.engine.exec(new ExecRequest(id, source, consoleSocket,
                    relay == null ? -1 : relay.socketForContainer(), preserveFds,
                    pidFile == null ? null : Path.of(pidFile), a.bool("ignore-paused")));
            pid = started.pid();
        } catch (EngineException | LinuxException e) {
            if (relay != null) {
                relay.close();
                if (relay.failure() != null) { // it could not take over our terminal: that is the story
                    throw new CommandFailed("exec failed: " + relay.failure().getMessage(), FAILED);
                }
            }
            throw new CommandFailed("exec failed: " + e.getMessage(), FAILED);
        }
        if (detach) {
            return 0;
        }
        RunCommand.forwardSignals(pid);
        try {
            return Syscalls.exitCodeOf(Syscalls.waitpid(pid, 0));
        } catch (LinuxException e) {
            throw new CommandFailed("exec failed: wait for process " + pid + ": " + e.getMessage(), FAILED);
        } finally {
            relay.close();
        }
    }

    /** runc's checkTerminal. */
    private static void checkTerminal(boolean terminal, boolean detach, String consoleSocket) throws EngineException {
        if (detach && terminal && consoleSocket == null) {
            throw new EngineException(Kind.INVALID_ARGUMENT,
                    "cannot allocate tty if jrunc will detach without setting console socket");
        }
        if ((!detach || !terminal) && consoleSocket != null) {
            throw new EngineException(Kind.INVALID_ARGUMENT,
                    "cannot use console socket if jrunc will not detach or allocate tty");
        }
    }

    /** runc's getProcess: {@code --process FILE} as it is, or the container's process edited by the flags. */
    static SpecProcess process(ParsedArgs a, List<String> command, SpecProcess t) throws EngineException {
        String file = emptyToNull(a.value("process"));
        if (file != null) {
            try {
                return RecordJson.read(Files.readAllBytes(Path.of(file)), SpecProcess.class);
            } catch (RecordJson.BindException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, "invalid process " + file + ": field "
                        + e.getMessage());
            } catch (NoSuchFileException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, "open " + file + ": no such file or directory");
            } catch (IOException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, "read process " + file + ": "
                        + e.getMessage().split("\n")[0]);
            }
        }
        if (command.isEmpty()) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "process args cannot be empty");
        }
        String cwd = emptyToNull(a.value("cwd"));
        String apparmor = emptyToNull(a.value("apparmor"));
        String label = emptyToNull(a.value("process-label"));
        List<String> env = new ArrayList<>(t.env() == null ? List.of() : t.env());
        env.addAll(a.values("env"));
        SpecProcess.User user = user(a, t.user());
        return new SpecProcess(a.bool("tty"), t.consoleSize(), user, List.copyOf(command), null, env,
                cwd == null ? t.cwd() : cwd, capabilities(a.values("cap"), t.capabilities()), t.rlimits(),
                a.values("no-new-privs").isEmpty() ? t.noNewPrivileges() : Boolean.valueOf(a.bool("no-new-privs")),
                apparmor == null ? t.apparmorProfile() : apparmor, t.oomScoreAdj(),
                label == null ? t.selinuxLabel() : label, t.scheduler(), t.ioPriority());
    }

    /** {@code --cap} adds to the bounding, effective, permitted and ambient sets, as runc's exec does. */
    private static SpecProcess.Capabilities capabilities(List<String> add, SpecProcess.Capabilities c) {
        if (add.isEmpty()) {
            return c;
        }
        return new SpecProcess.Capabilities(plus(c == null ? null : c.bounding(), add),
                plus(c == null ? null : c.effective(), add), c == null ? null : c.inheritable(),
                plus(c == null ? null : c.permitted(), add), plus(c == null ? null : c.ambient(), add));
    }

    private static List<String> plus(List<String> base, List<String> add) {
        List<String> out = new ArrayList<>(base == null ? List.of() : base);
        out.addAll(add);
        return out;
    }

    /** {@code --user uid[:gid]} and {@code --additional-gids}, with runc's messages. */
    private static SpecProcess.User user(ParsedArgs a, SpecProcess.User t) throws EngineException {
        Long uid = t == null ? null : t.uid();
        Long gid = t == null ? null : t.gid();
        String u = emptyToNull(a.value("user"));
        if (u != null) {
            String[] parts = u.split(":", 2);
            if (parts.length > 1) {
                gid = parseId(parts[1], "gid");
            }
            uid = parseId(parts[0], "uid");
        }
        List<Long> gids = new ArrayList<>(t == null || t.additionalGids() == null ? List.of() : t.additionalGids());
        for (String g : a.values("additional-gids")) {
            long v;
            try {
                v = Long.parseLong(g);
            } catch (NumberFormatException e) {
                throw new EngineException(Kind.INVALID_ARGUMENT, "invalid value \"" + g
                        + "\" for flag -additional-gids: parse error");
            }
            if (v < 0) {
                throw new EngineException(Kind.INVALID_ARGUMENT, "additional-gids must be a positive number " + v);
            }
            gids.add(v);
        }
        return new SpecProcess.User(uid, gid, t == null ? null : t.umask(), gids, t == null ? null : t.username());
    }

    private static long parseId(String s, String what) throws EngineException {
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new EngineException(Kind.INVALID_ARGUMENT, "parsing " + s + " as int for " + what
                    + " failed: strconv.Atoi: parsing " + GoQuote.of(s) + ": invalid syntax");
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

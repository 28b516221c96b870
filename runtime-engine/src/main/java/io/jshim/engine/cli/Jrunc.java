package io.jshim.engine.cli;

import io.jshim.engine.Engine;
import io.jshim.engine.plan.InitLauncher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jrunc}: a drop-in for runc's command line (runtime-reference.md §1):
 * global options, then a verb. Exit codes follow runc: 0, 1 on failure, 3 for
 * an unknown command, the container's status for {@code run}.
 */
public final class Jrunc {
    static final String VERSION = "0.1.0";
    static final String DEFAULT_ROOT = "/run/jrunc";

    private static final List<Flag> GLOBAL = List.of(
            Flag.value("root directory for storage of container state (this should be located in tmpfs)", "root"),
            Flag.value("set the log file to write jrunc logs to (default is '/dev/stderr')", "log"),
            Flag.value("set the log format ('text' (default), or 'json')", "log-format"),
            Flag.bool("enable debug logging", "debug"),
            Flag.bool("enable systemd cgroup support", "systemd-cgroup"),
            Flag.value("ignore cgroup permission errors ('true', 'false', or 'auto')", "rootless"),
            Flag.value("path to the criu binary used for checkpoint and restore", "criu"),
            Flag.bool("show help", "help", "h"),
            Flag.bool("print the version", "version", "v"));

    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        for (Command c : List.of(new CreateCommand(), new DeleteCommand(), new KillCommand(), new ListCommand(),
                new PsCommand(), new RunCommand(), new SpecCommand(), new StartCommand(), new StateCommand(),
                new PauseCommand(), new ResumeCommand(), new UpdateCommand(), new EventsCommand(),
                new FeaturesCommand(), new ExecCommand())) {
            COMMANDS.put(c.name(), c);
        }
    }

    private Jrunc() {
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        io.jshim.engine.Trace.mark("main");
        int split = 0;
        // Global options come before the command; find where they end.
        while (split < argv.size() && argv.get(split).startsWith("-")) {
            String a = argv.get(split);
            String name = a.replaceFirst("^--?", "").split("=", 2)[0];
            boolean takesValue = GLOBAL.stream().anyMatch(f -> f.names().contains(name) && f.takesValue());
            split += (takesValue && !a.contains("=")) ? 2 : 1;
        }
        split = Math.min(split, argv.size());
        ParsedArgs global;
        RuncLog bootLog = new RuncLog(null, false, false, err);
        try {
            global = ParsedArgs.parse(argv.subList(0, split), GLOBAL, false);
        } catch (UsageException e) {
            bootLog.error(e.getMessage());
            return e.exitCode();
        }
        String format = global.value("log-format", "text");
        if (!format.equals("text") && !format.equals("json")) {
            bootLog.error("invalid log-format: " + format);
            return 1;
        }
        RuncLog log = new RuncLog(global.value("log"), format.equals("json"), global.bool("debug"), err);
        if (global.bool("version")) {
            out.println("jrunc version " + VERSION);
            out.println("commit: " + VERSION);
            out.println("spec: " + StateJson.OCI_VERSION);
            out.println("java: " + Runtime.version());
            return 0;
        }
        List<String> rest = argv.subList(split, argv.size());
        if (rest.isEmpty() || global.bool("help") || rest.get(0).equals("help")) {
            usage(out);
            return 0;
        }
        Command cmd = COMMANDS.get(rest.get(0));
        if (cmd == null) {
            log.error("No help topic for '" + rest.get(0) + "'");
            return 3;
        }
        if (global.bool("systemd-cgroup")) {
            if (!java.nio.file.Files.isDirectory(Path.of("/run/systemd/system"))) {
                log.error("systemd cgroup flag passed, but systemd support for managing cgroups is not available: "
                        + "systemd is not running on this host (/run/systemd/system is missing)");
                return 1;
            }
            log.error("--systemd-cgroup: the systemd cgroup driver is not supported by this version of jrunc");
            return 1;
        }
        Path root = Path.of(global.value("root", DEFAULT_ROOT));
        CliContext ctx = new CliContext(new Engine(root, InitLauncher.locate()), out, log, "jrunc", root);
        io.jshim.engine.Trace.mark("engine ready");
        ctx.engine.onWarning(log::warn); // a failing poststop hook (runtime.md: "log a warning")
        try {
            ParsedArgs args = ParsedArgs.parse(rest.subList(1, rest.size()), cmd.flags(),
                    cmd.flagsEndAtFirstArgument());
            return cmd.run(args, ctx);
        } catch (UsageException e) {
            if (e.showUsage()) {
                out.println("Incorrect Usage.");
                out.println();
                out.println("USAGE:");
                out.println("   jrunc " + cmd.usage());
                out.flush();
            }
            log.error("jrunc: " + e.getMessage());
            return e.exitCode();
        } catch (CommandFailed e) {
            log.error(e.getMessage());
            return e.exitCode();
        } catch (Exception e) {
            log.error(cmd.name() + ": " + e);
            return 1;
        }
    }

    private static void usage(PrintStream out) {
        out.println("NAME:");
        out.println("   jrunc - Open Container Initiative runtime (jshim)");
        out.println();
        out.println("USAGE:");
        out.println("   jrunc [global options] command [command options] [arguments...]");
        out.println();
        out.println("COMMANDS:");
        for (Command c : COMMANDS.values()) {
            out.println("   " + c.usage());
        }
        out.println();
        out.println("GLOBAL OPTIONS:");
        for (Flag f : GLOBAL) {
            out.println("   --" + String.join(", -", f.names()) + (f.takesValue() ? " value" : "") + "\t" + f.usage());
        }
    }
}

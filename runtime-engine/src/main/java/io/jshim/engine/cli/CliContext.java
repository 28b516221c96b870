package io.jshim.engine.cli;

import io.jshim.engine.Engine;
import java.io.PrintStream;
import java.nio.file.Path;

/** What every verb gets: the engine for --root, the streams, the log, and argument checks. */
final class CliContext {
    final Engine engine;
    final PrintStream out;
    final RuncLog log;
    final String program;
    final Path root;

    CliContext(Engine engine, PrintStream out, RuncLog log, String program, Path root) {
        this.engine = engine;
        this.out = out;
        this.log = log;
        this.program = program;
        this.root = root;
    }

    static void exactly(Command c, ParsedArgs a, int n) throws UsageException {
        if (a.positional().size() != n) {
            throw new UsageException("\"" + c.name() + "\" requires exactly " + n + " argument(s)", 1, true);
        }
    }

    static void atLeast(Command c, ParsedArgs a, int n) throws UsageException {
        if (a.positional().size() < n) {
            throw new UsageException("\"" + c.name() + "\" requires a minimum of " + n + " argument(s)", 1, true);
        }
    }

    static void none(Command c, ParsedArgs a) throws UsageException {
        if (!a.positional().isEmpty()) {
            throw new UsageException("\"" + c.name() + "\" requires a maximum of 0 argument(s)", 1, true);
        }
    }
}

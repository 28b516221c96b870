package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc kill [--all] <id> [signal]}: SIGTERM by default; names or numbers, as runc. */
final class KillCommand implements Command {
    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String usage() {
        return "kill [command options] <container-id> [signal]";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.bool("send the specified signal to all processes inside the container", "all", "a"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.atLeast(this, a, 1);
        if (a.positional().size() > 2) {
            throw new UsageException("\"kill\" requires a maximum of 2 argument(s)", 1, true);
        }
        String sig = a.positional().size() == 2 ? a.positional().get(1) : "SIGTERM";
        int signal = Signals.parse(sig);
        if (signal < 0) {
            throw new CommandFailed("unknown signal \"" + sig + "\"");
        }
        try {
            ctx.engine.kill(a.positional().get(0), signal, a.bool("all"));
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc pause <id>}: freezes every process of the container; prints nothing. */
final class PauseCommand implements Command {
    @Override
    public String name() {
        return "pause";
    }

    @Override
    public String usage() {
        return "pause <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of();
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.engine.pause(a.positional().get(0));
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

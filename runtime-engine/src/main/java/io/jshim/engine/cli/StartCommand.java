package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc start <id>}: run the user process of a created container. */
final class StartCommand implements Command {
    @Override
    public String name() {
        return "start";
    }

    @Override
    public String usage() {
        return "start <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of();
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.engine.start(a.positional().get(0));
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

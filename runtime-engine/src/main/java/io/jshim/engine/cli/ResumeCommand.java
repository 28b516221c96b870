package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc resume <id>}: thaws a paused container; prints nothing. */
final class ResumeCommand implements Command {
    @Override
    public String name() {
        return "resume";
    }

    @Override
    public String usage() {
        return "resume <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of();
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.engine.resume(a.positional().get(0));
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc create <id>}: set the container up; its init waits for {@code start}. */
final class CreateCommand implements Command {
    @Override
    public String name() {
        return "create";
    }

    @Override
    public String usage() {
        return "create [command options] <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return CreateFlags.COMMON;
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.engine.create(CreateFlags.request(a, a.positional().get(0), false));
        } catch (EngineException e) {
            throw new CommandFailed("jrunc create failed: " + e.getMessage());
        }
        return 0;
    }
}

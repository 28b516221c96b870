package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.util.List;

/** {@code jrunc delete [--force] <id>}. */
final class DeleteCommand implements Command {
    @Override
    public String name() {
        return "delete";
    }

    @Override
    public String usage() {
        return "delete [command options] <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.bool("Forcibly deletes the container if it is still running (uses SIGKILL)",
                "force", "f"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.engine.delete(a.positional().get(0), a.bool("force"));
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

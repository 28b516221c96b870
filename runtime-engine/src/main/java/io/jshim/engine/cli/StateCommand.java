package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import io.jshim.engine.json.GoJson;
import java.util.List;

/** {@code jrunc state <id>}: the state JSON, indented by two spaces, with no trailing newline (as runc). */
final class StateCommand implements Command {
    @Override
    public String name() {
        return "state";
    }

    @Override
    public String usage() {
        return "state <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of();
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        try {
            ctx.out.print(GoJson.indent(StateJson.of(ctx.engine.state(a.positional().get(0)), ""), "  "));
            ctx.out.flush();
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }
}

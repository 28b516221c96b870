package io.jshim.engine.cli;

import io.jshim.engine.features.Features;
import io.jshim.engine.features.LibseccompVersion;
import io.jshim.engine.json.GoJson;
import io.jshim.engine.plan.InitLauncher;
import java.util.List;

/**
 * {@code jrunc features}: what this build supports, as runtime-spec features.md defines it
 * and runc prints it (4-space indent, trailing newline). containerd's shim reads it for
 * {@code -info}, and CRI decides from it whether user namespaces may be used.
 */
final class FeaturesCommand implements Command {
    @Override
    public String name() {
        return "features";
    }

    @Override
    public String usage() {
        return "features";
    }

    @Override
    public List<Flag> flags() {
        return List.of();
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 0);
        ctx.out.print(GoJson.indent(Features.build(StateJson.OCI_VERSION, Jrunc.VERSION,
                LibseccompVersion.of(InitLauncher.locate())), "    ") + "\n");
        ctx.out.flush();
        return 0;
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import io.jshim.engine.spec.LinuxResources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jrunc update [flags] <id>}: changes a container's resource limits, from flags or
 * from a LinuxResources JSON ({@code -r FILE}, or {@code -r -} for stdin, as containerd
 * sends it; then the other flags are ignored, as in runc). Prints nothing on success.
 */
final class UpdateCommand implements Command {
    @Override
    public String name() {
        return "update";
    }

    @Override
    public String usage() {
        return "update [command options] <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return UpdateFlags.FLAGS;
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        String id = a.positional().get(0);
        try {
            ctx.engine.state(id); // runc: an unknown id is reported before bad values
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        String in = a.value("resources", "");
        LinuxResources r;
        if (!in.isEmpty()) {
            r = in.equals("-") ? UpdateFlags.fromJson(System.in, "stdin", ctx.log::warn) : fromFile(in, ctx);
        } else {
            r = UpdateFlags.fromFlags(a, ctx.log::warn);
            UpdateFlags.checkIntelRdt(a);
        }
        try {
            ctx.engine.update(id, r);
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }

    private static LinuxResources fromFile(String file, CliContext ctx) throws CommandFailed {
        try (InputStream s = Files.newInputStream(Path.of(file))) {
            return UpdateFlags.fromJson(s, file, ctx.log::warn);
        } catch (NoSuchFileException e) {
            throw new CommandFailed("open " + file + ": no such file or directory");
        } catch (IOException e) {
            throw new CommandFailed("open " + file + ": " + e.getMessage());
        }
    }
}

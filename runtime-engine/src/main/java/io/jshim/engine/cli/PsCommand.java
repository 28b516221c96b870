package io.jshim.engine.cli;

import io.jshim.engine.EngineException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code jrunc ps [-f table|json] <id> [ps-args]}: json is the bare array of host
 * pids in the container's cgroup ({@code null} when empty); the table is ps(1)'s
 * output (default {@code -ef}) filtered to those pids, as runc does.
 */
final class PsCommand implements Command {
    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String usage() {
        return "ps [command options] <container-id> [ps options]";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("select one of: table or json (default: \"table\")", "format", "f"));
    }

    @Override
    public boolean flagsEndAtFirstArgument() {
        return true;
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.atLeast(this, a, 1);
        String id = a.positional().get(0);
        List<Integer> pids;
        try {
            pids = ctx.engine.pids(id);
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        String format = a.value("format", "table");
        switch (format) {
            case "json" -> {
                if (pids.isEmpty()) {
                    ctx.out.println("null");
                } else {
                    ctx.out.println("[" + String.join(",", pids.stream().map(String::valueOf).toList()) + "]");
                }
                ctx.out.flush();
                return 0;
            }
            case "table" -> {
                return table(ctx, pids, a.positional().subList(1, a.positional().size()));
            }
            default -> throw new CommandFailed("invalid format option");
        }
    }

    private static int table(CliContext ctx, List<Integer> pids, List<String> psArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        cmd.addAll(psArgs.isEmpty() ? List.of("-ef") : psArgs);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null;) {
                lines.add(l);
            }
        }
        if (p.waitFor() != 0 || lines.isEmpty()) {
            throw new CommandFailed("ps " + String.join(" ", cmd.subList(1, cmd.size())) + ": " + String.join("\n",
                    lines));
        }
        String header = lines.get(0);
        String[] cols = header.trim().split("\\s+");
        int pidCol = -1;
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].equals("PID")) {
                pidCol = i;
            }
        }
        if (pidCol < 0) {
            throw new CommandFailed("couldn't find PID field in ps output");
        }
        Set<Integer> want = new HashSet<>(pids);
        ctx.out.println(header);
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.trim().split("\\s+");
            if (f.length > pidCol) {
                try {
                    if (want.contains(Integer.parseInt(f[pidCol]))) {
                        ctx.out.println(l);
                    }
                } catch (NumberFormatException e) {
                    // not a process line
                }
            }
        }
        ctx.out.flush();
        return 0;
    }
}

package io.jshim.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jshim.engine.json.GoJson;
import io.jshim.engine.lifecycle.ContainerView;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** {@code jrunc list}: a tabwriter table, {@code -f json} (or {@code null}), or {@code -q} ids. */
final class ListCommand implements Command {
    @Override
    public String name() {
        return "list";
    }

    @Override
    public String usage() {
        return "list [command options]";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("select one of: table or json (default: \"table\")", "format", "f"),
                Flag.bool("display only container IDs", "quiet", "q"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.none(this, a);
        String format = a.value("format", "table");
        List<ContainerView> views = ctx.engine.list((id, e) -> System.err.println("load container " + id + ": "
                + e.getMessage()));
        if (a.bool("quiet")) {
            views.forEach(v -> ctx.out.println(v.state().id()));
            return 0;
        }
        switch (format) {
            case "table" -> table(views, ctx);
            case "json" -> {
                if (views.isEmpty()) {
                    ctx.out.println("null");
                } else {
                    ArrayNode arr = JsonNodeFactory.instance.arrayNode();
                    for (ContainerView v : views) {
                        arr.add(StateJson.of(v, owner(ctx, v)));
                    }
                    ctx.out.println(GoJson.compact(arr));
                }
            }
            default -> throw new CommandFailed("invalid format option");
        }
        ctx.out.flush();
        return 0;
    }

    private static void table(List<ContainerView> views, CliContext ctx) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"});
        for (ContainerView v : views) {
            rows.add(new String[] {v.state().id(), Integer.toString(v.pid()), v.status().text(), v.state().bundle(),
                v.state().created(), owner(ctx, v)});
        }
        ctx.out.print(TabWriter.format(rows, 12, 3));
    }

    /** The user owning {@code <root>/<id>}, or {@code #uid} when it has no name. */
    private static String owner(CliContext ctx, ContainerView v) {
        try {
            Object uid = Files.getAttribute(ctx.engine.store().dir(v.state().id()), "unix:uid");
            String name = Files.getOwner(ctx.engine.store().dir(v.state().id())).getName();
            return name.equals(String.valueOf(uid)) ? "#" + uid : name;
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }
}

package io.jshim.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jshim.engine.EngineException;
import io.jshim.engine.cgroup.stats.CgroupStats;
import io.jshim.engine.json.GoJson;
import io.jshim.engine.stats.EventStream;
import io.jshim.engine.stats.RuncStatsJson;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * {@code jrunc events [--stats] [--interval 5s] <id>}: runc's events, one compact JSON
 * object per line ({@code {"type":"stats","id":...,"data":{...}}} and
 * {@code {"type":"oom","id":...}}). {@code --stats} prints one sample and exits; otherwise
 * the stream runs until the container is deleted.
 */
final class EventsCommand implements Command {
    @Override
    public String name() {
        return "events";
    }

    @Override
    public String usage() {
        return "events [command options] <container-id>";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("set the stats collection interval (default: 5s)", "interval"),
                Flag.bool("display the container's stats then exit", "stats"));
    }

    @Override
    public int run(ParsedArgs a, CliContext ctx) throws Exception {
        CliContext.exactly(this, a, 1);
        String id = a.positional().get(0);
        String text = a.value("interval", "5s");
        Duration interval;
        try {
            interval = GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid value " + GoQuote.of(text) + " for flag -interval: parse error: "
                    + e.getMessage(), 1, true);
        }
        try {
            ctx.engine.state(id); // runc: an unknown id is reported before a bad interval
            if (interval.isNegative() || interval.isZero()) {
                throw new CommandFailed("duration interval must be greater than 0");
            }
            if (a.bool("stats")) {
                print(ctx, RuncStatsJson.statsEvent(id, ctx.engine.stats(id)));
                return 0;
            }
            ctx.engine.events(id, interval, new EventStream.Sink() {
                @Override
                public void stats(CgroupStats stats) {
                    print(ctx, RuncStatsJson.statsEvent(id, stats));
                }

                @Override
                public void oom() {
                    print(ctx, RuncStatsJson.oomEvent(id));
                }

                @Override
                public void error(String message) {
                    ctx.log.error(message);
                }
            });
        } catch (EngineException e) {
            throw new CommandFailed(e.getMessage());
        }
        return 0;
    }

    /** One event per line, flushed at once: a reader of the stream acts on each as it comes. */
    private static void print(CliContext ctx, ObjectNode event) {
        ctx.out.print(GoJson.compact(event) + "\n");
        ctx.out.flush();
        if (ctx.out.checkError()) {
            throw new UncheckedIOException(new java.io.IOException("write events to stdout: the reader went away"));
        }
    }
}

package io.jshim.engine.cli;

import java.util.List;

/** One jrunc verb. Each lives in its own class, named after it. */
interface Command {
    String name();

    /** e.g. "create [command options] <container-id>". */
    String usage();

    List<Flag> flags();

    /** runc's exec and ps hand everything after the id to the process or to ps(1). */
    default boolean flagsEndAtFirstArgument() {
        return false;
    }

    int run(ParsedArgs args, CliContext ctx) throws Exception;
}

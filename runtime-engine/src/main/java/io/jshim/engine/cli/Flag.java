package io.jshim.engine.cli;

import java.util.List;

/** One command-line flag, urfave/cli style: long and short names, boolean or taking a value. */
record Flag(List<String> names, boolean takesValue, String usage) {
    static Flag bool(String usage, String... names) {
        return new Flag(List.of(names), false, usage);
    }

    static Flag value(String usage, String... names) {
        return new Flag(List.of(names), true, usage);
    }

    String name() {
        return names.get(0);
    }
}

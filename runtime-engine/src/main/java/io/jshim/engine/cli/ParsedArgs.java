package io.jshim.engine.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A command line split as urfave/cli (which runc uses) splits it: {@code --flag},
 * {@code -flag}, {@code --flag=value}, {@code --flag value}; {@code --} ends flags.
 * Flags may follow positional arguments unless {@code stopAtFirstPositional}
 * (runc's exec and ps, where the rest belongs to the command).
 */
final class ParsedArgs {
    private final Map<String, List<String>> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    static ParsedArgs parse(List<String> args, List<Flag> flags, boolean stopAtFirstPositional)
            throws UsageException {
        ParsedArgs p = new ParsedArgs();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                p.positional.addAll(args.subList(i + 1, args.size()));
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                if (stopAtFirstPositional) {
                    p.positional.addAll(args.subList(i, args.size()));
                    break;
                }
                p.positional.add(a);
                continue;
            }
            String body = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String inline = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                inline = body.substring(eq + 1);
                body = body.substring(0, eq);
            }
            Flag f = find(flags, body);
            if (f == null) {
                throw new UsageException("flag provided but not defined: -" + body, 1, true);
            }
            String v;
            if (f.takesValue()) {
                if (inline != null) {
                    v = inline;
                } else if (i + 1 < args.size()) {
                    v = args.get(++i);
                } else {
                    throw new UsageException("flag needs an argument: -" + body, 1, true);
                }
            } else {
                v = inline == null ? "true" : inline;
                if (!v.equals("true") && !v.equals("false")) {
                    throw new UsageException("invalid boolean value \"" + v + "\" for -" + body, 1, true);
                }
            }
            p.values.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(v);
        }
        return p;
    }

    private static Flag find(List<Flag> flags, String name) {
        for (Flag f : flags) {
            if (f.names().contains(name)) {
                return f;
            }
        }
        return null;
    }

    String value(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    String value(String name, String def) {
        String v = value(name);
        return v == null ? def : v;
    }

    List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean bool(String name) {
        return "true".equals(value(name));
    }

    int intValue(String name, int def) throws UsageException {
        String v = value(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("invalid value \"" + v + "\" for flag -" + name + ": parse error", 1, true);
        }
    }

    List<String> positional() {
        return positional;
    }
}

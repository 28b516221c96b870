package io.jshim.shim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The command line of the shim's Java side, written by the C front end ({@code native-shim/src/main.c}):
 * Go flag syntax ({@code -x v}, {@code --x=v}), flags anywhere, one action ({@code serve} or
 * {@code delete}).
 */
public record ShimFlags(Map<String, String> values, boolean debug, String action) {

    private static final List<String> VALUE_FLAGS = List.of("namespace", "address", "ttrpc-address",
            "publish-binary", "socket", "group", "daemon-dir", "state-root", "engine-root", "id", "bundle", "config");

    public static ShimFlags parse(String[] args) {
        Map<String, String> values = new TreeMap<>();
        boolean debug = false;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-")) {
                positional.add(a);
                continue;
            }
            String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("debug")) {
                debug = value == null || Boolean.parseBoolean(value);
                continue;
            }
            if (!VALUE_FLAGS.contains(name)) {
                throw new IllegalArgumentException("flag provided but not defined: -" + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("flag needs an argument: -" + name);
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        if (positional.size() != 1) {
            throw new IllegalArgumentException("expected one action (serve or delete), got " + positional);
        }
        return new ShimFlags(Map.copyOf(values), debug, positional.get(0));
    }

    public String get(String name) {
        return values.getOrDefault(name, "");
    }

    public String require(String name) {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("-" + name + " is required for " + action);
        }
        return v;
    }
}

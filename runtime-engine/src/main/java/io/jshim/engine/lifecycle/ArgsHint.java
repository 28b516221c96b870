package io.jshim.engine.lifecycle;

import io.jshim.engine.json.GoJson;
import java.util.ArrayList;
import java.util.List;

/**
 * A hint for a classic slip that runc and crun leave unexplained: {@code "args":
 * ["sleep 10"]} names one program called "sleep 10", not sleep with an argument.
 */
final class ArgsHint {
    private ArgsHint() {
    }

    static String forLookupFailure(List<String> args, String error) {
        if (args == null || args.isEmpty()) {
            return "";
        }
        String first = args.get(0);
        if (!first.trim().contains(" ") && !first.contains("\t")) {
            return "";
        }
        if (!error.contains("not found") && !error.contains("no such file")) {
            return "";
        }
        List<String> split = new ArrayList<>();
        for (String part : first.trim().split("\\s+")) {
            split.add(GoJson.quote(part));
        }
        for (int i = 1; i < args.size(); i++) {
            split.add(GoJson.quote(args.get(i)));
        }
        return " (process.args[0] is " + GoJson.quote(first) + ", one string holding a space: each argument "
                + "must be its own string, e.g. \"args\": [" + String.join(", ", split) + "])";
    }
}

package io.jshim.engine.cli;

import io.jshim.engine.json.GoJson;
import io.jshim.engine.state.Timestamps;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Errors and debug lines written as runc (logrus) writes them, because containerd
 * reads them back: with {@code --log-format json} each line is
 * {@code {"level":"error","msg":"...","time":"<RFC3339, local zone>"}} and the
 * shim keeps the last error's msg (runtime-reference.md §1.1). With {@code --log
 * FILE} the formatted line goes to the file and the bare message to stderr too.
 */
final class RuncLog {
    private final String logPath;
    private final boolean json;
    private final boolean debug;
    private final PrintStream stderr;

    RuncLog(String logPath, boolean json, boolean debug, PrintStream stderr) {
        this.logPath = logPath == null || logPath.isEmpty() || logPath.equals("/dev/stderr") ? null : logPath;
        this.json = json;
        this.debug = debug;
        this.stderr = stderr;
    }

    void error(String msg) {
        emit("error", msg);
        if (logPath != null) {
            stderr.println(msg);
            stderr.flush();
        }
    }

    void warn(String msg) {
        emit("warning", msg);
    }

    void debug(String msg) {
        if (debug) {
            emit("debug", msg);
        }
    }

    String format(String level, String msg, Instant now) {
        String time = Timestamps.rfc3339Local(now);
        if (json) {
            return "{\"level\":" + GoJson.quote(level) + ",\"msg\":" + GoJson.quote(msg) + ",\"time\":"
                    + GoJson.quote(time) + "}";
        }
        return "time=" + logfmt(time) + " level=" + level + " msg=" + logfmt(msg);
    }

    private void emit(String level, String msg) {
        String line = format(level, msg, Instant.now()) + "\n";
        if (logPath == null) {
            stderr.print(line);
            stderr.flush();
            return;
        }
        // O_CREAT|O_WRONLY|O_APPEND, 0644, as runc opens --log.
        try (FileOutputStream out = new FileOutputStream(logPath, true)) {
            out.write(line.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            stderr.print(line);
        }
    }

    /** logrus's text formatter quotes a value (Go %q) unless it is made only of safe characters. */
    static String logfmt(String v) {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = Character.isLetterOrDigit(c) || "-._/@^+".indexOf(c) >= 0;
        }
        if (plain) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}

package io.jshim.it.support;

import java.util.Arrays;
import java.util.List;

/**
 * What one runtime invocation did.
 *
 * @param command  the full command line
 * @param exitCode the exit status ({@code -1} if it timed out and was killed)
 * @param stdout   everything written on stdout
 * @param stderr   everything written on stderr
 * @param millis   wall-clock duration
 * @param timedOut true if the command did not finish within its timeout
 */
public record Result(List<String> command, int exitCode, String stdout, String stderr, long millis, boolean timedOut) {

    /** The non-empty lines of stderr. */
    public List<String> stderrLines() {
        return Arrays.stream(stderr.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /**
     * The error message of the last stderr line: the {@code msg} of a logrus text line
     * ({@code time="..." level=error msg="..."}), unquoted; or the whole line when it is not in
     * that format. Empty when stderr is empty.
     */
    public String errorMessage() {
        List<String> lines = stderrLines();
        return lines.isEmpty() ? "" : messageOf(lines.getLast());
    }

    /** The message of one stderr line (see {@link #errorMessage()}). */
    public static String messageOf(String line) {
        int i = line.indexOf(" msg=\"");
        if (i < 0 || !line.startsWith("time=")) {
            return line.strip();
        }
        StringBuilder sb = new StringBuilder();
        for (int k = i + 6; k < line.length(); k++) {
            char c = line.charAt(k);
            if (c == '"') {
                break;
            }
            if (c == '\\' && k + 1 < line.length()) {
                char n = line.charAt(++k);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    default -> sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The error message with a leading {@code runc <verb> failed: } or {@code jrunc <verb> failed: }
     * removed, so that the two runtimes' messages can be compared.
     */
    public String errorMessageWithoutPrefix() {
        return stripRuntimePrefix(errorMessage());
    }

    /** See {@link #errorMessageWithoutPrefix()}. */
    public static String stripRuntimePrefix(String msg) {
        return msg.replaceFirst("^j?runc (create|run|exec|start) failed: ", "");
    }

    /** A multi-line description for assertion messages. */
    public String describe() {
        return "$ " + String.join(" ", command) + "\n"
                + "exit: " + (timedOut ? "TIMED OUT" : exitCode) + " (" + millis + " ms)\n"
                + "stdout: " + abbreviate(stdout) + "\n"
                + "stderr: " + abbreviate(stderr);
    }

    private static String abbreviate(String s) {
        String t = s.length() > 4000 ? s.substring(0, 4000) + "...[" + s.length() + " chars]" : s;
        return t.isEmpty() ? "(empty)" : "<<" + t + ">>";
    }

    @Override
    public String toString() {
        return describe();
    }
}

package io.jshim.shim.log;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One log line in logrus's text format, which is what containerd's Go shims write to the bundle's
 * {@code log} FIFO and containerd copies into its own log (shim-v2-protocol.md §1.8):
 * {@code time="2024-05-06T07:08:09.123456789Z" level=info msg="..." key=value}.
 */
public final class Logrus {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

    private Logrus() {
    }

    public static String line(Instant time, Level level, String msg, Map<String, String> fields) {
        StringBuilder sb = new StringBuilder(96 + msg.length());
        sb.append("time=\"").append(TIME.format(time)).append("\" level=").append(name(level)).append(" msg=");
        quote(sb, msg);
        for (Map.Entry<String, String> f : fields.entrySet()) {
            sb.append(' ').append(f.getKey()).append('=');
            String v = f.getValue();
            if (needsQuotes(v)) {
                quote(sb, v);
            } else {
                sb.append(v);
            }
        }
        return sb.append('\n').toString();
    }

    public static String name(Level level) {
        return switch (level) {
            case ALL, TRACE -> "trace";
            case DEBUG -> "debug";
            case INFO -> "info";
            case WARNING -> "warning";
            case ERROR, OFF -> "error";
        };
    }

    private static boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' || c == '/' || c == '@'
                    || c == '^' || c == '+')) {
                return true;
            }
        }
        return false;
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}

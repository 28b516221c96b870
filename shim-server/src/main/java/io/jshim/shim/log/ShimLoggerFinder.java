package io.jshim.shim.log;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * Routes {@link System.Logger} (used by the ttrpc and events classes) to logrus lines on stderr, which in
 * the shim daemon is its log file. It keeps java.util.logging, with its start-up cost and two-line
 * records, out of the daemon. The threshold is INFO, or DEBUG with {@code -Djshim.log.level=debug}
 * (set by the daemon for containerd's {@code -debug}).
 */
public final class ShimLoggerFinder extends System.LoggerFinder {

    private static volatile Level threshold = parse(System.getProperty("jshim.log.level", "info"));
    private static volatile PrintStream out = System.err;

    public static void setThreshold(Level level) {
        threshold = level;
    }

    public static Level threshold() {
        return threshold;
    }

    static Level parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
        };
    }

    @Override
    public Logger getLogger(String name, Module module) {
        return new LogrusLogger(name);
    }

    private record LogrusLogger(String name) implements Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            if (level == Level.OFF || level.getSeverity() < threshold.getSeverity()) {
                return false;
            }
            // the JDK's own debug chatter (e.g. java.lang.Runtime logging every exit) only at warnings
            return level.getSeverity() >= Level.WARNING.getSeverity()
                    || !(name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun."));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            String text = msg == null ? "" : msg;
            if (thrown != null) {
                text = text + ": " + thrown;
            }
            write(level, text);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) {
                return;
            }
            String text = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
            write(level, text);
        }

        private void write(Level level, String text) {
            String logger = name.substring(name.lastIndexOf('.') + 1);
            out.print(Logrus.line(Instant.now(), level, text, Map.of("logger", logger)));
            out.flush();
        }
    }
}

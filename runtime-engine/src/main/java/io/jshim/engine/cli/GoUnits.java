package io.jshim.engine.cli;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docker/go-units' RAMInBytes, which runc's {@code update --memory} and friends use: a
 * number, optionally with a fraction, then an optional binary unit k, m, g, t, p (any
 * case, optionally followed by "i" and/or "b"): "256m", "1.5GiB", "1024". The result is
 * truncated to whole bytes.
 */
final class GoUnits {
    private static final Pattern SIZE = Pattern.compile("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");
    private static final Map<String, Long> BINARY = Map.of("k", 1L << 10, "m", 1L << 20, "g", 1L << 30,
            "t", 1L << 40, "p", 1L << 50);

    private GoUnits() {
    }

    /** @throws IllegalArgumentException worded as go-units ({@code invalid size: 'abc'}) */
    static long ramInBytes(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size: '" + s + "'");
        }
        double size;
        try {
            if (m.group(1).chars().filter(c -> c == '.').count() > 1) {
                throw new NumberFormatException();
            }
            size = Double.parseDouble(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseFloat: parsing " + GoQuote.of(m.group(1))
                    + ": invalid syntax");
        }
        String unit = m.group(3) == null ? "" : m.group(3).toLowerCase(Locale.ROOT);
        Long mul = BINARY.get(unit);
        if (mul != null) {
            size *= mul;
        }
        if (size >= 0x1p63) {
            throw new IllegalArgumentException("size " + GoQuote.of(s) + " is too large (the maximum is "
                    + Long.MAX_VALUE + " bytes)");
        }
        return (long) size;
    }
}

package io.jshim.engine.cli;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

/**
 * Go's time.ParseDuration, which runc's duration flags ({@code events --interval}) use:
 * a sign, then one or more decimal numbers each with a unit, e.g. "5s", "100ms", "1m30s",
 * "1.5h"; units ns, us (µs, μs), ms, s, m, h; "0" needs none.
 */
final class GoDuration {
    private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L,
            "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);

    private GoDuration() {
    }

    /** @throws IllegalArgumentException with Go's message, e.g. {@code time: invalid duration "abc"} */
    static Duration parse(String orig) {
        String s = orig;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw invalid(orig);
        }
        BigInteger total = BigInteger.ZERO;
        while (!s.isEmpty()) {
            char c = s.charAt(0);
            if (c != '.' && (c < '0' || c > '9')) {
                throw invalid(orig);
            }
            int i = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 0x80) {
                i++;
            }
            boolean pre = i > 0;
            BigInteger v = pre ? new BigInteger(s.substring(0, i)) : BigInteger.ZERO;
            if (v.compareTo(LIMIT) > 0) {
                throw invalid(orig);
            }
            s = s.substring(i);
            boolean post = false;
            String fraction = "";
            if (!s.isEmpty() && s.charAt(0) == '.') {
                s = s.substring(1);
                int j = 0;
                while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                    j++;
                }
                post = j > 0;
                fraction = s.substring(0, j);
                s = s.substring(j);
            }
            if (!pre && !post) {
                throw invalid(orig);
            }
            int u = 0;
            while (u < s.length() && s.charAt(u) != '.' && (s.charAt(u) < '0' || s.charAt(u) > '9')) {
                u++;
            }
            if (u == 0) {
                throw new IllegalArgumentException("time: missing unit in duration " + GoQuote.of(orig));
            }
            String unitName = s.substring(0, u);
            s = s.substring(u);
            Long unit = UNITS.get(unitName);
            if (unit == null) {
                throw new IllegalArgumentException("time: unknown unit " + GoQuote.of(unitName) + " in duration "
                        + GoQuote.of(orig));
            }
            v = v.multiply(BigInteger.valueOf(unit));
            if (!fraction.isEmpty()) {
                // As Go's leadingFraction: digits as an integer over a power of ten, through float64.
                long f = 0;
                double scale = 1;
                for (int k = 0; k < fraction.length(); k++) {
                    if (f > (Long.MAX_VALUE) / 10) {
                        break; // further digits cannot matter
                    }
                    f = f * 10 + (fraction.charAt(k) - '0');
                    scale *= 10;
                }
                if (f > 0) {
                    v = v.add(BigInteger.valueOf((long) ((double) f * ((double) unit / scale))));
                }
            }
            total = total.add(v);
            if (total.compareTo(LIMIT) > 0) {
                throw invalid(orig);
            }
        }
        if (neg) {
            return Duration.ofNanos(total.negate().longValue());
        }
        if (total.compareTo(LIMIT) >= 0) {
            throw invalid(orig);
        }
        return Duration.ofNanos(total.longValue());
    }

    private static IllegalArgumentException invalid(String orig) {
        return new IllegalArgumentException("time: invalid duration " + GoQuote.of(orig));
    }
}

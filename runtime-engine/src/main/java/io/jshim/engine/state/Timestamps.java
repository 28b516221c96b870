package io.jshim.engine.state;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Go's time formats, as runc prints them. */
public final class Timestamps {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private Timestamps() {
    }

    /** time.RFC3339Nano in UTC: nanoseconds with trailing zeros trimmed ("...T17:05:12.80992352Z"). */
    public static String rfc3339Nano(Instant t) {
        OffsetDateTime u = t.atOffset(ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(SECONDS.format(u));
        int nanos = u.getNano();
        if (nanos != 0) {
            String n = String.format("%09d", nanos);
            int end = n.length();
            while (end > 0 && n.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(n, 0, end);
        }
        return sb.append('Z').toString();
    }

    /** time.RFC3339 in the local zone with whole seconds, as logrus writes "time" ("Z" only when local is UTC). */
    public static String rfc3339Local(Instant t) {
        OffsetDateTime local = t.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId.systemDefault()).toOffsetDateTime();
        String base = SECONDS.format(local);
        ZoneOffset off = local.getOffset();
        return base + (off.getTotalSeconds() == 0 ? "Z" : off.getId());
    }
}

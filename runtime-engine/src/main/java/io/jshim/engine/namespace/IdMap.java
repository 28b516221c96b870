package io.jshim.engine.namespace;

import io.jshim.engine.spec.Spec;
import io.jshim.engine.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One uid or gid map of a user namespace: the lines of {@code /proc/PID/uid_map} or
 * {@code gid_map} (user_namespaces(7), "User and group ID mappings"). Built from the spec's
 * {@code linux.uidMappings}/{@code gidMappings}, checked with the kernel's rules so that a bad
 * map fails before anything is made, or parsed back from what the kernel shows.
 */
public record IdMap(List<Range> ranges) {
    /** user_namespaces(7): at most 340 lines since Linux 4.15. */
    static final int MAX_LINES = 340;
    /** Ids are u32, and 4294967295 ((uid_t) -1) is never a valid id. */
    private static final long ID_LIMIT = 0xFFFF_FFFFL;

    public IdMap {
        ranges = List.copyOf(ranges);
    }

    /** {@code size} ids from {@code containerId} inside map to ids from {@code hostId} outside. */
    public record Range(long containerId, long hostId, long size) {
    }

    /**
     * The spec's mappings, checked as the kernel's map_write() checks them: every field
     * present, a size of at least 1, no range running past 4294967294, no two ranges
     * overlapping inside or outside, at most 340 lines.
     *
     * @param field {@code "linux.uidMappings"} or {@code "linux.gidMappings"}, for messages
     */
    public static IdMap fromSpec(String field, List<Spec.IdMapping> mappings) throws SpecException {
        if (mappings.size() > MAX_LINES) {
            throw new SpecException(field + ": " + mappings.size() + " mappings, the kernel takes at most " + MAX_LINES);
        }
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < mappings.size(); i++) {
            Spec.IdMapping m = mappings.get(i);
            String at = field + "[" + i + "]";
            if (m == null || m.containerID() == null || m.hostID() == null || m.size() == null) {
                throw new SpecException(at + ": containerID, hostID and size are required");
            }
            if (m.size() < 1) {
                throw new SpecException(at + ": size must be at least 1, got " + m.size());
            }
            check(at, "containerID", m.containerID(), m.size());
            check(at, "hostID", m.hostID(), m.size());
            Range r = new Range(m.containerID(), m.hostID(), m.size());
            for (int j = 0; j < ranges.size(); j++) {
                Range o = ranges.get(j);
                if (overlap(r.containerId(), o.containerId(), r.size(), o.size())) {
                    throw new SpecException(at + ": container ids " + span(r.containerId(), r.size())
                            + " overlap " + field + "[" + j + "] (" + span(o.containerId(), o.size()) + ")");
                }
                if (overlap(r.hostId(), o.hostId(), r.size(), o.size())) {
                    throw new SpecException(at + ": host ids " + span(r.hostId(), r.size()) + " overlap " + field
                            + "[" + j + "] (" + span(o.hostId(), o.size()) + ")");
                }
            }
            ranges.add(r);
        }
        return new IdMap(ranges);
    }

    private static void check(String at, String name, long first, long size) throws SpecException {
        if (first < 0 || first > ID_LIMIT - 1 || size > ID_LIMIT - first) {
            throw new SpecException(at + ": " + name + " " + first + " with size " + size
                    + " runs outside the id space 0..4294967294");
        }
    }

    private static boolean overlap(long a, long b, long sizeA, long sizeB) {
        return a < b + sizeB && b < a + sizeA;
    }

    private static String span(long first, long size) {
        return first + ".." + (first + size - 1);
    }

    /** Parses {@code /proc/PID/uid_map} text ("containerId hostId size" per line, space-padded). */
    public static IdMap parse(String text) {
        List<Range> ranges = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3) {
                ranges.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        return new IdMap(ranges);
    }

    /** What to write to uid_map/gid_map: every line, in one write(2) (the kernel takes one write only). */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            sb.append(r.containerId()).append(' ').append(r.hostId()).append(' ').append(r.size()).append('\n');
        }
        return sb.toString();
    }

    /** The host id that {@code containerId} maps to, if it is mapped. */
    public OptionalLong toHost(long containerId) {
        for (Range r : ranges) {
            if (containerId >= r.containerId() && containerId - r.containerId() < r.size()) {
                return OptionalLong.of(r.hostId() + (containerId - r.containerId()));
            }
        }
        return OptionalLong.empty();
    }

    public boolean maps(long containerId) {
        return toHost(containerId).isPresent();
    }
}

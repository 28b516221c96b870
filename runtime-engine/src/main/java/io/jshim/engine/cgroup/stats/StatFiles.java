package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading cgroup statistics files the way runc's libcontainer/cgroups/fscommon does, so
 * that numbers come out the same: "max" is 2^64-1, a negative number reads as 0
 * (ParseUint), "key value" lines (ParseKeyValue). Parse errors name the file, as runc's
 * {@code unable to parse <path>: <why>}.
 */
final class StatFiles {
    /** GetCgroupParamUint's reading of "max". */
    static final long MAX = -1L;

    private final CgroupFs fs;

    StatFiles(CgroupFs fs) {
        this.fs = fs;
    }

    /** The file's text, or null when it does not exist (an optional kernel feature, or a controller not there). */
    String readOptional(Path dir, String file) throws CgroupException {
        try {
            return fs.read(dir.resolve(file));
        } catch (CgroupException e) {
            if (e.errno() == CgroupException.Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    String read(Path dir, String file) throws CgroupException {
        return fs.read(dir.resolve(file));
    }

    boolean exists(Path path) {
        return fs.exists(path);
    }

    /** GetCgroupParamUint: one number, "max" = 2^64-1. */
    long uint(Path dir, String file) throws CgroupException {
        return parseUintOrMax(dir.resolve(file), read(dir, file).strip());
    }

    /** {@link #uint}, or null when the file does not exist. */
    Long uintOptional(Path dir, String file) throws CgroupException {
        String s = readOptional(dir, file);
        return s == null ? null : parseUintOrMax(dir.resolve(file), s.strip());
    }

    /** GetCgroupParamInt: one signed number, "max" = Long.MAX_VALUE; null when the file does not exist. */
    Long intOptional(Path dir, String file) throws CgroupException {
        String s = readOptional(dir, file);
        if (s == null) {
            return null;
        }
        String t = s.strip();
        if (t.equals("max")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw parseError(dir.resolve(file), "invalid syntax in \"" + t + "\"");
        }
    }

    static long parseUintOrMax(Path file, String s) throws CgroupException {
        if (s.equals("max")) {
            return MAX;
        }
        return parseUint(file, s);
    }

    /**
     * fscommon.ParseUint: an unsigned 64-bit decimal; a negative value (a kernel quirk, e.g.
     * a counter that went below zero) reads as 0.
     */
    static long parseUint(Path file, String s) throws CgroupException {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            if (s.matches("-[0-9]+")) {
                return 0;
            }
            throw parseError(file, "invalid syntax in \"" + s + "\"");
        }
    }

    /** "key value" per line (ParseKeyValue), in file order. */
    static Map<String, Long> keyValues(Path file, String text) throws CgroupException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : lines(text)) {
            String[] parts = line.split(" ", 3);
            if (parts.length != 2) {
                throw parseError(file, "line \"" + line + "\" is not in key value format");
            }
            out.put(parts[0], parseUint(file, parts[1]));
        }
        return out;
    }

    /** The lines of a kernel file as bufio.Scanner yields them: without the final newline's empty tail. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            out.add(text.substring(start, end));
            start = end + 1;
        }
        return out;
    }

    /**
     * A cpuset list ("0-3,8") as cpuset(7) writes it, expanded (runc getCpusetStat). Values
     * are uint16 in runc, so larger ones are an error.
     */
    static List<Integer> cpuList(Path file, String text) throws CgroupException {
        String t = text.strip();
        if (t.isEmpty()) {
            throw parseError(file, "empty file");
        }
        List<Integer> out = new ArrayList<>();
        for (String part : t.split(",")) {
            String[] range = part.split("-", 3);
            switch (range.length) {
                case 3 -> throw parseError(file, "extra dash");
                case 2 -> {
                    int min = u16(file, range[0]);
                    int max = u16(file, range[1]);
                    if (min > max) {
                        throw parseError(file, "invalid values, min > max");
                    }
                    for (int i = min; i <= max; i++) {
                        out.add(i);
                    }
                }
                default -> out.add(u16(file, range[0]));
            }
        }
        return out;
    }

    private static int u16(Path file, String s) throws CgroupException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0 || v > 0xffff) {
                throw parseError(file, "value out of range: \"" + s + "\"");
            }
            return v;
        } catch (NumberFormatException e) {
            throw parseError(file, "invalid syntax in \"" + s + "\"");
        }
    }

    static CgroupException parseError(Path file, String why) {
        return new CgroupException("unable to parse " + file + ": " + why);
    }
}

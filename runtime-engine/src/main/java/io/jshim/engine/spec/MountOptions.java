package io.jshim.engine.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Mount options of config.md's table, split as mount(8) and runc split them: flags
 * for mount(2), propagation flags (applied with a separate call), and everything
 * else passed through as the data string.
 */
public final class MountOptions {
    public static final long MS_RDONLY = 0x1;
    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    public static final long MS_NOEXEC = 0x8;
    public static final long MS_SYNCHRONOUS = 0x10;
    public static final long MS_REMOUNT = 0x20;
    public static final long MS_MANDLOCK = 0x40;
    public static final long MS_DIRSYNC = 0x80;
    public static final long MS_NOSYMFOLLOW = 0x100;
    public static final long MS_NOATIME = 0x400;
    public static final long MS_NODIRATIME = 0x800;
    public static final long MS_BIND = 0x1000;
    public static final long MS_MOVE = 0x2000;
    public static final long MS_REC = 0x4000;
    public static final long MS_SILENT = 0x8000;
    public static final long MS_UNBINDABLE = 1L << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1L << 21;
    public static final long MS_I_VERSION = 1L << 23;
    public static final long MS_STRICTATIME = 1L << 24;
    public static final long MS_LAZYTIME = 1L << 25;

    /** option → {flag, set (1) or clear (0)}. */
    private static final Map<String, long[]> FLAGS = Map.ofEntries(
            Map.entry("async", new long[] {MS_SYNCHRONOUS, 0}), Map.entry("atime", new long[] {MS_NOATIME, 0}),
            Map.entry("bind", new long[] {MS_BIND, 1}), Map.entry("defaults", new long[] {0, 0}),
            Map.entry("dev", new long[] {MS_NODEV, 0}), Map.entry("diratime", new long[] {MS_NODIRATIME, 0}),
            Map.entry("dirsync", new long[] {MS_DIRSYNC, 1}), Map.entry("exec", new long[] {MS_NOEXEC, 0}),
            Map.entry("iversion", new long[] {MS_I_VERSION, 1}), Map.entry("lazytime", new long[] {MS_LAZYTIME, 1}),
            Map.entry("loud", new long[] {MS_SILENT, 0}), Map.entry("mand", new long[] {MS_MANDLOCK, 1}),
            Map.entry("noatime", new long[] {MS_NOATIME, 1}), Map.entry("nodev", new long[] {MS_NODEV, 1}),
            Map.entry("nodiratime", new long[] {MS_NODIRATIME, 1}), Map.entry("noexec", new long[] {MS_NOEXEC, 1}),
            Map.entry("noiversion", new long[] {MS_I_VERSION, 0}), Map.entry("nolazytime", new long[] {MS_LAZYTIME, 0}),
            Map.entry("nomand", new long[] {MS_MANDLOCK, 0}), Map.entry("norelatime", new long[] {MS_RELATIME, 0}),
            Map.entry("nostrictatime", new long[] {MS_STRICTATIME, 0}), Map.entry("nosuid", new long[] {MS_NOSUID, 1}),
            Map.entry("nosymfollow", new long[] {MS_NOSYMFOLLOW, 1}),
            Map.entry("rbind", new long[] {MS_BIND | MS_REC, 1}), Map.entry("relatime", new long[] {MS_RELATIME, 1}),
            Map.entry("remount", new long[] {MS_REMOUNT, 1}), Map.entry("ro", new long[] {MS_RDONLY, 1}),
            Map.entry("rw", new long[] {MS_RDONLY, 0}), Map.entry("silent", new long[] {MS_SILENT, 1}),
            Map.entry("strictatime", new long[] {MS_STRICTATIME, 1}), Map.entry("suid", new long[] {MS_NOSUID, 0}),
            Map.entry("sync", new long[] {MS_SYNCHRONOUS, 1}), Map.entry("symfollow", new long[] {MS_NOSYMFOLLOW, 0}));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    private final long flags;
    private final long propagation;
    private final String data;

    private MountOptions(long flags, long propagation, String data) {
        this.flags = flags;
        this.propagation = propagation;
        this.data = data;
    }

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        long prop = 0;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            long[] f = FLAGS.get(o);
            if (f != null) {
                flags = f[1] == 1 ? flags | f[0] : flags & ~f[0];
                continue;
            }
            Long p = PROPAGATION.get(o);
            if (p != null) {
                prop |= p;
                continue;
            }
            if (o.equals("tmpcopyup")) {
                continue; // runc extension; not supported by jrunc yet, ignored as an unknown flag would be
            }
            data.add(o);
        }
        return new MountOptions(flags, prop, String.join(",", data));
    }

    /** A propagation option's flags, or 0 when it is not one. */
    public static long propagation(String option) {
        return PROPAGATION.getOrDefault(option, 0L);
    }

    public long flags() {
        return flags;
    }

    public long propagationFlags() {
        return propagation;
    }

    public String data() {
        return data;
    }

    public boolean isBind() {
        return (flags & MS_BIND) != 0;
    }

    /**
     * Every option this class turns into mount(2) or propagation flags, sorted: what
     * {@code jrunc features} lists as mountOptions (runc: specconv.KnownMountOptions).
     * Options passed through as data, and ignored ones such as tmpcopyup, are not listed.
     */
    public static java.util.SortedSet<String> known() {
        java.util.SortedSet<String> out = new java.util.TreeSet<>(FLAGS.keySet());
        out.addAll(PROPAGATION.keySet());
        return out;
    }
}

package io.jshim.shim.rootfs;

import static io.jshim.shim.linux.ShimSyscalls.MS_BIND;
import static io.jshim.shim.linux.ShimSyscalls.MS_DIRSYNC;
import static io.jshim.shim.linux.ShimSyscalls.MS_MANDLOCK;
import static io.jshim.shim.linux.ShimSyscalls.MS_NOATIME;
import static io.jshim.shim.linux.ShimSyscalls.MS_NODEV;
import static io.jshim.shim.linux.ShimSyscalls.MS_NODIRATIME;
import static io.jshim.shim.linux.ShimSyscalls.MS_NOEXEC;
import static io.jshim.shim.linux.ShimSyscalls.MS_NOSUID;
import static io.jshim.shim.linux.ShimSyscalls.MS_PRIVATE;
import static io.jshim.shim.linux.ShimSyscalls.MS_RDONLY;
import static io.jshim.shim.linux.ShimSyscalls.MS_REC;
import static io.jshim.shim.linux.ShimSyscalls.MS_RELATIME;
import static io.jshim.shim.linux.ShimSyscalls.MS_REMOUNT;
import static io.jshim.shim.linux.ShimSyscalls.MS_SHARED;
import static io.jshim.shim.linux.ShimSyscalls.MS_SLAVE;
import static io.jshim.shim.linux.ShimSyscalls.MS_STRICTATIME;
import static io.jshim.shim.linux.ShimSyscalls.MS_SYNCHRONOUS;
import static io.jshim.shim.linux.ShimSyscalls.MS_UNBINDABLE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * containerd's mount option parsing (mount/mount_linux.go {@code parseMountOptions}): names in the
 * table are flags (set or cleared), propagation names are applied by a second mount call, and anything
 * else is joined with "," into the data string (overlay's lowerdir=..., upperdir=...).
 *
 * @param flags       mount flags without propagation
 * @param propagation MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE (with MS_REC) or 0
 * @param data        the data string, or "" for none
 */
public record MountOptions(long flags, long propagation, String data) {

    private record Flag(boolean clear, long flag) {
    }

    private static final Map<String, Flag> FLAGS = Map.ofEntries(
            Map.entry("async", new Flag(true, MS_SYNCHRONOUS)),
            Map.entry("atime", new Flag(true, MS_NOATIME)),
            Map.entry("bind", new Flag(false, MS_BIND)),
            Map.entry("defaults", new Flag(false, 0)),
            Map.entry("dev", new Flag(true, MS_NODEV)),
            Map.entry("diratime", new Flag(true, MS_NODIRATIME)),
            Map.entry("dirsync", new Flag(false, MS_DIRSYNC)),
            Map.entry("exec", new Flag(true, MS_NOEXEC)),
            Map.entry("mand", new Flag(false, MS_MANDLOCK)),
            Map.entry("noatime", new Flag(false, MS_NOATIME)),
            Map.entry("nodev", new Flag(false, MS_NODEV)),
            Map.entry("nodiratime", new Flag(false, MS_NODIRATIME)),
            Map.entry("noexec", new Flag(false, MS_NOEXEC)),
            Map.entry("nomand", new Flag(true, MS_MANDLOCK)),
            Map.entry("norelatime", new Flag(true, MS_RELATIME)),
            Map.entry("nostrictatime", new Flag(true, MS_STRICTATIME)),
            Map.entry("nosuid", new Flag(false, MS_NOSUID)),
            Map.entry("rbind", new Flag(false, MS_BIND | MS_REC)),
            Map.entry("relatime", new Flag(false, MS_RELATIME)),
            Map.entry("remount", new Flag(false, MS_REMOUNT)),
            Map.entry("ro", new Flag(false, MS_RDONLY)),
            Map.entry("rw", new Flag(true, MS_RDONLY)),
            Map.entry("strictatime", new Flag(false, MS_STRICTATIME)),
            Map.entry("suid", new Flag(true, MS_NOSUID)),
            Map.entry("sync", new Flag(false, MS_SYNCHRONOUS)));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", (long) MS_PRIVATE, "rprivate", (long) (MS_PRIVATE | MS_REC),
            "shared", (long) MS_SHARED, "rshared", (long) (MS_SHARED | MS_REC),
            "slave", (long) MS_SLAVE, "rslave", (long) (MS_SLAVE | MS_REC),
            "unbindable", (long) MS_UNBINDABLE, "runbindable", (long) (MS_UNBINDABLE | MS_REC));

    public static MountOptions parse(List<String> options) {
        long flags = 0;
        long propagation = 0;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            Flag f = FLAGS.get(o);
            if (f != null) {
                flags = f.clear ? flags & ~f.flag : flags | f.flag;
                continue;
            }
            Long p = PROPAGATION.get(o);
            if (p != null) {
                propagation = p;
                continue;
            }
            data.add(o);
        }
        return new MountOptions(flags, propagation, String.join(",", data));
    }

    /** A read-only bind mount needs a remount to take effect (mount(2) ignores MS_RDONLY with MS_BIND). */
    public boolean readOnlyBind() {
        return (flags & MS_BIND) != 0 && (flags & MS_RDONLY) != 0;
    }
}

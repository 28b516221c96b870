package io.jshim.shim.rootfs;

import io.jshim.engine.linux.LinuxException;
import io.jshim.proto.containerd.types.Mount;
import io.jshim.shim.linux.ShimSyscalls;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts {@code CreateTaskRequest.rootfs} onto {@code <bundle>/rootfs}, in order, as containerd's runc
 * shim does with {@code mount.All} (shim-v2-protocol.md §6), and unmounts it again at delete. The
 * mounts are made in the daemon's (the host's) mount namespace, so that containerd's own clean-up
 * ({@code Bundle.Delete} runs UnmountAll too) and the delete action see them.
 *
 * <p>Supported: every type mount(2) takes with a data string (overlay, bind/rbind, tmpfs, ...). Not yet:
 * {@code loop} (a loop device), fuse helpers, and overlay options longer than a page (containerd then
 * rewrites lowerdirs relative to their common parent; images with that many layers fail with EINVAL).
 */
public final class RootfsMounts {

    private RootfsMounts() {
    }

    /**
     * Mounts each entry onto {@code rootfs} (joined with {@code target} when set, containerd 1.7+).
     * On failure, what was mounted is unmounted again and the error names the mount.
     *
     * @return the targets mounted, in order
     */
    public static List<Path> mountAll(List<Mount> mounts, Path rootfs) throws IOException {
        List<Path> done = new ArrayList<>();
        if (mounts.isEmpty()) {
            return done;
        }
        try {
            Files.createDirectory(rootfs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            // containerd makes it (0711)
        }
        try {
            for (Mount m : mounts) {
                Path target = m.getTarget().isEmpty() ? rootfs : resolveInside(rootfs, m.getTarget());
                mount(m, target);
                done.add(target);
            }
        } catch (IOException | RuntimeException e) {
            for (int i = done.size() - 1; i >= 0; i--) {
                unmountAll(done.get(i));
            }
            throw e;
        }
        return done;
    }

    private static Path resolveInside(Path rootfs, String target) throws IOException {
        Path p = rootfs.resolve(target.startsWith("/") ? target.substring(1) : target).normalize();
        if (!p.startsWith(rootfs)) {
            throw new IOException("mount target " + target + " is outside the rootfs");
        }
        return p;
    }

    static void mount(Mount m, Path target) throws IOException {
        if (m.getOptionsList().contains("loop")) {
            throw new IOException("mount " + m.getSource() + ": loop mounts are not supported by jshim yet");
        }
        if (m.getType().startsWith("fuse.") || m.getType().startsWith("fuse3.")) {
            throw new IOException("mount " + m.getSource() + ": " + m.getType() + " mounts are not supported by "
                    + "jshim yet");
        }
        MountOptions o = MountOptions.parse(m.getOptionsList());
        String t = target.toString();
        String type = m.getType().equals("bind") ? "" : m.getType();
        try {
            ShimSyscalls.mount(m.getSource(), t, type, o.flags(), o.data().isEmpty() ? null : o.data());
            if (o.propagation() != 0) {
                ShimSyscalls.mount("", t, "", o.propagation(), null);
            }
            if (o.readOnlyBind()) {
                ShimSyscalls.mount("", t, "", ShimSyscalls.MS_REMOUNT | ShimSyscalls.MS_BIND | o.flags(), null);
            }
        } catch (LinuxException e) {
            if (o.data().length() >= 4096 - 512) {
                throw new IOException(e.getMessage() + " (mount options of " + o.data().length()
                        + " bytes: jshim does not compact long overlay lowerdir lists yet)", e);
            }
            throw e;
        }
    }

    /** Unmounts everything stacked on {@code target} (MNT_DETACH, as containerd's UnmountAll); idempotent. */
    public static void unmountAll(Path target) {
        for (int i = 0; i < 64; i++) {
            if (ShimSyscalls.umount2(target.toString(), ShimSyscalls.MNT_DETACH | ShimSyscalls.UMOUNT_NOFOLLOW) != 0) {
                return; // EINVAL: not a mount point (any more); ENOENT: gone
            }
        }
    }
}

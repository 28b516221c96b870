package io.jshim.engine.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the host offers that the security settings depend on: the kernel's last capability,
 * jrunc's own permitted capabilities, and whether AppArmor or SELinux is enabled. Read from
 * {@code /proc} and {@code /sys} (or a fake root, in tests).
 *
 * @param lastCap          {@code /proc/sys/kernel/cap_last_cap}
 * @param ownPermitted     CapPrm of {@code /proc/self/status}: what jrunc can grant
 * @param appArmorEnabled  as runc's apparmor.isEnabled: {@code /sys/kernel/security/apparmor}
 *                         exists and {@code /sys/module/apparmor/parameters/enabled} is "Y"
 * @param seLinuxEnabled   selinuxfs is mounted ({@code /sys/fs/selinux/enforce} exists)
 */
public record HostSecurity(int lastCap, long ownPermitted, boolean appArmorEnabled, boolean seLinuxEnabled) {
    private static volatile HostSecurity cached;

    /** This host, read once per JVM. */
    public static HostSecurity probe() {
        HostSecurity h = cached;
        if (h == null) {
            cached = h = probe(Path.of("/"));
        }
        return h;
    }

    /** The host as seen under {@code root} (a fake tree in tests). */
    static HostSecurity probe(Path root) {
        int lastCap = CapabilityNames.last();
        try {
            lastCap = Integer.parseInt(read(root.resolve("proc/sys/kernel/cap_last_cap")));
        } catch (IOException | NumberFormatException e) {
            // an old kernel without the file: assume it knows every capability jrunc does
        }
        long permitted = -1L;
        try {
            for (String line : read(root.resolve("proc/self/status")).split("\n")) {
                if (line.startsWith("CapPrm:")) {
                    permitted = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: let capset(2) in jshim-init be the judge
        }
        boolean appArmor = false;
        if (Files.exists(root.resolve("sys/kernel/security/apparmor"))) {
            try {
                appArmor = read(root.resolve("sys/module/apparmor/parameters/enabled")).startsWith("Y");
            } catch (IOException e) {
                appArmor = false;
            }
        }
        boolean seLinux = Files.exists(root.resolve("sys/fs/selinux/enforce"));
        return new HostSecurity(lastCap, permitted, appArmor, seLinux);
    }

    /**
     * The text of a /proc or /sys file. Not Files.readString: on a sysctl file (st_size 0) JDK
     * 25's readString/readAllBytes returned "4" for a cap_last_cap of 40 on this machine kind
     * (it sizes its buffer from st_size and stops short); reading a stream to EOF is right.
     */
    static String read(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }
}

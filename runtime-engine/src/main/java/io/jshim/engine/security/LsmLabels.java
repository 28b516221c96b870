package io.jshim.engine.security;

import io.jshim.engine.spec.SpecException;

/**
 * {@code process.apparmorProfile}, {@code process.selinuxLabel} and {@code linux.mountLabel}
 * (config.md, config-linux.md). Asking for a label of a security module the host does not run
 * is a clear error, as in runc (its validator refuses an SELinux label when SELinux is off;
 * writing an AppArmor profile without AppArmor fails in its init). Applying labels on hosts
 * where the module is enabled is not implemented yet and is refused just as clearly, rather
 * than silently running the container unconfined.
 */
public final class LsmLabels {
    private LsmLabels() {
    }

    public static void check(String apparmorProfile, String selinuxLabel, String mountLabel, HostSecurity host)
            throws SpecException {
        if (apparmorProfile != null && !apparmorProfile.isEmpty()) {
            throw new SpecException("process.apparmorProfile \"" + apparmorProfile + "\": " + (host.appArmorEnabled()
                    ? "applying AppArmor profiles is not supported by this version of jrunc"
                    : "AppArmor is not enabled on this host"));
        }
        if (selinuxLabel != null && !selinuxLabel.isEmpty()) {
            throw new SpecException("process.selinuxLabel \"" + selinuxLabel + "\": " + seLinux(host));
        }
        if (mountLabel != null && !mountLabel.isEmpty()) {
            throw new SpecException("linux.mountLabel \"" + mountLabel + "\": " + seLinux(host));
        }
    }

    private static String seLinux(HostSecurity host) {
        return host.seLinuxEnabled() ? "SELinux labels are not supported by this version of jrunc"
                : "SELinux is not enabled on this host";
    }
}

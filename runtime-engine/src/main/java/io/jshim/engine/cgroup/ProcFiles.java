package io.jshim.engine.cgroup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsers for the /proc files the layout is detected from (proc(5), cgroups(7)). */
final class ProcFiles {
    private ProcFiles() {
    }

    /** One line of /proc/self/mountinfo, the fields the cgroup code needs. */
    record MountLine(String root, String mountPoint, String fsType, List<String> superOptions) {
    }

    /** A line of /proc/cgroups: {@code subsys_name hierarchy num_cgroups enabled}. */
    record KernelController(String name, int hierarchy, boolean enabled) {
    }

    /**
     * proc(5): {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue};
     * field 4 is the root of the mount within its filesystem, field 5 the mount point,
     * then optional fields up to "-", then fstype, source and super options.
     */
    static List<MountLine> mountinfo(String text) {
        List<MountLine> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length < 7) {
                continue;
            }
            int sep = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    sep = i;
                    break;
                }
            }
            if (sep < 0 || sep + 1 >= f.length) {
                continue;
            }
            String opts = sep + 3 < f.length ? f[sep + 3] : "";
            out.add(new MountLine(unescape(f[3]), unescape(f[4]), f[sep + 1],
                    opts.isEmpty() ? List.of() : List.of(opts.split(","))));
        }
        return out;
    }

    /**
     * cgroups(7) /proc/[pid]/cgroup: {@code hierarchy-ID:controller-list:cgroup-path}; the
     * v2 line is {@code 0::/path} and maps from "". A comma-joined list ("cpu,cpuacct")
     * maps each controller; named hierarchies keep their "name=" prefix.
     */
    static Map<String, String> selfCgroup(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            if (parts[1].isEmpty()) {
                out.put("", parts[2]);
                continue;
            }
            for (String c : parts[1].split(",")) {
                out.put(c, parts[2]);
            }
        }
        return out;
    }

    /** /proc/cgroups; hierarchy 0 means "not bound to a v1 hierarchy". */
    static Map<String, KernelController> procCgroups(String text) {
        Map<String, KernelController> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            try {
                out.put(f[0], new KernelController(f[0], Integer.parseInt(f[1]), f[3].equals("1")));
            } catch (NumberFormatException e) {
                // not a controller line
            }
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as a backslash and three octal digits. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && isOctal(s.charAt(i + 1)) && isOctal(s.charAt(i + 2)) && isOctal(s.charAt(i + 3))) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}

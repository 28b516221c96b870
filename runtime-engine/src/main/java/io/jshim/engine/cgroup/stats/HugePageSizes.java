package io.jshim.engine.cgroup.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The huge page sizes the kernel offers, named as the hugetlb controller names its files
 * ("2MB", "1GB"): from the {@code hugepages-<N>kB} directories of /sys/kernel/mm/hugepages
 * (Documentation/admin-guide/mm/hugetlbpage.rst), converted as mm/hugetlb_cgroup.c and runc's
 * cgroups.HugePageSizes do.
 */
public final class HugePageSizes {
    static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");

    private HugePageSizes() {
    }

    /** The host's sizes; empty when the kernel has no huge pages. */
    public static List<String> host() {
        return of(SYSFS);
    }

    static List<String> of(Path dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        } catch (IOException e) {
            return List.of();
        }
        return fromDirNames(names);
    }

    static List<String> fromDirNames(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!n.startsWith("hugepages-") || !n.endsWith("kB")) {
                continue;
            }
            long kb;
            try {
                kb = Long.parseLong(n.substring("hugepages-".length(), n.length() - 2));
            } catch (NumberFormatException e) {
                continue;
            }
            if (kb >= (1L << 20)) {
                out.add((kb >> 20) + "GB");
            } else if (kb >= (1L << 10)) {
                out.add((kb >> 10) + "MB");
            } else {
                out.add(kb + "KB");
            }
        }
        return out;
    }
}

package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import io.jshim.engine.cgroup.CgroupLayout;
import io.jshim.engine.cgroup.CgroupManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a container's resource statistics from its cgroup, v1 or v2, into
 * {@link CgroupStats}. Used by {@code jrunc events} and (later) the shim's Stats RPC.
 */
public final class StatsReader {
    private final StatFiles files;
    private final List<String> hugePageSizes;

    public StatsReader(CgroupFs fs) {
        this(fs, HugePageSizes.host());
    }

    StatsReader(CgroupFs fs, List<String> hugePageSizes) {
        this.files = new StatFiles(fs);
        this.hugePageSizes = List.copyOf(hugePageSizes);
    }

    public CgroupStats read(CgroupManager cg) throws CgroupException {
        if (cg.mode() == CgroupLayout.Mode.V2) {
            Path dir = cg.dir("").orElseThrow(() -> new CgroupException("no cgroup v2 directory in " + cg));
            return new V2StatsReader(files, hugePageSizes).read(dir);
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        cg.paths().forEach((controller, dir) -> {
            if (!controller.startsWith("name=")) {
                dirs.put(controller, Path.of(dir));
            }
        });
        return new V1StatsReader(files, hugePageSizes).read(dirs);
    }
}

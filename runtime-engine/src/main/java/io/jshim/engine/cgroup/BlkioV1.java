package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nonEmpty;
import static io.jshim.engine.cgroup.ResourceWriter.nz;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;

/**
 * v1 blkio controller (Documentation/admin-guide/cgroup-v1/blkio-controller.rst; runc
 * libcontainer/cgroups/fs/blkio.go). Weights go to blkio.weight, or to blkio.bfq.weight
 * on kernels where only BFQ provides proportional weights.
 */
final class BlkioV1 implements ResourceWriter {

    @Override
    public String controller() {
        return "blkio";
    }

    @Override
    public String what() {
        return "linux.resources.blockIO";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        LinuxResources.BlockIO b = r.blockIO();
        return b != null && (nz(b.weight()) || nz(b.leafWeight()) || nonEmpty(b.weightDevice())
                || nonEmpty(b.throttleReadBpsDevice()) || nonEmpty(b.throttleWriteBpsDevice())
                || nonEmpty(b.throttleReadIOPSDevice()) || nonEmpty(b.throttleWriteIOPSDevice()));
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.BlockIO b = r.blockIO();
        // runc detectWeightFilenames
        String weight = "blkio.weight";
        String weightDevice = "blkio.weight_device";
        if (!fs.exists(dir.resolve(weight)) && fs.exists(dir.resolve("blkio.bfq.weight"))) {
            weight = "blkio.bfq.weight";
            weightDevice = "blkio.bfq.weight_device";
        }
        if (nz(b.weight())) {
            fs.write(dir.resolve(weight), Integer.toString(b.weight()));
        }
        if (nz(b.leafWeight())) {
            fs.write(dir.resolve("blkio.leaf_weight"), Integer.toString(b.leafWeight()));
        }
        if (b.weightDevice() != null) {
            for (LinuxResources.WeightDevice wd : b.weightDevice()) {
                if (nz(wd.weight())) {
                    fs.write(dir.resolve(weightDevice), device(wd.major(), wd.minor()) + " " + wd.weight());
                }
                if (nz(wd.leafWeight())) {
                    fs.write(dir.resolve("blkio.leaf_weight_device"),
                            device(wd.major(), wd.minor()) + " " + wd.leafWeight());
                }
            }
        }
        throttle(fs, dir.resolve("blkio.throttle.read_bps_device"), b.throttleReadBpsDevice());
        throttle(fs, dir.resolve("blkio.throttle.write_bps_device"), b.throttleWriteBpsDevice());
        throttle(fs, dir.resolve("blkio.throttle.read_iops_device"), b.throttleReadIOPSDevice());
        throttle(fs, dir.resolve("blkio.throttle.write_iops_device"), b.throttleWriteIOPSDevice());
    }

    private static void throttle(CgroupFs fs, Path file, List<LinuxResources.ThrottleDevice> list)
            throws CgroupException {
        if (list == null) {
            return;
        }
        for (LinuxResources.ThrottleDevice td : list) {
            fs.write(file, device(td.major(), td.minor()) + " " + Long.toUnsignedString(ResourceWriter.val(td.rate())));
        }
    }

    static String device(Long major, Long minor) {
        return ResourceWriter.val(major) + ":" + ResourceWriter.val(minor);
    }
}

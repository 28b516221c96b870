package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nonEmpty;
import static io.jshim.engine.cgroup.ResourceWriter.nz;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;

/**
 * v2 io controller (cgroup-v2.rst "IO Interface Files"; runc
 * libcontainer/cgroups/fs2/io.go). The blkio weight goes to io.bfq.weight unchanged when
 * BFQ is there, else to io.weight converted by {@link Conversions#blkioWeightToIoWeight};
 * per-device weights only with BFQ's per-device support (kernel 5.4+); throttles become
 * io.max lines "MAJ:MIN rbps=N" etc. leafWeight has no v2 equivalent and is ignored.
 */
final class IoV2 implements ResourceWriter {

    @Override
    public String controller() {
        return "io";
    }

    @Override
    public String what() {
        return "linux.resources.blockIO";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        LinuxResources.BlockIO b = r.blockIO();
        return b != null && (nz(b.weight()) || nonEmpty(b.weightDevice())
                || nonEmpty(b.throttleReadBpsDevice()) || nonEmpty(b.throttleWriteBpsDevice())
                || nonEmpty(b.throttleReadIOPSDevice()) || nonEmpty(b.throttleWriteIOPSDevice()));
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.BlockIO b = r.blockIO();
        Path bfq = dir.resolve("io.bfq.weight");
        boolean haveBfq = fs.exists(bfq);
        // runc bfqDeviceWeightSupported: old kernels print only the default weight (a
        // single number); newer ones (5.4+) print "default N" plus per-device lines.
        boolean bfqPerDevice = haveBfq && !fs.readTrimmed(bfq).matches("[0-9]+");
        if (nz(b.weight())) {
            if (haveBfq) {
                fs.write(bfq, Integer.toString(b.weight()));
            } else {
                fs.write(dir.resolve("io.weight"), Long.toString(Conversions.blkioWeightToIoWeight(b.weight())));
            }
        }
        if (bfqPerDevice && nonEmpty(b.weightDevice())) {
            for (LinuxResources.WeightDevice wd : b.weightDevice()) {
                if (nz(wd.weight())) {
                    fs.write(bfq, BlkioV1.device(wd.major(), wd.minor()) + " " + wd.weight());
                }
            }
        }
        max(fs, dir, "rbps", b.throttleReadBpsDevice());
        max(fs, dir, "wbps", b.throttleWriteBpsDevice());
        max(fs, dir, "riops", b.throttleReadIOPSDevice());
        max(fs, dir, "wiops", b.throttleWriteIOPSDevice());
    }

    private static void max(CgroupFs fs, Path dir, String key, List<LinuxResources.ThrottleDevice> list)
            throws CgroupException {
        if (list == null) {
            return;
        }
        for (LinuxResources.ThrottleDevice td : list) {
            fs.write(dir.resolve("io.max"), BlkioV1.device(td.major(), td.minor()) + " " + key + "="
                    + Long.toUnsignedString(ResourceWriter.val(td.rate())));
        }
    }
}

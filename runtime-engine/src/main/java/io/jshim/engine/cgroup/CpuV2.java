package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nz;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;

/**
 * v2 cpu controller (cgroup-v2.rst "CPU Interface Files"; runc
 * libcontainer/cgroups/fs2/cpu.go): shares → cpu.weight via
 * {@link Conversions#cpuSharesToWeight}, quota/period → cpu.max "QUOTA PERIOD" (quota
 * "max" when unlimited, period 100000 when not given), burst → cpu.max.burst, idle →
 * cpu.idle. cgroup2's cpu controller has no RT group scheduling, so realtime settings
 * are refused.
 */
final class CpuV2 implements ResourceWriter {
    static final long DEFAULT_PERIOD = 100000;

    @Override
    public String controller() {
        return "cpu";
    }

    @Override
    public String what() {
        return "linux.resources.cpu (shares/quota/period/burst/idle)";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        LinuxResources.Cpu c = r.cpu();
        return c != null && (nz(c.shares()) || nz(c.quota()) || nz(c.period()) || c.burst() != null
                || c.idle() != null || nz(c.realtimeRuntime()) || nz(c.realtimePeriod()));
    }

    @Override
    public void validate(LinuxResources r) throws CgroupException {
        LinuxResources.Cpu c = r.cpu();
        if (nz(c.realtimeRuntime()) || nz(c.realtimePeriod())) {
            throw new CgroupException("linux.resources.cpu.realtimeRuntime/realtimePeriod cannot be set on cgroup v2:"
                    + " its cpu controller has no realtime group scheduling");
        }
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.Cpu c = r.cpu();
        if (nz(c.shares())) {
            fs.write(dir.resolve("cpu.weight"), Long.toString(Conversions.cpuSharesToWeight(c.shares())));
        }
        if (nz(c.quota()) || nz(c.period())) {
            String quota = nz(c.quota()) && c.quota() > 0 ? Long.toString(c.quota()) : "max";
            long period = nz(c.period()) ? c.period() : DEFAULT_PERIOD;
            fs.write(dir.resolve("cpu.max"), quota + " " + Long.toUnsignedString(period));
        }
        if (c.burst() != null) {
            fs.write(dir.resolve("cpu.max.burst"), Long.toUnsignedString(c.burst()));
        }
        if (c.idle() != null) {
            fs.write(dir.resolve("cpu.idle"), Long.toString(c.idle()));
        }
    }
}

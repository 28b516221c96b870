package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nz;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;

/**
 * v1 cpu controller: CFS shares and bandwidth (Documentation/scheduler/sched-bwc.rst),
 * RT group scheduling (sched-rt-group.rst), cpu.idle; runc libcontainer/cgroups/fs/cpu.go.
 */
final class CpuV1 implements ResourceWriter {

    @Override
    public String controller() {
        return "cpu";
    }

    @Override
    public String what() {
        return "linux.resources.cpu (shares/quota/period/burst/realtime/idle)";
    }

    @Override
    public boolean isSet(LinuxResources r) {
        LinuxResources.Cpu c = r.cpu();
        return c != null && (nz(c.shares()) || nz(c.quota()) || nz(c.period()) || c.burst() != null
                || nz(c.realtimeRuntime()) || nz(c.realtimePeriod()) || c.idle() != null);
    }

    @Override
    public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
        LinuxResources.Cpu c = r.cpu();
        if (nz(c.shares())) {
            Path f = dir.resolve("cpu.shares");
            fs.write(f, Long.toUnsignedString(c.shares()));
            // The kernel clamps shares to [2, 262144]; read back and report, as runc does.
            long read = ResourceWriter.parseLong(f, fs.read(f));
            if (Long.compareUnsigned(c.shares(), read) > 0) {
                throw new CgroupException("the maximum allowed cpu-shares is " + read);
            } else if (Long.compareUnsigned(c.shares(), read) < 0) {
                throw new CgroupException("the minimum allowed cpu-shares is " + read);
            }
        }
        // Period before quota. A period smaller than the current one can be refused (EINVAL)
        // because old_quota/new_period would exceed the parent's limit; then set the quota
        // first and retry the period (runc CpuGroup.Set).
        String retryPeriod = null;
        if (nz(c.period())) {
            String period = Long.toUnsignedString(c.period());
            try {
                fs.write(dir.resolve("cpu.cfs_period_us"), period);
            } catch (CgroupException e) {
                if (e.errno() != CgroupException.Errno.EINVAL || !nz(c.quota())) {
                    throw e;
                }
                retryPeriod = period;
            }
        }
        if (nz(c.quota())) {
            fs.write(dir.resolve("cpu.cfs_quota_us"), Long.toString(c.quota()));
            if (retryPeriod != null) {
                fs.write(dir.resolve("cpu.cfs_period_us"), retryPeriod);
            }
        }
        if (c.burst() != null) {
            fs.write(dir.resolve("cpu.cfs_burst_us"), Long.toUnsignedString(c.burst()));
        }
        // RT: period before runtime (runc SetRtSched).
        if (nz(c.realtimePeriod())) {
            fs.write(dir.resolve("cpu.rt_period_us"), Long.toUnsignedString(c.realtimePeriod()));
        }
        if (nz(c.realtimeRuntime())) {
            fs.write(dir.resolve("cpu.rt_runtime_us"), Long.toString(c.realtimeRuntime()));
        }
        if (c.idle() != null) {
            fs.write(dir.resolve("cpu.idle"), Long.toString(c.idle()));
        }
    }
}

package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import io.jshim.engine.linux.EventFd;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.nio.file.Path;

/**
 * cgroup v1 OOM notification (Documentation/admin-guide/cgroup-v1/memory.rst §9 and
 * cgroups.rst "cgroup.event_control"): write "&lt;eventfd&gt; &lt;fd of memory.oom_control&gt;"
 * to cgroup.event_control and the kernel bumps the eventfd at every OOM in the cgroup, and
 * once more when the cgroup is removed. As runc's notify_linux.go, that last wake-up is
 * told apart by cgroup.event_control being gone.
 */
final class V1OomWatcher implements OomWatcher {
    static final String OOM_CONTROL = "memory.oom_control";
    static final String EVENT_CONTROL = "cgroup.event_control";

    private final CgroupFs fs;
    private final Path eventControl;
    private final int eventFd;
    private final int oomControlFd;
    private boolean gone;

    private V1OomWatcher(CgroupFs fs, Path eventControl, int eventFd, int oomControlFd) {
        this.fs = fs;
        this.eventControl = eventControl;
        this.eventFd = eventFd;
        this.oomControlFd = oomControlFd;
    }

    static V1OomWatcher open(CgroupFs fs, Path memoryDir) throws CgroupException {
        Path oomControl = memoryDir.resolve(OOM_CONTROL);
        int efd = -1;
        int ocfd = -1;
        try {
            ocfd = Syscalls.open(oomControl.toString(), Syscalls.O_RDONLY, 0);
            efd = EventFd.create();
            Path ec = memoryDir.resolve(EVENT_CONTROL);
            fs.write(ec, efd + " " + ocfd);
            return new V1OomWatcher(fs, ec, efd, ocfd);
        } catch (LinuxException e) {
            Syscalls.close(efd);
            Syscalls.close(ocfd);
            throw new CgroupException("watch for OOM in " + memoryDir + ": " + e.getMessage(), e);
        } catch (CgroupException e) {
            Syscalls.close(efd);
            Syscalls.close(ocfd);
            throw e;
        }
    }

    @Override
    public int await(long timeoutMillis) throws CgroupException, InterruptedException {
        if (gone) {
            return OomWatcher.NONE.await(timeoutMillis);
        }
        try {
            int rev = Syscalls.pollOne(eventFd, Syscalls.POLLIN, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            if ((rev & Syscalls.POLLIN) == 0) {
                return 0;
            }
            EventFd.read(eventFd);
        } catch (LinuxException e) {
            throw new CgroupException("wait for OOM events: " + e.getMessage(), e);
        }
        if (!fs.exists(eventControl)) {
            gone = true; // the cgroup was removed: that is what woke us
            return 0;
        }
        return 1;
    }

    @Override
    public int fd() {
        return eventFd;
    }

    @Override
    public void close() {
        Syscalls.close(eventFd);
        Syscalls.close(oomControlFd);
    }
}

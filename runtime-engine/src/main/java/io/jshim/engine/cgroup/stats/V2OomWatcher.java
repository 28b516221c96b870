package io.jshim.engine.cgroup.stats;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.CgroupFs;
import io.jshim.engine.linux.Inotify;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.nio.file.Path;

/**
 * cgroup v2 OOM notification: memory.events' {@code oom_kill} counts the processes the OOM
 * killer took in this cgroup, and the kernel raises an inotify IN_MODIFY on the file when
 * a counter changes (cgroup-v2.rst "memory.events"). A rise of the counter since the last
 * look is one OOM notification, however many kills it covers (as runc reports one per
 * wake-up). cgroupfs sends no inotify event when the directory goes, so the caller watches
 * for that itself.
 */
final class V2OomWatcher implements OomWatcher {
    static final String EVENTS = "memory.events";
    static final String KEY = "oom_kill";

    private final StatFiles files;
    private final Path dir;
    private final int inotifyFd;
    private long lastCount;

    private V2OomWatcher(StatFiles files, Path dir, int inotifyFd, long lastCount) {
        this.files = files;
        this.dir = dir;
        this.inotifyFd = inotifyFd;
        this.lastCount = lastCount;
    }

    static V2OomWatcher open(CgroupFs fs, Path dir) throws CgroupException {
        StatFiles files = new StatFiles(fs);
        int fd = -1;
        try {
            fd = Inotify.init();
            Inotify.addWatch(fd, dir.resolve(EVENTS).toString(), Inotify.IN_MODIFY);
            // Count from now: OOMs before the watch started are not news.
            Long count = count(files, dir);
            return new V2OomWatcher(files, dir, fd, count == null ? 0 : count);
        } catch (LinuxException e) {
            Syscalls.close(fd);
            throw new CgroupException("watch for OOM in " + dir + ": " + e.getMessage(), e);
        } catch (CgroupException | RuntimeException e) {
            Syscalls.close(fd);
            throw e;
        }
    }

    /** The oom_kill counter, or null if memory.events is gone (the cgroup was removed). */
    static Long count(StatFiles files, Path dir) throws CgroupException {
        String text = files.readOptional(dir, EVENTS);
        if (text == null) {
            return null;
        }
        return StatFiles.keyValues(dir.resolve(EVENTS), text).getOrDefault(KEY, 0L);
    }

    @Override
    public int await(long timeoutMillis) throws CgroupException {
        try {
            int rev = Syscalls.pollOne(inotifyFd, Syscalls.POLLIN, (int) Math.min(Integer.MAX_VALUE, timeoutMillis));
            if ((rev & Syscalls.POLLIN) != 0) {
                Inotify.drain(inotifyFd);
            }
        } catch (LinuxException e) {
            throw new CgroupException("wait for OOM events: " + e.getMessage(), e);
        }
        Long now;
        try {
            now = count(files, dir);
        } catch (CgroupException e) {
            if (e.errno() == CgroupException.Errno.ENODEV) {
                return 0; // removed while we read it
            }
            throw e;
        }
        if (now == null || Long.compareUnsigned(now, lastCount) <= 0) {
            return 0;
        }
        lastCount = now;
        return 1;
    }

    @Override
    public int fd() {
        return inotifyFd;
    }

    @Override
    public void close() {
        Syscalls.close(inotifyFd);
    }
}

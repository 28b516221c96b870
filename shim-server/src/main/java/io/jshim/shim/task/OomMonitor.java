package io.jshim.shim.task;

import io.jshim.engine.cgroup.CgroupException;
import io.jshim.engine.cgroup.stats.OomWatcher;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One thread for the whole daemon that polls the OOM watchers of every started task (a v1 eventfd on
 * memory.oom_control, a v2 inotify on memory.events) and calls the task's callback at each OOM. Tasks
 * are registered at Start and unregistered at Delete; a pipe wakes the thread when the set changes.
 */
final class OomMonitor {

    private static final System.Logger LOG = System.getLogger(OomMonitor.class.getName());
    private static volatile OomMonitor shared;

    private record Entry(OomWatcher watcher, Runnable onOom) {
    }

    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();
    private final int[] wake;

    private OomMonitor() throws LinuxException {
        wake = Syscalls.pipe2(Syscalls.O_NONBLOCK);
        Thread t = new Thread(this::run, "oom-monitor");
        t.setDaemon(true);
        t.start();
    }

    /** The daemon's monitor, started at the first registration. */
    static OomMonitor shared() throws LinuxException {
        OomMonitor m = shared;
        if (m == null) {
            synchronized (OomMonitor.class) {
                m = shared;
                if (m == null) {
                    m = new OomMonitor();
                    shared = m;
                }
            }
        }
        return m;
    }

    /** The daemon's monitor if one was started. */
    static OomMonitor peek() {
        return shared;
    }

    /** Watches {@code watcher} (which this monitor now owns) under {@code key}; NONE is closed at once. */
    void register(Object key, OomWatcher watcher, Runnable onOom) {
        if (watcher.fd() < 0) {
            watcher.close();
            return;
        }
        Entry old = entries.put(key, new Entry(watcher, onOom));
        if (old != null) {
            closing.add(old.watcher());
        }
        wakeUp();
    }

    void unregister(Object key) {
        Entry e = entries.remove(key);
        if (e != null) {
            wakeUp();
            // closed by the thread once it no longer polls the fd
            closing.add(e.watcher());
        }
    }

    private final java.util.Queue<OomWatcher> closing = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void wakeUp() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            Syscalls.writeFully(wake[1], b);
        } catch (LinuxException | RuntimeException e) {
            // a full pipe already wakes the thread
        }
    }

    private void drainWake() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(64);
            while (Syscalls.read(wake[0], b, 64) > 0) {
                // drain
            }
        } catch (LinuxException | RuntimeException e) {
            // EAGAIN: empty
        }
    }

    private void run() {
        while (true) {
            try {
                for (OomWatcher w; (w = closing.poll()) != null; ) {
                    w.close();
                }
                List<Entry> list = new ArrayList<>(entries.values());
                int[] fds = new int[list.size() + 1];
                fds[0] = wake[0];
                for (int i = 0; i < list.size(); i++) {
                    fds[i + 1] = list.get(i).watcher().fd();
                }
                short[] rev = Syscalls.poll(fds, Syscalls.POLLIN, -1);
                if (rev[0] != 0) {
                    drainWake();
                }
                for (int i = 0; i < list.size(); i++) {
                    if (rev[i + 1] == 0) {
                        continue;
                    }
                    Entry e = list.get(i);
                    if (!entries.containsValue(e)) {
                        continue; // unregistered meanwhile; closed on the next round
                    }
                    int n;
                    try {
                        n = e.watcher().await(0);
                    } catch (CgroupException ex) {
                        LOG.log(System.Logger.Level.DEBUG, "OOM watch: " + ex.getMessage());
                        n = 0;
                    }
                    if (n > 0) {
                        try {
                            e.onOom().run();
                        } catch (RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "OOM event: " + ex);
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (LinuxException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "OOM monitor: " + e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}

package io.jshim.engine.cgroup;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What v1 and v2 managers share: cgroup.procs reading and writing, and destroy's
 * kill-then-remove sequence (runc: libcontainer/init_linux.go signalAllProcesses,
 * libcontainer/cgroups/utils.go RemovePaths / RemovePath).
 */
abstract class BaseManager implements CgroupManager {
    static final String PROCS = "cgroup.procs";

    /** Rounds of freeze/kill/thaw in destroy, and how long each waits for the tasks to go. */
    static final int KILL_ROUNDS = 3;
    static final Duration KILL_WAIT = Duration.ofSeconds(2);
    static final Duration KILL_POLL = Duration.ofMillis(10);

    /** rmdir attempts and the first delay between them (doubling), as runc's RemovePaths. */
    static final int RMDIR_ATTEMPTS = 5;
    static final Duration RMDIR_DELAY = Duration.ofMillis(10);

    protected final CgroupFs fs;
    protected final Killer killer;

    BaseManager(CgroupFs fs, Killer killer) {
        this.fs = fs;
        this.killer = killer;
    }

    /** The container's own directories, one per hierarchy. */
    abstract Collection<Path> leafDirs();

    /** Kills every task at once by a kernel interface (v2 cgroup.kill) if there is one. */
    abstract boolean killByKernel() throws CgroupException;

    @Override
    public boolean exists() {
        for (Path p : leafDirs()) {
            if (fs.exists(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void addProcess(int pid) throws CgroupException {
        for (Path dir : leafDirs()) {
            writeProc(dir, pid);
        }
    }

    /**
     * runc WriteCgroupProc: EINVAL can mean the task is still TASK_NEW (just forked), so
     * retry a few times.
     */
    void writeProc(Path dir, int pid) throws CgroupException {
        CgroupException last = null;
        for (int i = 0; i < 5; i++) {
            try {
                fs.write(dir.resolve(PROCS), Integer.toString(pid));
                return;
            } catch (CgroupException e) {
                if (e.errno() != CgroupException.Errno.EINVAL) {
                    throw e;
                }
                last = e;
                Sleeper.sleep(Duration.ofMillis(30));
            }
        }
        throw last;
    }

    @Override
    public List<Integer> pids() throws CgroupException {
        Set<Integer> out = new TreeSet<>();
        for (Path dir : leafDirs()) {
            out.addAll(readProcs(dir));
        }
        return new ArrayList<>(out);
    }

    @Override
    public List<Integer> allPids() throws CgroupException {
        Set<Integer> out = new TreeSet<>();
        for (Path dir : leafDirs()) {
            collect(dir, out);
        }
        return new ArrayList<>(out);
    }

    private void collect(Path dir, Set<Integer> out) throws CgroupException {
        out.addAll(readProcs(dir));
        for (Path child : fs.subdirs(dir)) {
            collect(child, out);
        }
    }

    /** cgroup.procs of one directory; a directory that is gone holds nothing. */
    List<Integer> readProcs(Path dir) throws CgroupException {
        Path f = dir.resolve(PROCS);
        if (!fs.exists(f)) {
            return List.of();
        }
        String text;
        try {
            text = fs.read(f);
        } catch (CgroupException e) {
            if (e.errno() == CgroupException.Errno.ENOENT || e.errno() == CgroupException.Errno.ENODEV) {
                return List.of(); // removed while we looked
            }
            throw e;
        }
        List<Integer> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (!t.isEmpty()) {
                try {
                    out.add(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw new CgroupException("parse " + f + ": unexpected line \"" + t + "\"", e);
                }
            }
        }
        return out;
    }

    @Override
    public void destroy() throws CgroupException {
        if (exists()) {
            killAll();
        }
        removeAll();
    }

    /**
     * Freeze so nothing can fork while we look, SIGKILL every task (children's too), thaw
     * so the signals are delivered, then wait for the cgroup to empty. Freezing is best
     * effort: without a freezer, kill anyway.
     */
    void killAll() throws CgroupException {
        for (int round = 0; round < KILL_ROUNDS; round++) {
            if (allPids().isEmpty()) {
                return;
            }
            if (!killByKernel()) {
                boolean frozen = false;
                try {
                    freeze();
                    frozen = true;
                } catch (CgroupException e) {
                    // no freezer, or it would not settle: kill unfrozen
                }
                try {
                    for (int pid : allPids()) {
                        try {
                            killer.kill(pid);
                        } catch (IOException e) {
                            // gone already, or not ours to kill: the wait below decides
                        }
                    }
                } finally {
                    if (frozen) {
                        thaw();
                    }
                }
            }
            long polls = KILL_WAIT.dividedBy(KILL_POLL);
            for (long i = 0; i < polls && !allPids().isEmpty(); i++) {
                Sleeper.sleep(KILL_POLL);
            }
        }
    }

    /** Removes each leaf (children first), retrying with doubling delays while the kernel says busy. */
    void removeAll() throws CgroupException {
        Set<Path> remaining = new LinkedHashSet<>(leafDirs());
        CgroupException last = null;
        Duration delay = RMDIR_DELAY;
        for (int attempt = 0; attempt < RMDIR_ATTEMPTS && !remaining.isEmpty(); attempt++) {
            if (attempt > 0) {
                Sleeper.sleep(delay);
                delay = delay.multipliedBy(2);
            }
            for (var it = remaining.iterator(); it.hasNext();) {
                Path p = it.next();
                try {
                    removeTree(p);
                    it.remove();
                } catch (CgroupException e) {
                    last = e;
                }
            }
        }
        if (!remaining.isEmpty()) {
            throw new CgroupException("failed to remove cgroup " + remaining + ": " + last.getMessage(),
                    last.errno(), last);
        }
    }

    /** runc RemovePath: rmdir, and if that fails remove the child cgroups first and retry. */
    void removeTree(Path dir) throws CgroupException {
        try {
            fs.rmdir(dir);
            return;
        } catch (CgroupException e) {
            List<Path> children = fs.subdirs(dir);
            if (children.isEmpty()) {
                throw e;
            }
        }
        for (Path child : fs.subdirs(dir)) {
            removeTree(child);
        }
        fs.rmdir(dir);
    }

    /** Creates {@code dir} and any missing parents, top-down. */
    void mkdirs(Path dir) throws CgroupException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !fs.exists(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        for (Path p : missing) {
            fs.mkdir(p);
        }
    }
}

package io.jshim.engine.cgroup;

import static io.jshim.engine.cgroup.ResourceWriter.nonEmpty;
import static io.jshim.engine.cgroup.ResourceWriter.nz;
import static io.jshim.engine.cgroup.ResourceWriter.val;

import io.jshim.engine.spec.LinuxResources;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/** The controllers that need a line or two each: pids, hugetlb, net_cls, net_prio, rdma, v2 cpuset. */
final class SimpleWriters {
    private SimpleWriters() {
    }

    /**
     * pids.max, same file on v1 and v2 (cgroup-v1/pids.rst, cgroup-v2.rst "PID"). As runc:
     * 0 leaves it alone, a negative limit (-1) is "max".
     */
    static final ResourceWriter PIDS = new Simple("pids", "linux.resources.pids",
            r -> r.pids() != null && nz(r.pids().limit()),
            (fs, dir, r) -> {
                long limit = r.pids().limit();
                fs.write(dir.resolve("pids.max"), limit > 0 ? Long.toString(limit) : "max");
            });

    /** hugetlb.&lt;size&gt;.limit_in_bytes (cgroup-v1/hugetlb.rst), plus the .rsvd. file where the kernel has it. */
    static final ResourceWriter HUGETLB_V1 = hugetlb(".limit_in_bytes", ".rsvd.limit_in_bytes");

    /** hugetlb.&lt;size&gt;.max (cgroup-v2.rst "HugeTLB"), plus .rsvd.max where the kernel has it. */
    static final ResourceWriter HUGETLB_V2 = hugetlb(".max", ".rsvd.max");

    /** net_cls.classid (cgroup-v1/net_cls.rst); v1 only. */
    static final ResourceWriter NET_CLS = new Simple("net_cls", "linux.resources.network.classID",
            r -> r.network() != null && nz(r.network().classID()),
            (fs, dir, r) -> fs.write(dir.resolve("net_cls.classid"), Long.toString(r.network().classID())));

    /** net_prio.ifpriomap, one "ifname prio" per write (cgroup-v1/net_prio.rst); v1 only. */
    static final ResourceWriter NET_PRIO = new Simple("net_prio", "linux.resources.network.priorities",
            r -> r.network() != null && nonEmpty(r.network().priorities()),
            (fs, dir, r) -> {
                for (LinuxResources.InterfacePriority p : r.network().priorities()) {
                    fs.write(dir.resolve("net_prio.ifpriomap"), p.name() + " " + val(p.priority()));
                }
            });

    /** rdma.max "DEV hca_handle=N hca_object=M", same on v1 and v2 (cgroup-v1/rdma.rst; runc fscommon/rdma.go). */
    static final ResourceWriter RDMA = new Simple("rdma", "linux.resources.rdma",
            r -> nonEmpty(r.rdma()),
            (fs, dir, r) -> {
                for (Map.Entry<String, LinuxResources.Rdma> e : r.rdma().entrySet()) {
                    LinuxResources.Rdma l = e.getValue();
                    if (l == null || (l.hcaHandles() == null && l.hcaObjects() == null)) {
                        continue;
                    }
                    StringBuilder sb = new StringBuilder(e.getKey());
                    if (l.hcaHandles() != null) {
                        sb.append(" hca_handle=").append(l.hcaHandles());
                    }
                    if (l.hcaObjects() != null) {
                        sb.append(" hca_object=").append(l.hcaObjects());
                    }
                    fs.write(dir.resolve("rdma.max"), sb.toString());
                }
            });

    /** v2 cpuset.cpus / cpuset.mems (cgroup-v2.rst "Cpuset"); v2 cpusets inherit, nothing to copy. */
    static final ResourceWriter CPUSET_V2 = new Simple("cpuset", "linux.resources.cpu.cpus/mems",
            r -> r.cpu() != null && (nonEmpty(r.cpu().cpus()) || nonEmpty(r.cpu().mems())),
            CpusetV1::writeCpusMems);

    private static ResourceWriter hugetlb(String suffix, String rsvdSuffix) {
        return new Simple("hugetlb", "linux.resources.hugepageLimits",
                r -> nonEmpty(r.hugepageLimits()),
                (fs, dir, r) -> {
                    for (LinuxResources.HugepageLimit h : r.hugepageLimits()) {
                        String limit = Long.toUnsignedString(val(h.limit()));
                        fs.write(dir.resolve("hugetlb." + h.pageSize() + suffix), limit);
                        Path rsvd = dir.resolve("hugetlb." + h.pageSize() + rsvdSuffix);
                        if (fs.exists(rsvd)) {
                            fs.write(rsvd, limit);
                        }
                    }
                }) {
            @Override
            public void validate(LinuxResources r) throws CgroupException {
                for (LinuxResources.HugepageLimit h : r.hugepageLimits()) {
                    String ps = h.pageSize();
                    if (ps == null || !ps.matches("[0-9]+[KMGT]B")) {
                        throw new CgroupException("invalid hugepage size \"" + ps
                                + "\" in linux.resources.hugepageLimits (want e.g. \"2MB\")");
                    }
                }
            }
        };
    }

    @FunctionalInterface
    interface Body {
        void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException;
    }

    private static class Simple implements ResourceWriter {
        private final String controller;
        private final String what;
        private final Predicate<LinuxResources> isSet;
        private final Body body;

        Simple(String controller, String what, Predicate<LinuxResources> isSet, Body body) {
            this.controller = controller;
            this.what = what;
            this.isSet = isSet;
            this.body = body;
        }

        @Override
        public String controller() {
            return controller;
        }

        @Override
        public String what() {
            return what;
        }

        @Override
        public boolean isSet(LinuxResources r) {
            return isSet.test(r);
        }

        @Override
        public void write(CgroupFs fs, Path dir, LinuxResources r) throws CgroupException {
            body.write(fs, dir, r);
        }
    }
}

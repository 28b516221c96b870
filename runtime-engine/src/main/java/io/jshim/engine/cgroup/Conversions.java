package io.jshim.engine.cgroup;

/**
 * The v1-to-v2 value conversions of runc's libcontainer/cgroups/utils.go, so that a spec
 * written for v1 means the same on v2 (as containerd and crun also do).
 */
public final class Conversions {
    private Conversions() {
    }

    /**
     * ConvertCPUSharesToCgroupV2Value: cpu.shares [2, 262144] onto cpu.weight [1, 10000],
     * {@code 1 + ((shares - 2) * 9999) / 262142}; 0 (unset) stays 0. Shares outside the v1
     * range are clamped first (the v1 kernel clamps them the same way).
     */
    public static long cpuSharesToWeight(long shares) {
        if (shares == 0) {
            return 0;
        }
        long s = Math.clamp(shares, 2, 262144);
        return 1 + ((s - 2) * 9999) / 262142;
    }

    /**
     * ConvertMemorySwapToCgroupV2Value: v1's memory+swap total onto v2's swap-only
     * memory.swap.max, i.e. {@code swap - limit}; -1 (unlimited) and 0 (unset) pass
     * through, and unlimited memory with unset swap means unlimited swap.
     */
    public static long memorySwapToV2(long swap, long limit) throws CgroupException {
        if (limit == -1 && swap == 0) {
            return -1;
        }
        if (swap == -1 || swap == 0) {
            return swap;
        }
        if (limit == 0 || limit == -1) {
            throw new CgroupException("unable to set swap limit without memory limit");
        }
        if (limit < 0) {
            throw new CgroupException("invalid memory value: " + limit);
        }
        if (swap < limit) {
            throw new CgroupException("memory+swap limit should be >= memory limit");
        }
        return swap - limit;
    }

    /**
     * ConvertBlkIOToIOWeightValue: blkio.weight [10, 1000] onto io.weight [1, 10000],
     * {@code 1 + (weight - 10) * 9999 / 990}; 0 stays 0.
     */
    public static long blkioWeightToIoWeight(long weight) {
        if (weight == 0) {
            return 0;
        }
        return 1 + (weight - 10) * 9999 / 990;
    }
}

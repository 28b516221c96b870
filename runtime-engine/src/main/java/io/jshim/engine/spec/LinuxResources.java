package io.jshim.engine.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The runtime-spec {@code linux.resources} object (config-linux.md "Control groups";
 * specs-go/config.go {@code LinuxResources}), field names exactly as in JSON.
 *
 * <p>Every field is boxed, so absent means null. Unknown fields are ignored because newer
 * spec versions keep adding them. Fields that Go declares {@code uint64} are read with
 * {@link Unsigned}: a value above {@link Long#MAX_VALUE} wraps the way Go's
 * {@code int64(x)} conversion does, so {@code "swappiness": 18446744073709551615} (the
 * -1 some clients send) becomes -1, as runc sees it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LinuxResources(
        List<DeviceCgroup> devices,
        Memory memory,
        Cpu cpu,
        Pids pids,
        BlockIO blockIO,
        List<HugepageLimit> hugepageLimits,
        Network network,
        Map<String, Rdma> rdma,
        Map<String, String> unified) {

    /** A rule of the device allow-list ({@code LinuxDeviceCgroup}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceCgroup(Boolean allow, String type, Long major, Long minor, String access) {
        /** {@code allow} with absent read as false, as Go's zero value. */
        public boolean allows() {
            return Boolean.TRUE.equals(allow);
        }
    }

    /** {@code LinuxMemory}; all values in bytes except swappiness. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(
            Long limit,
            Long reservation,
            Long swap,
            Long kernel,
            Long kernelTCP,
            @JsonDeserialize(using = Unsigned.class) Long swappiness,
            Boolean disableOOMKiller,
            Boolean useHierarchy,
            Boolean checkBeforeUpdate) {
    }

    /** {@code LinuxCPU}: CFS bandwidth in microseconds, cpuset lists as in cpuset(7). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(
            @JsonDeserialize(using = Unsigned.class) Long shares,
            Long quota,
            @JsonDeserialize(using = Unsigned.class) Long burst,
            @JsonDeserialize(using = Unsigned.class) Long period,
            Long realtimeRuntime,
            @JsonDeserialize(using = Unsigned.class) Long realtimePeriod,
            String cpus,
            String mems,
            Long idle) {
    }

    /** {@code LinuxPids}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pids(Long limit) {
    }

    /** {@code LinuxBlockIO}: weights 10..1000 (cgroup v1 blkio scale). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlockIO(
            Integer weight,
            Integer leafWeight,
            List<WeightDevice> weightDevice,
            List<ThrottleDevice> throttleReadBpsDevice,
            List<ThrottleDevice> throttleWriteBpsDevice,
            List<ThrottleDevice> throttleReadIOPSDevice,
            List<ThrottleDevice> throttleWriteIOPSDevice) {
    }

    /** {@code LinuxWeightDevice}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WeightDevice(Long major, Long minor, Integer weight, Integer leafWeight) {
    }

    /** {@code LinuxThrottleDevice}: rate in bytes or operations per second. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ThrottleDevice(Long major, Long minor, @JsonDeserialize(using = Unsigned.class) Long rate) {
    }

    /** {@code LinuxHugepageLimit}: pageSize like "2MB", limit in bytes. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HugepageLimit(String pageSize, @JsonDeserialize(using = Unsigned.class) Long limit) {
    }

    /** {@code LinuxNetwork} (v1 net_cls / net_prio). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Network(Long classID, List<InterfacePriority> priorities) {
    }

    /** {@code LinuxInterfacePriority}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InterfacePriority(String name, Long priority) {
    }

    /** {@code LinuxRdma}: per-device limits, keyed by device name in {@link LinuxResources#rdma}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rdma(Long hcaHandles, Long hcaObjects) {
    }

    /**
     * Reads a Go {@code uint64} into a Long, wrapping values above Long.MAX_VALUE to
     * negative numbers as Go's {@code int64(u)} does (runc compares
     * {@code int64(*swappiness) == -1}).
     */
    public static final class Unsigned extends StdDeserializer<Long> {
        public Unsigned() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue().longValue()
                        : p.getLongValue();
            }
            return ctxt.readValue(p, Long.class);
        }
    }
}

package io.jshim.engine.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** config.md "process": what runs in the container. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpecProcess(
        Boolean terminal,
        ConsoleSize consoleSize,
        User user,
        List<String> args,
        String commandLine,
        List<String> env,
        String cwd,
        Capabilities capabilities,
        List<Rlimit> rlimits,
        Boolean noNewPrivileges,
        String apparmorProfile,
        Integer oomScoreAdj,
        String selinuxLabel,
        Scheduler scheduler,
        IoPriority ioPriority) {

    public boolean isTerminal() {
        return Boolean.TRUE.equals(terminal);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConsoleSize(Integer height, Integer width) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(Long uid, Long gid, Long umask, List<Long> additionalGids, String username) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
            List<String> permitted, List<String> ambient) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rlimit(String type, Long hard, Long soft) {
    }

    /** {@code process.scheduler} ({@code Scheduler}): sched_setattr(2) values; times in nanoseconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scheduler(String policy, Integer nice, Integer priority, List<String> flags, Long runtime,
            Long deadline, Long period) {
    }

    /** {@code process.ioPriority} ({@code LinuxIOPriority}): ioprio_set(2) class and level 0..7. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IoPriority(@com.fasterxml.jackson.annotation.JsonProperty("class") String ioClass,
            Integer priority) {
    }
}

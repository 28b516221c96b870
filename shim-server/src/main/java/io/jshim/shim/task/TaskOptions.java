package io.jshim.shim.task;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jshim.proto.containerd.runc.v1.Options;
import java.nio.file.Path;

/**
 * Runtime options of a Create (shim-v2-protocol.md §7): containerd sends a runc {@code Options} for
 * runtime types it knows as runc-like and {@code runtimeoptions.v1.Options} (ConfigPath) for others such
 * as jshim when the CRI config has an options table. Honoured so far: runc's {@code Root} (the engine
 * state root becomes {@code <Root>/<namespace>}, as runc's shim does) and {@code SystemdCgroup}, refused
 * clearly since jshim has no systemd cgroup driver. ConfigPath (the jshim config file) is accepted and
 * not read yet.
 *
 * @param root the engine state root of the task
 */
record TaskOptions(Path root, String configPath) {

    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";
    static final String RUNTIME_OPTIONS = "runtimeoptions.v1.Options";

    static TaskOptions parse(Any any, String namespace, Path defaultRoot) {
        String type = any.getTypeUrl();
        String name = type.substring(type.lastIndexOf('/') + 1);
        if (type.isEmpty()) {
            return new TaskOptions(defaultRoot, "");
        }
        try {
            if (name.equals(RUNC_OPTIONS)) {
                Options o = Options.parseFrom(any.getValue());
                if (o.getSystemdCgroup()) {
                    throw io.jshim.ttrpc.Errdefs.invalidArgument(
                            "SystemdCgroup = true: jshim has no systemd cgroup driver yet (this host has no systemd)");
                }
                Path root = o.getRoot().isEmpty() ? defaultRoot : Path.of(o.getRoot(), namespace);
                return new TaskOptions(root, "");
            }
            if (name.equals(RUNTIME_OPTIONS)) {
                io.jshim.proto.runtimeoptions.v1.Options o = io.jshim.proto.runtimeoptions.v1.Options.parseFrom(
                        any.getValue());
                return new TaskOptions(defaultRoot, o.getConfigPath());
            }
        } catch (InvalidProtocolBufferException e) {
            throw io.jshim.ttrpc.Errdefs.invalidArgument("options of type %s: %s", type, e.getMessage());
        }
        throw io.jshim.ttrpc.Errdefs.invalidArgument("unsupported runtime options type %s (jshim takes %s or %s)",
                type, RUNC_OPTIONS, RUNTIME_OPTIONS);
    }
}

package io.jshim.shim.task;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jshim.proto.containerd.runc.v1.Options;
import io.jshim.shim.config.ShimConfig;
import io.jshim.shim.io.TaskStdio;
import io.jshim.ttrpc.Errdefs;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runtime options of a Create (shim-v2-protocol.md §7): containerd sends a runc {@code Options} for
 * runtime types it knows as runc-like (or for a handler registered with runtime_type
 * {@code io.containerd.runc.v2} and jshim's binary as its path) and {@code runtimeoptions.v1.Options}
 * (ConfigPath; {@code ctr run --runtime-config-path}) for others such as jshim.
 *
 * <p>runc options, as the runc shim applies them: {@code Root} (the engine state root becomes
 * {@code <Root>/<namespace>}), {@code NoPivotRoot}, {@code NoNewKeyring}, {@code IoUid}/{@code IoGid}
 * (owner of the container's stdio pipes and FIFOs); {@code ShimCgroup} is applied by the front end's
 * {@code start} when it launches a daemon (the option arrives on its stdin); {@code BinaryName} names
 * runc's binary and is ignored (the engine runs in-process; logged at debug); {@code SystemdCgroup} is
 * refused, since jshim has no systemd cgroup driver; the CRIU paths matter only to checkpoint, which is
 * not supported yet.
 *
 * <p>ConfigPath: the jshim config file ({@link ShimConfig}); for a task, its {@code [shim] log_level} is
 * the level of that task's log lines. The rest of the file is the daemon's (read at launch by the front
 * end and the daemon, which both see the same ConfigPath on start's stdin).
 *
 * @param root     the engine state root of the task
 * @param logLevel the task's log level from its config file, or null (the daemon's)
 */
record TaskOptions(Path root, String configPath, boolean noPivotRoot, boolean noNewKeyring, int ioUid, int ioGid,
        Level logLevel) {

    static final String RUNC_OPTIONS = "containerd.runc.v1.Options";
    static final String RUNTIME_OPTIONS = "runtimeoptions.v1.Options";
    /**
     * What containerd's client sends a runtime that is not runc for {@code ctr run --no-pivot} and
     * {@code --uidmap/--gidmap} (client task_opts WithNoPivotRoot, WithUIDOwner, WithGIDOwner): the old
     * {@code runtime/linux/runctypes} CreateOptions. No generated class: the fields read are no_pivot_root
     * = 1, no_new_keyring = 8, io_uid = 10, io_gid = 11 (shim_cgroup = 9 is the front end's).
     */
    static final String RUNC_CREATE_OPTIONS = "containerd.linux.runc.CreateOptions";
    private static final System.Logger LOG = System.getLogger(TaskOptions.class.getName());

    /** Config files by path, re-read when their modification time changes. */
    private static final Map<Path, Map.Entry<FileTime, ShimConfig>> CONFIGS = new ConcurrentHashMap<>();

    TaskOptions(Path root, String configPath) {
        this(root, configPath, false, false, 0, 0, null);
    }

    /** The stdio owner of this task's process {@code id} (the task or one of its execs). */
    TaskStdio.Owner stdioOwner(String namespace, String id) {
        return new TaskStdio.Owner(namespace, id, ioUid, ioGid);
    }

    static TaskOptions parse(Any any, String namespace, Path defaultRoot) {
        String type = any.getTypeUrl();
        String name = type.substring(type.lastIndexOf('/') + 1);
        if (type.isEmpty()) {
            return new TaskOptions(defaultRoot, "");
        }
        LOG.log(Level.DEBUG, "runtime options of type {0} ({1} bytes)", type, String.valueOf(any.getValue().size()));
        try {
            if (name.equals(RUNC_OPTIONS)) {
                Options o = Options.parseFrom(any.getValue());
                if (o.getSystemdCgroup()) {
                    throw Errdefs.invalidArgument("runc option SystemdCgroup = true is not supported: jshim has no "
                            + "systemd cgroup driver yet (remove SystemdCgroup from the runtime's options)");
                }
                if (!o.getBinaryName().isEmpty()) {
                    LOG.log(Level.DEBUG, "runc option BinaryName = {0} ignored: jshim runs its engine in-process",
                            o.getBinaryName());
                }
                Path root = o.getRoot().isEmpty() ? defaultRoot : Path.of(o.getRoot(), namespace);
                return new TaskOptions(root, "", o.getNoPivotRoot(), o.getNoNewKeyring(), o.getIoUid(), o.getIoGid(),
                        null);
            }
            if (name.equals(RUNC_CREATE_OPTIONS)) {
                return createOptions(any.getValue(), defaultRoot);
            }
            if (name.equals(RUNTIME_OPTIONS)) {
                io.jshim.proto.runtimeoptions.v1.Options o = io.jshim.proto.runtimeoptions.v1.Options.parseFrom(
                        any.getValue());
                String path = o.getConfigPath();
                Level level = path.isEmpty() ? null : config(Path.of(path)).logLevel();
                return new TaskOptions(defaultRoot, path, false, false, 0, 0, level);
            }
        } catch (InvalidProtocolBufferException e) {
            throw Errdefs.invalidArgument("options of type %s: %s", type, e.getMessage());
        }
        throw Errdefs.invalidArgument("unsupported runtime options type %s (jshim takes %s, %s or %s)",
                type, RUNTIME_OPTIONS, RUNC_OPTIONS, RUNC_CREATE_OPTIONS);
    }

    private static TaskOptions createOptions(com.google.protobuf.ByteString value, Path defaultRoot)
            throws InvalidProtocolBufferException {
        boolean noPivot = false;
        boolean noKeyring = false;
        int uid = 0;
        int gid = 0;
        try {
            com.google.protobuf.CodedInputStream in = value.newCodedInput();
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 1 << 3 -> noPivot = in.readBool();
                    case 8 << 3 -> noKeyring = in.readBool();
                    case 10 << 3 -> uid = in.readUInt32();
                    case 11 << 3 -> gid = in.readUInt32();
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
        return new TaskOptions(defaultRoot, "", noPivot, noKeyring, uid, gid, null);
    }

    /** The config file at {@code path}; INVALID_ARGUMENT naming the file and key when it cannot be used. */
    static ShimConfig config(Path path) {
        if (!path.isAbsolute()) {
            throw Errdefs.invalidArgument("ConfigPath %s: not an absolute path", path);
        }
        try {
            FileTime mtime = Files.getLastModifiedTime(path);
            Map.Entry<FileTime, ShimConfig> cached = CONFIGS.get(path);
            if (cached != null && cached.getKey().equals(mtime)) {
                return cached.getValue();
            }
            ShimConfig c = ShimConfig.load(path);
            CONFIGS.put(path, Map.entry(mtime, c));
            return c;
        } catch (java.io.IOException e) {
            throw Errdefs.invalidArgument("ConfigPath %s: cannot read the config file: %s", path, e.toString());
        } catch (ShimConfig.ConfigException e) {
            throw Errdefs.invalidArgument("%s", e.getMessage());
        }
    }
}

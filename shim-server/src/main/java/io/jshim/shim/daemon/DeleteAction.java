package io.jshim.shim.daemon;

import io.jshim.engine.Engine;
import io.jshim.engine.EngineException;
import io.jshim.engine.plan.InitLauncher;
import io.jshim.proto.containerd.task.v2.DeleteResponse;
import io.jshim.shim.ShimFlags;
import io.jshim.shim.rootfs.RootfsMounts;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The {@code delete} action when the task's daemon is gone (it was killed, or it crashed) and the
 * engine still holds state for the task: the C front end runs this short-lived JVM, which force-deletes
 * the container through the engine (SIGKILL to its processes, cgroups and state removed), unmounts the
 * bundle's rootfs, and prints runc's answer, DeleteResponse{pid, 137, now}, as the only bytes on stdout.
 */
public final class DeleteAction {

    private DeleteAction() {
    }

    public static int run(ShimFlags flags) {
        String id = flags.require("id");
        Path bundle = Path.of(flags.require("bundle"));
        String ns = flags.require("namespace");
        Path root = flags.get("engine-root").isEmpty()
                ? Path.of(flags.require("state-root"), ns)
                : Path.of(flags.get("engine-root"));
        int pid = 0;
        try {
            pid = Integer.parseInt(Files.readString(bundle.resolve("init.pid"), StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            // no pid file: pid 0, as runc's shim answers when init.pid is missing
        }
        Engine engine = new Engine(root, InitLauncher.locate());
        try {
            engine.delete(id, true);
        } catch (EngineException e) {
            System.err.println("jshim: delete " + id + ": " + e.getMessage());
        }
        RootfsMounts.unmountAll(bundle.resolve("rootfs"));
        Instant now = Instant.now();
        byte[] out = DeleteResponse.newBuilder().setPid(pid).setExitStatus(137)
                .setExitedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond())
                        .setNanos(now.getNano()))
                .build().toByteArray();
        try {
            // not closed: closing fd 1 breaks the JDK's own loading of resources at exit
            FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
            stdout.write(out);
            stdout.flush();
        } catch (IOException e) {
            System.err.println("jshim: write DeleteResponse: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}

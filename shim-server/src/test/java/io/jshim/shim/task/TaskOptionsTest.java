package io.jshim.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Any;
import io.jshim.proto.containerd.runc.v1.Options;
import io.jshim.proto.containerd.task.v2.CreateTaskRequest;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.TtrpcException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runtime options of a Create: runc's options as the runc shim applies them, and ConfigPath. */
class TaskOptionsTest {

    @TempDir
    Path dir;

    private FakeRuntime runtime;
    private TaskCore core;

    @BeforeEach
    void setUp() {
        runtime = new FakeRuntime();
        core = new TaskCore("ns1", dir.resolve("root/ns1"), runtime, new RecordingPublisher(), new TaskCore.PidWatcher() {
            @Override
            public void watch(int pid) {
            }

            @Override
            public void unwatch(int pid) {
            }
        }, Duration.ofSeconds(60));
    }

    private CreateTaskRequest.Builder request(String id) throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("bundles").resolve(id));
        return CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString());
    }

    private static Any runc(Options o) {
        return Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(o.toByteString()).build();
    }

    private static Any configPath(Path p) {
        return Any.newBuilder().setTypeUrl("runtimeoptions.v1.Options").setValue(
                io.jshim.proto.runtimeoptions.v1.Options.newBuilder().setConfigPath(p.toString()).build().toByteString())
                .build();
    }

    @Test
    void noPivotRootAndNoNewKeyring_reachTheEngine_binaryNameIsIgnored() throws Exception {
        core.create(request("c1").setOptions(runc(Options.newBuilder().setNoPivotRoot(true).setNoNewKeyring(true)
                .setBinaryName("/usr/bin/runc").build())).build());
        assertTrue(runtime.lastSpec.noPivot());
        assertTrue(runtime.lastSpec.noNewKeyring());
        core.create(request("c2").build());
        assertFalse(runtime.lastSpec.noPivot());
        assertFalse(runtime.lastSpec.noNewKeyring());
    }

    @Test
    void ctrsCreateOptions_forARuntimeThatIsNotRunc_areReadToo() throws Exception {
        // containerd.linux.runc.CreateOptions{no_pivot_root = 1, no_new_keyring = 8, io_uid = 10, io_gid = 11}
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream o = com.google.protobuf.CodedOutputStream.newInstance(buf);
        o.writeBool(1, true);
        o.writeString(7, "ignored");
        o.writeBool(8, true);
        o.writeUInt32(10, 1234);
        o.writeUInt32(11, 5678);
        o.flush();
        TaskOptions t = TaskOptions.parse(Any.newBuilder().setTypeUrl("containerd.linux.runc.CreateOptions")
                .setValue(com.google.protobuf.ByteString.copyFrom(buf.toByteArray())).build(), "ns1", dir);
        assertTrue(t.noPivotRoot());
        assertTrue(t.noNewKeyring());
        assertEquals(1234, t.ioUid());
        assertEquals(5678, t.ioGid());
        TtrpcException e = assertThrows(TtrpcException.class, () -> TaskOptions.parse(Any.newBuilder()
                .setTypeUrl("example.com/Other").build(), "ns1", dir));
        assertTrue(e.getMessage().contains("unsupported runtime options type example.com/Other"), e.getMessage());
    }

    @Test
    void systemdCgroup_isRefusedWithAMessageThatSaysWhatToDo() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class, () -> core.create(request("c1")
                .setOptions(runc(Options.newBuilder().setSystemdCgroup(true).build())).build()));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("SystemdCgroup = true is not supported")
                && e.getMessage().contains("remove SystemdCgroup"), e.getMessage());
    }

    @Test
    void ioUidAndIoGid_ownTheContainersFifos() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "fchown to another user needs root");
        Path out = dir.resolve("out.fifo");
        Path in = dir.resolve("in.fifo");
        io.jshim.engine.linux.Syscalls.mkfifo(out.toString(), 0600);
        io.jshim.engine.linux.Syscalls.mkfifo(in.toString(), 0600);
        core.create(request("c1").setStdin(in.toString()).setStdout(out.toString())
                .setOptions(runc(Options.newBuilder().setIoUid(1234).setIoGid(5678).build())).build());
        for (Path p : new Path[] {in, out}) {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            assertEquals("1234", a.owner().getName(), p.toString());
            assertEquals("5678", a.group().getName(), p.toString());
        }
    }

    @Test
    void configPath_setsTheTasksLogLevel_andABadFileFailsTheCreate_namingFileAndKey() throws Exception {
        Path good = dir.resolve("debug.toml");
        Files.writeString(good, "[shim]\nlog_level = \"debug\"\n");
        TaskOptions o = TaskOptions.parse(configPath(good), "ns1", dir);
        assertEquals(Level.DEBUG, o.logLevel());
        assertEquals(good.toString(), o.configPath());
        assertNull(TaskOptions.parse(Any.getDefaultInstance(), "ns1", dir).logLevel());
        core.create(request("c1").setOptions(configPath(good)).build());

        Path bad = dir.resolve("bad.toml");
        Files.writeString(bad, "[shim]\nlog_level = \"chatty\"\n");
        TtrpcException e = assertThrows(TtrpcException.class, () -> core.create(request("c2")
                .setOptions(configPath(bad)).build()));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("[shim] log_level"),
                e.getMessage());
        e = assertThrows(TtrpcException.class, () -> core.create(request("c3")
                .setOptions(configPath(dir.resolve("none.toml"))).build()));
        assertTrue(e.getMessage().contains("none.toml"), e.getMessage());
    }
}

package io.jshim.engine.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-file implementation, on ordinary files: messages and the errno they carry. */
class KernelCgroupFsTest {
    @TempDir
    Path tmp;

    final CgroupFs fs = CgroupFs.kernel();

    @Test
    void writeReplacesAndNeverCreates() throws Exception {
        Path f = tmp.resolve("memory.limit_in_bytes");
        Files.writeString(f, "9223372036854771712\n");
        fs.write(f, "1048576");
        assertEquals("1048576", fs.read(f));
        CgroupException e = assertThrows(CgroupException.class, () -> fs.write(tmp.resolve("nope"), "1"));
        assertEquals("write " + tmp.resolve("nope") + ": \"1\": no such file or directory", e.getMessage());
        assertEquals(CgroupException.Errno.ENOENT, e.errno());
        assertFalse(Files.exists(tmp.resolve("nope")));
    }

    @Test
    void writeToADirectoryNamesTheReason() {
        CgroupException e = assertThrows(CgroupException.class, () -> fs.write(tmp, "x"));
        assertEquals("write " + tmp + ": \"x\": is a directory", e.getMessage());
        assertEquals(CgroupException.Errno.EISDIR, e.errno());
    }

    @Test
    void errnoFromStrerrorText() {
        assertEquals(CgroupException.Errno.EBUSY,
                CgroupException.Errno.of(new FileSystemException("/x", null, "Device or resource busy")));
        assertEquals(CgroupException.Errno.EINVAL, CgroupException.Errno.of(new java.io.IOException("Invalid argument")));
        CgroupException e = CgroupException.write(Path.of("/sys/fs/cgroup/memory/x/memory.limit_in_bytes"), "1048576",
                new FileSystemException("/sys/fs/cgroup/memory/x/memory.limit_in_bytes", null, "Device or resource busy"));
        assertEquals("write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: \"1048576\": device or resource busy",
                e.getMessage());
        assertEquals("write /f: \"v\": something odd", CgroupException.write(Path.of("/f"), "v",
                new java.io.IOException("Something odd")).getMessage());
    }

    @Test
    void mkdirRmdirSubdirs() throws Exception {
        Path d = tmp.resolve("a");
        fs.mkdir(d);
        fs.mkdir(d);
        fs.mkdir(d.resolve("b"));
        assertEquals(List.of(d.resolve("b")), fs.subdirs(d));
        assertEquals(List.of(), fs.subdirs(tmp.resolve("none")));
        CgroupException e = assertThrows(CgroupException.class, () -> fs.rmdir(d));
        assertEquals(CgroupException.Errno.ENOTEMPTY, e.errno());
        assertTrue(fs.rmdir(d.resolve("b")));
        assertFalse(fs.rmdir(d.resolve("b")));
        e = assertThrows(CgroupException.class, () -> fs.mkdir(tmp.resolve("x/y")));
        assertEquals("mkdir " + tmp.resolve("x/y") + ": no such file or directory", e.getMessage());
    }
}

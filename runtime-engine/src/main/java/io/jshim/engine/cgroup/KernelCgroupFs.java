package io.jshim.engine.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link CgroupFs} on the real cgroupfs (runc: libcontainer/cgroups/file.go). Writes go
 * out in a single write(2) on a descriptor opened O_WRONLY|O_TRUNC, as a shell's
 * {@code echo v > file} does; the kernel parses each write separately.
 */
final class KernelCgroupFs implements CgroupFs {
    static final KernelCgroupFs INSTANCE = new KernelCgroupFs();

    private KernelCgroupFs() {
    }

    @Override
    public String read(Path file) throws CgroupException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CgroupException.op("read", file, e);
        }
    }

    @Override
    public void write(Path file, String value) throws CgroupException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            int n = ch.write(ByteBuffer.wrap(bytes));
            if (n != bytes.length) {
                throw new CgroupException("write " + file + ": \"" + value + "\": short write (" + n + " of "
                        + bytes.length + " bytes)");
            }
        } catch (IOException e) {
            throw CgroupException.write(file, value, e);
        }
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public void replaceDeviceFilter(Path dir, io.jshim.engine.devices.DeviceFilterProgram program)
            throws CgroupException {
        try {
            io.jshim.engine.devices.BpfDeviceFilter.replace(dir, program);
        } catch (io.jshim.engine.devices.DeviceRuleException e) {
            throw new CgroupException(e.getMessage(), e);
        }
    }

    @Override
    public void mkdir(Path dir) throws CgroupException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw CgroupException.op("mkdir", dir, e);
            }
        } catch (IOException e) {
            throw CgroupException.op("mkdir", dir, e);
        }
    }

    @Override
    public boolean rmdir(Path dir) throws CgroupException {
        try {
            // Files.delete on a directory is rmdir(2); cgroupfs removes the interface
            // files with it.
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw CgroupException.op("rmdir", dir, e);
        }
    }

    @Override
    public List<Path> subdirs(Path dir) throws CgroupException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(out::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw CgroupException.op("readdir", dir, e);
        }
        return out;
    }
}

package io.jshim.engine.plan;

import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The engine's end of the socketpair to jshim-init: frames out, frames in. */
public final class InitChannel implements AutoCloseable {
    private int fd;

    public InitChannel(int fd) {
        this.fd = fd;
    }

    public void send(byte[] bytes) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment seg = a.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
            Syscalls.writeFully(fd, seg);
        }
    }

    public void sendMessage(int tag) throws LinuxException {
        send(FrameWriter.frame(tag, new byte[0]));
    }

    /** Reads one frame; EOFException when jshim-init closed its end (it exited). */
    public InitMessage receive() throws IOException {
        byte[] header = readFully(SyncProtocol.HEADER_SIZE);
        int tag = (header[0] & 0xff) | (header[1] & 0xff) << 8;
        long len = (header[2] & 0xffL) | (header[3] & 0xffL) << 8 | (header[4] & 0xffL) << 16
                | (header[5] & 0xffL) << 24;
        if (len > SyncProtocol.MAX_FRAME) {
            throw new IOException("jshim-init sent a frame of " + len + " bytes (limit " + SyncProtocol.MAX_FRAME + ")");
        }
        return new InitMessage(tag, readFully((int) len));
    }

    /**
     * Like {@link #receive()}, but the header is read with recvmsg(2) so that an fd passed on
     * the frame's first byte (SCM_RIGHTS: MSG_SECCOMP_FD) is kept: it lands in {@code fdOut[0]}
     * (close-on-exec), or -1 when none came. A plain read(2) would drop it.
     */
    public InitMessage receive(int[] fdOut) throws IOException {
        fdOut[0] = -1;
        byte[] header = new byte[SyncProtocol.HEADER_SIZE];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(header.length);
            int off = 0;
            while (off < header.length) {
                io.jshim.engine.security.FdPassing.Received r = io.jshim.engine.security.FdPassing.receive(fd,
                        buf.asSlice(off), header.length - off);
                if (r.fd() >= 0) {
                    if (fdOut[0] >= 0) {
                        Syscalls.close(r.fd());
                    } else {
                        fdOut[0] = r.fd();
                    }
                }
                if (r.bytes() == 0) {
                    Syscalls.close(fdOut[0]);
                    fdOut[0] = -1;
                    throw new EOFException("jshim-init closed the sync socket");
                }
                off += r.bytes();
            }
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, header, 0, header.length);
        }
        int tag = (header[0] & 0xff) | (header[1] & 0xff) << 8;
        long len = (header[2] & 0xffL) | (header[3] & 0xffL) << 8 | (header[4] & 0xffL) << 16
                | (header[5] & 0xffL) << 24;
        if (len > SyncProtocol.MAX_FRAME) {
            throw new IOException("jshim-init sent a frame of " + len + " bytes (limit " + SyncProtocol.MAX_FRAME + ")");
        }
        return new InitMessage(tag, readFully((int) len));
    }

    private byte[] readFully(int n) throws IOException {
        byte[] out = new byte[n];
        if (n == 0) {
            return out;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(n);
            int off = 0;
            while (off < n) {
                int r = Syscalls.read(fd, buf.asSlice(off), n - off);
                if (r == 0) {
                    throw new EOFException("jshim-init closed the sync socket");
                }
                off += r;
            }
            MemorySegment.copy(buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0, n);
        }
        return out;
    }

    @Override
    public void close() {
        Syscalls.close(fd);
        fd = -1;
    }
}

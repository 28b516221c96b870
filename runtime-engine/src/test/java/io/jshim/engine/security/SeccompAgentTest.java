package io.jshim.engine.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.engine.EngineException;
import io.jshim.engine.linux.LinuxException;
import io.jshim.engine.linux.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompAgentTest {

    @Test
    void theProcessStateHasRuncsFieldsInRuncsOrder() {
        String json = new String(SeccompAgent.processState("c1", 4242, "/b", Map.of("b", "2", "a", "1"), "meta"),
                StandardCharsets.UTF_8);
        assertEquals("{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":4242,\"metadata\":\"meta\","
                + "\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,"
                + "\"bundle\":\"/b\",\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}}", json);
        String bare = new String(SeccompAgent.processState("c1", 7, "/b", null, null), StandardCharsets.UTF_8);
        assertEquals("{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":7,\"state\":{\"ociVersion\":"
                + "\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":7,\"bundle\":\"/b\"}}", bare);
    }

    @Test
    void anFdTravelsWithItsMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        Files.writeString(file, "passed");
        int[] pair = Syscalls.socketpair();
        int fd = Syscalls.open(file.toString(), Syscalls.O_RDONLY, 0);
        try (Arena a = Arena.ofConfined()) {
            FdPassing.send(pair[0], "hello".getBytes(StandardCharsets.UTF_8), fd);
            Syscalls.close(fd);
            MemorySegment buf = a.allocate(16);
            FdPassing.Received r = FdPassing.receive(pair[1], buf, 16);
            assertEquals(5, r.bytes());
            assertTrue(r.fd() >= 0);
            MemorySegment content = a.allocate(16);
            int n = Syscalls.read(r.fd(), content, 16);
            assertEquals("passed", new String(content.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.UTF_8));
            Syscalls.close(r.fd());
        } finally {
            Syscalls.close(pair[0]);
            Syscalls.close(pair[1]);
        }
    }

    @Test
    void theAgentGetsTheStateOverItsSocket(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("agent.sock");
        SeccompProfile profile = SeccompProfile.parse(io.jshim.engine.json.Json.MAPPER.readTree(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"" + sock + "\",\"syscalls\":[{\"names\":"
                        + "[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}")).orElseThrow();
        EngineException e = assertThrows(EngineException.class,
                () -> SeccompAgent.handOver(profile, 0, "c1", 1, "/b", null));
        assertEquals("linux.seccomp.listenerPath: cannot reach the seccomp agent: connect " + sock
                + ": no such file or directory", e.getMessage());

        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            int fd = Syscalls.open("/dev/null", Syscalls.O_RDONLY, 0);
            try {
                SeccompAgent.handOver(profile, fd, "c1", 99, "/b", null);
            } finally {
                Syscalls.close(fd);
            }
            try (SocketChannel c = server.accept()) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (c.read(b) > 0) {
                    // until the runtime closes its end
                }
                String got = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
                assertTrue(got.startsWith("{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":99,"), got);
            }
        }
    }

    @Test
    void tooLongASocketPathIsRefusedByName() {
        String p = "/" + "x".repeat(200);
        LinuxException e = assertThrows(LinuxException.class, () -> FdPassing.connect(p));
        assertTrue(e.getMessage().contains("longer than 107 bytes"), e.getMessage());
    }
}

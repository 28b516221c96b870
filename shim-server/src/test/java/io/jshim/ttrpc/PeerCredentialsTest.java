package io.jshim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jshim.testing.RootIntegration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SO_PEERCRED: root and our own uid may talk to the server, anybody else is cut off before the first frame. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCredentialsTest {

    @Test
    void defaultPolicy_admitsRootAndOurOwnUidOnly() {
        PeerCredentialsPolicy policy = PeerCredentialsPolicy.rootOrCurrentUser();
        assertTrue(policy.permits(new Peer(1, 0, 0)));
        assertTrue(policy.permits(new Peer(1, CurrentProcess.euid(), 12345)));
        int stranger = CurrentProcess.euid() == 65534 ? 65533 : 65534;
        assertFalse(policy.permits(new Peer(1, stranger, stranger)));
    }

    @Test
    void peerOfAnotherUser_isDisconnected_whileRootIsServed() throws Exception {
        RootIntegration.assumeEnabled();
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ttrpc-cred-");
        Path socket = dir.resolve("s.sock");
        TtrpcServer server = TtrpcServer.builder(new TestServices().registry()).build().start(socket);
        try {
            // let the other user reach the socket at all, so that only the credentials check can refuse it
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            byte[] echo = FrameCodecTest.encode(Frame.request(1,
                    TtrpcServerTest.request(TestServices.TEST, "Echo", "hi".getBytes()).toByteArray()));

            assertEquals("0", runClient(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    socket, echo), "nobody gets EOF instead of an answer");
            assertTrue(Integer.parseInt(runClient(List.of(), socket, echo)) > 0, "root gets an answer");
        } finally {
            server.close();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A perl client (perl-base is essential in Debian), as another user if {@code prefix} says so: sends
     * {@code frame} and prints how many bytes came back before EOF or the first 10.
     */
    private static String runClient(List<String> prefix, Path socket, byte[] frame) throws Exception {
        String script = """
                use IO::Socket::UNIX;
                my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die "connect: $!";
                $SIG{PIPE} = 'IGNORE';
                $SIG{ALRM} = sub { print "timeout\n"; exit 0 };
                alarm 10;
                syswrite($s, pack("H*", $ARGV[1]));
                my $got = "";
                while (length($got) < 10) {
                    my $n = sysread($s, my $chunk, 4096);
                    last if !$n;
                    $got .= $chunk;
                }
                print length($got), "\n";
                """;
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of("/usr/bin/perl", "-e", script, socket.toString(), HexFormat.of().formatHex(frame)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}

package io.jshim.ttrpc;

/**
 * Decides from SO_PEERCRED whether a peer may talk to the server. Go shims require the peer to have their
 * own uid and gid (ttrpc unixcreds_linux.go {@code UnixSocketRequireSameUser}, used by containerd's
 * runtime/v2/shim/shim_linux.go); jshim allows root or its own uid, the two users containerd runs as.
 */
@FunctionalInterface
public interface PeerCredentialsPolicy {

    boolean permits(Peer peer);

    /** Root, or the effective uid this JVM runs as. */
    static PeerCredentialsPolicy rootOrCurrentUser() {
        int self = CurrentProcess.euid();
        return peer -> peer.uid() == 0 || peer.uid() == self;
    }

    /** Every peer; for tests that connect as other users on purpose. */
    static PeerCredentialsPolicy anyone() {
        return peer -> true;
    }
}

package io.jshim.ttrpc;

/**
 * Who is on the other end of a unix socket, from SO_PEERCRED (netty: {@code EpollDomainSocketChannel.peerCredentials()}).
 *
 * @param pid the peer's process id when it connected
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 */
public record Peer(int pid, int uid, int gid) {
}

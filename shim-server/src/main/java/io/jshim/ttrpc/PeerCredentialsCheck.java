package io.jshim.ttrpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * First handler of an accepted connection: reads SO_PEERCRED, closes the connection if the
 * {@link PeerCredentialsPolicy} refuses the peer, and otherwise stores the {@link Peer} on the channel
 * and removes itself. ttrpc has no handshake bytes, so this check happens before the first frame is read
 * (Go: the server handshaker, ttrpc handshake.go / unixcreds_linux.go).
 */
final class PeerCredentialsCheck extends ChannelInboundHandlerAdapter {

    static final AttributeKey<Peer> PEER = AttributeKey.valueOf(PeerCredentialsCheck.class, "peer");

    private static final System.Logger LOG = System.getLogger(PeerCredentialsCheck.class.getName());

    private final PeerCredentialsPolicy policy;

    PeerCredentialsCheck(PeerCredentialsPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Peer peer;
        try {
            peer = peerOf((EpollDomainSocketChannel) ctx.channel());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "ttrpc: refusing connection, cannot read peer credentials", e);
            ctx.close();
            return;
        }
        if (!policy.permits(peer)) {
            LOG.log(Level.WARNING, "ttrpc: refusing connection from uid {0} (pid {1}): invalid credentials",
                    String.valueOf(peer.uid()), String.valueOf(peer.pid()));
            ctx.close();
            return;
        }
        ctx.channel().attr(PEER).set(peer);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    static Peer peerOf(EpollDomainSocketChannel channel) throws IOException {
        PeerCredentials credentials = channel.peerCredentials();
        int[] gids = credentials.gids();
        return new Peer(credentials.pid(), credentials.uid(), gids.length > 0 ? gids[0] : -1);
    }
}

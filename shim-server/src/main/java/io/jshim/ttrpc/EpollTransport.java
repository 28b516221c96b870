package io.jshim.ttrpc;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/** netty-epoll set-up shared by server and client: unix domain sockets need the native transport. */
public final class EpollTransport {

    private EpollTransport() {
    }

    /**
     * A new event loop group of {@code threads} epoll threads; daemon threads, so a forgotten group never
     * keeps the JVM alive.
     *
     * @throws UnsatisfiedLinkError with the cause if netty's epoll library cannot be loaded
     */
    public static EventLoopGroup newEventLoopGroup(int threads, String name) {
        Epoll.ensureAvailability();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                EpollIoHandler.newFactory());
    }
}

package io.jshim.ttrpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A ttrpc server on a unix domain socket (Go: ttrpc server.go {@code Server}).
 *
 * <pre>{@code
 * ServiceRegistry services = new ServiceRegistry()
 *         .register(taskService)                                  // containerd.task.v2.Task
 *         .register("containerd.task.v3.Task", taskService);      // same handlers, v3 name
 * TtrpcServer server = TtrpcServer.builder(services).build().start(socketPath);
 * ...
 * server.shutdown(Duration.ofSeconds(5));                         // drain calls in flight
 * }</pre>
 *
 * <p>Per connection the pipeline is {@link PeerCredentialsCheck}, {@link FrameDecoder}, {@link FrameEncoder},
 * {@link ServerDispatcher}. Handlers run on the worker executor: by default a virtual thread per call, so
 * blocking calls such as Task.Wait cost almost nothing while they wait.
 */
public final class TtrpcServer implements AutoCloseable {

    private static final FrameEncoder ENCODER = new FrameEncoder();

    private final ServiceRegistry services;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final PeerCredentialsPolicy peerPolicy;
    private final ServerConnections connections = new ServerConnections();
    private volatile Channel listener;
    private volatile Path socketPath;

    private TtrpcServer(Builder b) {
        this.services = b.services;
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? EpollTransport.newEventLoopGroup(b.ioThreads, "ttrpc-server") : b.group;
        this.ownsExecutor = b.executor == null;
        this.executor = ownsExecutor
                ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ttrpc-call-", 0).factory())
                : b.executor;
        this.peerPolicy = b.peerPolicy;
    }

    public static Builder builder(ServiceRegistry services) {
        return new Builder(services);
    }

    /**
     * Listens on {@code socket} (which must not exist yet) with mode 0600, as Go shims do
     * (containerd runtime/v2/shim/util_unix.go {@code NewSocket}).
     */
    public TtrpcServer start(Path socket) throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already listening on " + socketPath);
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline().addLast(
                                new PeerCredentialsCheck(peerPolicy),
                                new FrameDecoder(),
                                ENCODER,
                                new ServerDispatcher(services, executor, connections));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new DomainSocketAddress(socket.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IOException("ttrpc: listen on " + socket + ": " + bound.cause().getMessage(), bound.cause());
        }
        listener = bound.channel();
        socketPath = socket;
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return this;
    }

    public Path socketPath() {
        return socketPath;
    }

    public int connectionCount() {
        return connections.connectionCount();
    }

    public int callsInFlight() {
        return connections.callsInFlight();
    }

    /**
     * Graceful shutdown (Go: {@code Server.Shutdown}): stops accepting, removes the socket file, lets every
     * call in flight answer, closes each connection once it is idle, and waits up to {@code grace} for all
     * of that. Connections still busy after {@code grace} are closed and their handlers interrupted.
     *
     * @return true if every call finished within {@code grace}
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        closeListener();
        connections.snapshot().forEach(ServerDispatcher::drain);
        boolean drained = connections.awaitAllClosed(grace.toNanos());
        if (!drained) {
            connections.snapshot().forEach(ServerDispatcher::close);
            connections.awaitAllClosed(TimeUnit.SECONDS.toNanos(1));
        }
        releaseResources();
        return drained;
    }

    /** Immediate shutdown: closes the listener and every connection, interrupting handlers. */
    @Override
    public void close() {
        closeListener();
        connections.snapshot().forEach(ServerDispatcher::close);
        try {
            connections.awaitAllClosed(TimeUnit.SECONDS.toNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        releaseResources();
    }

    private void closeListener() {
        Channel l = listener;
        if (l != null) {
            // netty's EpollServerDomainSocketChannel removes the socket file when it closes
            l.close().awaitUninterruptibly();
        }
    }

    private void releaseResources() {
        if (ownsExecutor) {
            executor.shutdownNow();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    public static final class Builder {

        private final ServiceRegistry services;
        private EventLoopGroup group;
        private int ioThreads = 1;
        private ExecutorService executor;
        private PeerCredentialsPolicy peerPolicy = PeerCredentialsPolicy.rootOrCurrentUser();

        private Builder(ServiceRegistry services) {
            this.services = Objects.requireNonNull(services);
        }

        /** Event loops to use; not shut down by the server. Default: its own group of {@link #ioThreads}. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        /** Threads of the server's own event loop group (default 1: the shim is mostly idle). */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** Where handlers run; not shut down by the server. Default: a virtual thread per call. */
        public Builder executor(ExecutorService executor) {
            this.executor = executor;
            return this;
        }

        public Builder peerCredentialsPolicy(PeerCredentialsPolicy policy) {
            this.peerPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public TtrpcServer build() {
            return new TtrpcServer(this);
        }
    }
}

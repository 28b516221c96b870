package io.jshim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ttrpc client on a unix domain socket (Go: ttrpc client.go {@code Client}), e.g. the shim's connection
 * to containerd's {@code $TTRPC_ADDRESS}, or a test's connection to the shim.
 *
 * <p>It connects on first use and again after the connection drops. Failed connects are spaced out by
 * exponential backoff; a call that finds the client backing off waits for the next attempt if its
 * deadline allows and fails with UNAVAILABLE otherwise. Calls on one connection are multiplexed: any
 * number may be in flight at once. Each call has its own timeout, sent to the server as
 * {@code timeout_nano} and enforced here too.
 */
public final class TtrpcClient implements AutoCloseable {

    private static final FrameEncoder ENCODER = new FrameEncoder();

    private final Path socket;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Bootstrap bootstrap;
    private final Duration connectTimeout;
    private final ReentrantLock connectLock = new ReentrantLock();
    // guarded by connectLock
    private final Backoff backoff;
    private Channel channel;
    private ClientDispatcher dispatcher;
    private long nextAttemptNanos;
    private String lastConnectError;
    private volatile boolean closed;

    private TtrpcClient(Builder b) {
        this.socket = b.socket;
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? EpollTransport.newEventLoopGroup(1, "ttrpc-client") : b.group;
        this.connectTimeout = b.connectTimeout;
        this.backoff = new Backoff(b.initialBackoff, b.maxBackoff);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(), ENCODER, new ClientDispatcher());
                    }
                });
    }

    public static Builder builder(Path socket) {
        return new Builder(socket);
    }

    public Path socket() {
        return socket;
    }

    /**
     * Calls {@code service/method} with a raw payload and waits for the answer.
     *
     * @param timeout how long the call may take, or null for no deadline
     * @throws TtrpcException with the server's status, or UNAVAILABLE / DEADLINE_EXCEEDED from this side
     */
    public byte[] call(String service, String method, byte[] payload, Duration timeout) throws InterruptedException {
        return await(callAsync(service, method, payload, timeout, Map.of()));
    }

    /** Like {@link #call(String, String, byte[], Duration)}, with ttrpc metadata. */
    public byte[] call(String service, String method, byte[] payload, Duration timeout, Map<String, String> metadata)
            throws InterruptedException {
        return await(callAsync(service, method, payload, timeout, metadata));
    }

    /** Calls {@code service/method} with typed messages and waits for the answer. */
    public <R extends Message> R call(String service, String method, Message request, Parser<R> responseParser,
            Duration timeout) throws InterruptedException {
        byte[] response = call(service, method, request.toByteArray(), timeout);
        try {
            return responseParser.parseFrom(response);
        } catch (InvalidProtocolBufferException e) {
            throw new TtrpcException(Code.INTERNAL, "ttrpc: cannot parse " + method + " response: " + e.getMessage());
        }
    }

    /**
     * Starts a call and returns at once with its future. Connecting (if needed) happens on the calling
     * thread; the answer arrives on the event loop. The future fails with {@link TtrpcException}.
     *
     * @param metadata ttrpc metadata to send (e.g. {@code containerd-namespace-ttrpc})
     */
    public CompletableFuture<byte[]> callAsync(String service, String method, byte[] payload, Duration timeout,
            Map<String, String> metadata) {
        boolean hasDeadline = timeout != null;
        long deadline = hasDeadline ? System.nanoTime() + timeout.toNanos() : 0;
        PendingCall call = new PendingCall(Objects.requireNonNull(service), Objects.requireNonNull(method),
                Objects.requireNonNull(payload), Map.copyOf(metadata), hasDeadline, deadline);
        try {
            connection(call).send(call);
        } catch (TtrpcException e) {
            call.result.completeExceptionally(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.result.completeExceptionally(Errdefs.cancelled());
        }
        return call.result;
    }

    public boolean isConnected() {
        connectLock.lock();
        try {
            return channel != null && channel.isActive();
        } finally {
            connectLock.unlock();
        }
    }

    private ClientDispatcher connection(PendingCall call) throws InterruptedException {
        connectLock.lock();
        try {
            if (closed) {
                throw new TtrpcException(Code.UNAVAILABLE, ClientDispatcher.CLOSED);
            }
            if (channel != null && channel.isActive()) {
                return dispatcher;
            }
            long wait = nextAttemptNanos - System.nanoTime();
            if (wait > 0) {
                if (call.hasDeadline && call.remainingNanos() < wait) {
                    throw new TtrpcException(Code.UNAVAILABLE,
                            "ttrpc: not connected to " + socket + " (retrying after: " + lastConnectError + ")");
                }
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            ChannelFuture connected = bootstrap.connect(new DomainSocketAddress(socket.toString()));
            if (!connected.await(connectTimeout.toMillis() + 1000) || !connected.isSuccess()) {
                connected.cancel(false);
                connected.channel().close();
                Throwable cause = connected.cause();
                lastConnectError = cause != null ? cause.getMessage() : "connect timed out";
                nextAttemptNanos = System.nanoTime() + backoff.next().toNanos();
                throw new TtrpcException(Code.UNAVAILABLE, "ttrpc: dial " + socket + ": " + lastConnectError, cause);
            }
            backoff.reset();
            nextAttemptNanos = 0;
            channel = connected.channel();
            dispatcher = channel.pipeline().get(ClientDispatcher.class);
            return dispatcher;
        } finally {
            connectLock.unlock();
        }
    }

    /** Drops the current connection (calls in flight fail with "ttrpc: closed"); the next call reconnects. */
    public void disconnect() {
        Channel c;
        connectLock.lock();
        try {
            c = channel;
            channel = null;
        } finally {
            connectLock.unlock();
        }
        if (c != null) {
            c.close().awaitUninterruptibly();
        }
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static byte[] await(CompletableFuture<byte[]> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TtrpcException t) {
                throw new TtrpcException(t.code(), t.getMessage(), t);
            }
            throw new TtrpcException(Code.UNKNOWN, String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(false);
            throw e;
        }
    }

    public static final class Builder {

        private final Path socket;
        private EventLoopGroup group;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration initialBackoff = Duration.ofMillis(50);
        private Duration maxBackoff = Duration.ofSeconds(2);

        private Builder(Path socket) {
            this.socket = Objects.requireNonNull(socket);
        }

        /** Event loops to use; not shut down by the client. Default: its own one-thread group. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Delays between failed connects: from {@code initial}, doubling, up to {@code max}. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.initialBackoff = Objects.requireNonNull(initial);
            this.maxBackoff = Objects.requireNonNull(max);
            return this;
        }

        public TtrpcClient build() {
            return new TtrpcClient(this);
        }
    }
}

package io.jshim.shim.metrics;

import io.jshim.ttrpc.EpollTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The metrics endpoint: Prometheus text over a minimal HTTP/1.0 on a unix socket (netty-epoll, one
 * thread). {@code GET /metrics} (or {@code /}) answers 200 with the scrape and closes the connection;
 * another path 404, another method 405, a request head over 8 KiB 431. Scrape it with
 * {@code curl --unix-socket <socket> http://localhost/metrics}. The socket is mode 0600 (root scrapes),
 * as the shim's own sockets.
 */
public final class MetricsServer implements AutoCloseable {

    static final int MAX_HEAD = 8192;
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final EventLoopGroup group;
    private final Channel listener;
    private final Path socket;

    private MetricsServer(EventLoopGroup group, Channel listener, Path socket) {
        this.group = group;
        this.listener = listener;
        this.socket = socket;
    }

    /**
     * Listens on {@code socket}. A socket file nobody listens on (left by a dead daemon) is replaced; one
     * another process serves is an IOException (two daemons configured with one path).
     */
    public static MetricsServer start(Path socket, Supplier<String> scrape) throws IOException {
        Path parent = socket.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (Files.exists(socket)) {
            if (listening(socket)) {
                throw new IOException("metrics socket " + socket + " is served by another process (give each shim "
                        + "daemon its own: put {group} in [metrics] socket)");
            }
            Files.delete(socket);
        }
        EventLoopGroup group = EpollTransport.newEventLoopGroup(1, "jshim-metrics");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline().addLast(new HttpHandler(scrape));
                    }
                });
        ChannelFuture bound = b.bind(new DomainSocketAddress(socket.toString())).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("metrics: listen on " + socket + ": " + bound.cause().getMessage(), bound.cause());
        }
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return new MetricsServer(group, bound.channel(), socket);
    }

    private static boolean listening(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
    }

    /** Stops listening (netty removes the socket file) and ends the event loop. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One request per connection: reads the head, answers, closes. */
    static final class HttpHandler extends ChannelInboundHandlerAdapter {
        private final Supplier<String> scrape;
        private final StringBuilder head = new StringBuilder();
        private boolean answered;

        HttpHandler(Supplier<String> scrape) {
            this.scrape = scrape;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (answered) {
                    return;
                }
                head.append(in.toString(StandardCharsets.ISO_8859_1));
            } finally {
                in.release();
            }
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                end = head.indexOf("\n\n");
            }
            if (end < 0) {
                if (head.length() > MAX_HEAD) {
                    answer(ctx, 431, "Request Header Fields Too Large", "request head too large\n");
                }
                return;
            }
            String[] requestLine = head.substring(0, head.indexOf("\n")).strip().split(" ");
            if (requestLine.length < 2) {
                answer(ctx, 400, "Bad Request", "bad request line\n");
            } else if (!requestLine[0].equals("GET") && !requestLine[0].equals("HEAD")) {
                answer(ctx, 405, "Method Not Allowed", "only GET\n");
            } else {
                String path = requestLine[1];
                int q = path.indexOf('?');
                path = q < 0 ? path : path.substring(0, q);
                if (path.equals("/metrics") || path.equals("/")) {
                    String body;
                    try {
                        body = scrape.get();
                    } catch (RuntimeException e) {
                        answer(ctx, 500, "Internal Server Error", "scrape failed: " + e.getMessage() + "\n");
                        return;
                    }
                    answer(ctx, 200, "OK", requestLine[0].equals("HEAD") ? null : body);
                } else {
                    answer(ctx, 404, "Not Found", "not found: try /metrics\n");
                }
            }
        }

        private void answer(ChannelHandlerContext ctx, int code, String reason, String body) {
            answered = true;
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String h = "HTTP/1.0 " + code + " " + reason + "\r\nContent-Type: "
                    + (code == 200 ? CONTENT_TYPE : "text/plain; charset=utf-8") + "\r\nContent-Length: " + b.length
                    + "\r\nConnection: close\r\n\r\n";
            ByteBuf out = Unpooled.wrappedBuffer(h.getBytes(StandardCharsets.ISO_8859_1), b);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

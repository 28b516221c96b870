package io.jshim.ttrpc.bench;

import io.jshim.proto.containerd.task.v2.ConnectRequest;
import io.jshim.proto.containerd.task.v2.ConnectResponse;
import io.jshim.ttrpc.EpollTransport;
import io.jshim.ttrpc.ServiceDefinition;
import io.jshim.ttrpc.ServiceRegistry;
import io.jshim.ttrpc.TtrpcClient;
import io.jshim.ttrpc.TtrpcServer;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests per second and latency of a small unary ttrpc call (task v2 Connect: ~10-byte request,
 * ~10-byte response) against our own server on a loopback unix socket, over 1 and over 8 connections.
 * Each connection has a number of callers in a closed loop (a caller sends its next call when the last
 * one answered). Bounded: every scenario stops after its duration or its request cap, whichever is first.
 *
 * <p>Run with {@code shim-server/bench.sh [seconds-per-scenario]}. Not a test: numbers depend on the
 * machine and on what else runs, so compare only within one run.
 */
public final class TtrpcBench {

    private static final int MAX_REQUESTS_PER_SCENARIO = 3_000_000;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    record Scenario(int connections, int callersPerConnection) {
    }

    record Result(Scenario scenario, long requests, double seconds, long p50Nanos, long p99Nanos, long maxNanos) {
        double rps() {
            return requests / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Duration measure = Duration.ofMillis((long) (seconds * 1000));
        Duration warmup = Duration.ofMillis(Math.max(1000, measure.toMillis() / 2));
        List<Scenario> scenarios = List.of(
                new Scenario(1, 1), new Scenario(8, 1),
                new Scenario(1, 8), new Scenario(8, 8));

        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ttrpc-bench-");
        Path socket = dir.resolve("bench.sock");
        ServiceDefinition task = ServiceDefinition.builder("containerd.task.v2.Task")
                .unary("Connect", ConnectRequest.parser(), (call, request) -> ConnectResponse.newBuilder()
                        .setShimPid(4242).setTaskPid(4321).build())
                .build();
        EventLoopGroup clientLoops = EpollTransport.newEventLoopGroup(2, "bench-client");
        // the server as the shim runs it: one event loop thread, a virtual thread per call
        TtrpcServer server = TtrpcServer.builder(new ServiceRegistry().register(task)).build().start(socket);
        try {
            System.out.printf(Locale.ROOT, "ttrpc unary Connect over a unix socket; %d cpus; %s; %.1f s per scenario%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), seconds);
            run(new Scenario(1, 1), socket, clientLoops, warmup); // JIT warm-up, not reported
            List<Result> results = new ArrayList<>();
            for (Scenario scenario : scenarios) {
                run(scenario, socket, clientLoops, warmup);
                results.add(run(scenario, socket, clientLoops, measure));
            }
            System.out.println();
            System.out.println("| connections | callers per connection | requests/s | p50 latency | p99 latency | max |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "| %d | %d | %,.0f | %.1f µs | %.1f µs | %.1f ms |%n",
                        r.scenario().connections(), r.scenario().callersPerConnection(), r.rps(),
                        r.p50Nanos() / 1e3, r.p99Nanos() / 1e3, r.maxNanos() / 1e6);
            }
        } finally {
            server.close();
            clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        }
    }

    private static Result run(Scenario scenario, Path socket, EventLoopGroup loops, Duration duration)
            throws Exception {
        List<TtrpcClient> clients = new ArrayList<>();
        for (int i = 0; i < scenario.connections(); i++) {
            TtrpcClient client = TtrpcClient.builder(socket).eventLoopGroup(loops).build();
            client.call("containerd.task.v2.Task", "Connect", new byte[0], CALL_TIMEOUT); // connect up front
            clients.add(client);
        }
        int callers = scenario.connections() * scenario.callersPerConnection();
        int capPerCaller = MAX_REQUESTS_PER_SCENARIO / callers;
        long[][] latencies = new long[callers][];
        int[] counts = new int[callers];
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(callers);
        byte[] request = ConnectRequest.newBuilder().setId("bench-task").build().toByteArray();

        long started = System.nanoTime();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            TtrpcClient client = clients.get(c % scenario.connections());
            latencies[caller] = new long[capPerCaller];
            Thread.ofVirtual().start(() -> {
                try {
                    long[] mine = latencies[caller];
                    int n = 0;
                    while (n < mine.length && !stop.get()) {
                        long t0 = System.nanoTime();
                        client.call("containerd.task.v2.Task", "Connect", request, CALL_TIMEOUT);
                        mine[n++] = System.nanoTime() - t0;
                    }
                    counts[caller] = n;
                } catch (Exception e) {
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(duration.toMillis(), TimeUnit.MILLISECONDS);
        stop.set(true);
        done.await();
        double seconds = (System.nanoTime() - started) / 1e9;
        clients.forEach(TtrpcClient::close);

        long total = Arrays.stream(counts).asLongStream().sum();
        long[] all = new long[(int) total];
        int at = 0;
        for (int c = 0; c < callers; c++) {
            System.arraycopy(latencies[c], 0, all, at, counts[c]);
            at += counts[c];
        }
        Arrays.sort(all);
        return new Result(scenario, total, seconds, percentile(all, 0.50), percentile(all, 0.99),
                all.length == 0 ? 0 : all[all.length - 1]);
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}

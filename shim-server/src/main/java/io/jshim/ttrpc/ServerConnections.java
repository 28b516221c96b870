package io.jshim.ttrpc;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The live connections and calls of one {@link TtrpcServer}, for graceful shutdown and for metrics. */
final class ServerConnections {

    private final Set<ServerDispatcher> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private final Object lock = new Object();

    void opened(ServerDispatcher connection) {
        open.add(connection);
    }

    void closed(ServerDispatcher connection) {
        open.remove(connection);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    void callStarted() {
        callsInFlight.incrementAndGet();
    }

    void callFinished() {
        callsInFlight.decrementAndGet();
    }

    int connectionCount() {
        return open.size();
    }

    int callsInFlight() {
        return callsInFlight.get();
    }

    Set<ServerDispatcher> snapshot() {
        return Set.copyOf(open);
    }

    /** Waits until every connection has closed or {@code nanos} have passed; true if all closed. */
    boolean awaitAllClosed(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }
}

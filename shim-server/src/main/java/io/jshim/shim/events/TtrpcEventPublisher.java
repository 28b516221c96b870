package io.jshim.shim.events;

import com.google.protobuf.Message;
import io.jshim.proto.containerd.services.events.ttrpc.v1.Envelope;
import io.jshim.proto.containerd.services.events.ttrpc.v1.ForwardRequest;
import io.jshim.ttrpc.Backoff;
import io.jshim.ttrpc.Code;
import io.jshim.ttrpc.TtrpcClient;
import io.jshim.ttrpc.TtrpcException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes task events to containerd through {@code containerd.services.events.ttrpc.v1.Events/Forward}
 * (Go: containerd runtime/v2/shim/publisher.go {@code RemoteEventsPublisher}).
 *
 * <p>Events wait in one bounded FIFO queue and a single sender forwards them one at a time, so containerd
 * sees them in the order they were published (create before start before exit, shim-v2-protocol.md §4.2).
 * Unlike the Go publisher, which requeues a failed event behind later ones, a failed event is retried in
 * place: while containerd is unreachable (UNAVAILABLE, DEADLINE_EXCEEDED) the sender backs off and tries
 * the same event again, until it is delivered or older than {@link PublisherOptions#maxEventAge()}. An
 * event containerd rejects with any other code is logged and dropped, since sending it again cannot help.
 */
public final class TtrpcEventPublisher implements EventPublisher {

    public static final String SERVICE = "containerd.services.events.ttrpc.v1.Events";
    public static final String METHOD = "Forward";
    /** containerd's namespace header on ttrpc (containerd namespaces/ttrpc.go). */
    public static final String NAMESPACE_METADATA = "containerd-namespace-ttrpc";

    private static final System.Logger LOG = System.getLogger(TtrpcEventPublisher.class.getName());
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);

    private record Queued(Envelope envelope, long publishedNanos) {
    }

    private final TtrpcClient client;
    private final boolean ownsClient;
    private final PublisherOptions options;
    private final InstantSource clock;
    private final BlockingQueue<Queued> queue;
    private final Thread sender;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object progress = new Object();
    private long unfinished; // guarded by progress: accepted and neither forwarded nor dropped yet
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile long drainDeadlineNanos;

    public TtrpcEventPublisher(TtrpcClient client, PublisherOptions options) {
        this(client, false, options, InstantSource.system());
    }

    /** A publisher that stamps envelopes with {@code clock} instead of the system clock. */
    public TtrpcEventPublisher(TtrpcClient client, PublisherOptions options, InstantSource clock) {
        this(client, false, options, clock);
    }

    private TtrpcEventPublisher(TtrpcClient client, boolean ownsClient, PublisherOptions options,
            InstantSource clock) {
        this.client = Objects.requireNonNull(client);
        this.ownsClient = ownsClient;
        this.options = Objects.requireNonNull(options);
        this.clock = Objects.requireNonNull(clock);
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.sender = Thread.ofVirtual().name("jshim-events").start(this::sendLoop);
    }

    /** A publisher with its own client on containerd's ttrpc socket ({@code $TTRPC_ADDRESS}). */
    public static TtrpcEventPublisher connect(Path ttrpcAddress, PublisherOptions options) {
        TtrpcClient client = TtrpcClient.builder(ttrpcAddress)
                .reconnectBackoff(options.initialBackoff(), options.maxBackoff())
                .build();
        return new TtrpcEventPublisher(client, true, options, InstantSource.system());
    }

    @Override
    public boolean publish(String namespace, String topic, Message event) {
        // stamped when it happened, not when delivered: this is the time containerd reports for it
        Envelope envelope = Envelopes.envelope(clock.instant(), namespace, topic, event);
        synchronized (progress) {
            if (closing) {
                LOG.log(Level.WARNING, "events: publisher closed, dropping {0}", topic);
                dropped.incrementAndGet();
                return false;
            }
            if (!queue.offer(new Queued(envelope, System.nanoTime()))) {
                LOG.log(Level.ERROR, "events: queue full ({0}), dropping {1}",
                        String.valueOf(options.queueCapacity()), topic);
                dropped.incrementAndGet();
                return false;
            }
            unfinished++;
        }
        return true;
    }

    /** Events containerd has accepted. */
    public long forwardedCount() {
        return forwarded.get();
    }

    /** Events given up on: refused when queued, rejected by containerd, or too old to deliver. */
    public long droppedCount() {
        return dropped.get();
    }

    private void sendLoop() {
        Queued current = null;
        try {
            while (true) {
                current = queue.take();
                deliver(current);
                current = null;
                synchronized (progress) {
                    unfinished--;
                    progress.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // close() gave up waiting; what is left is lost, as in Go after its 5 s
            if (current != null) {
                dropped.incrementAndGet();
            }
        }
    }

    private void deliver(Queued event) throws InterruptedException {
        Envelope envelope = event.envelope();
        byte[] request = ForwardRequest.newBuilder().setEnvelope(envelope).build().toByteArray();
        Map<String, String> metadata = Map.of(NAMESPACE_METADATA, envelope.getNamespace());
        Backoff backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        int attempts = 0;
        while (true) {
            long age = System.nanoTime() - event.publishedNanos();
            if (age > options.maxEventAge().toNanos() || (closing && System.nanoTime() - drainDeadlineNanos > 0)) {
                LOG.log(Level.ERROR, "events: evicting {0} after {1} ms undelivered", envelope.getTopic(),
                        String.valueOf(TimeUnit.NANOSECONDS.toMillis(age)));
                dropped.incrementAndGet();
                return;
            }
            try {
                attempts++;
                client.call(SERVICE, METHOD, request, options.forwardTimeout(), metadata);
                forwarded.incrementAndGet();
                if (attempts > 1) {
                    // e.g. an exit while containerd was restarting: worth a line, since containerd 2.x does
                    // not log forwarded events
                    LOG.log(Level.INFO, "events: forwarded {0} in namespace {1} after {2} attempts, {3} ms late",
                            envelope.getTopic(), envelope.getNamespace(), String.valueOf(attempts),
                            String.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - event.publishedNanos())));
                }
                return;
            } catch (TtrpcException e) {
                if (!isTransient(e.code())) {
                    LOG.log(Level.ERROR, "events: containerd rejected {0}: {1}", envelope.getTopic(), e.toString());
                    dropped.incrementAndGet();
                    return;
                }
                LOG.log(Level.DEBUG, "events: forward {0} failed, retrying: {1}", envelope.getTopic(), e.toString());
            }
            Thread.sleep(backoff.next());
        }
    }

    private static boolean isTransient(Code code) {
        return code == Code.UNAVAILABLE || code == Code.DEADLINE_EXCEEDED;
    }

    /** Waits up to 5 s for queued events to go out, then stops (Go shims wait as long on exit). */
    @Override
    public void close() {
        close(DEFAULT_DRAIN);
    }

    /**
     * Refuses new events, waits up to {@code drain} for the queued ones to be delivered, then stops; what
     * is still queued then counts as dropped. Later calls do nothing.
     */
    public void close(Duration drain) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + drain.toNanos();
        try {
            synchronized (progress) {
                drainDeadlineNanos = deadline; // before closing: the sender reads them in the other order
                closing = true;
                while (unfinished > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sender.interrupt();
            try {
                sender.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int lost = queue.size();
            if (lost > 0) {
                queue.clear();
                dropped.addAndGet(lost);
                LOG.log(Level.ERROR, "events: closed with {0} events undelivered", String.valueOf(lost));
            }
            if (ownsClient) {
                client.close();
            }
        }
    }
}

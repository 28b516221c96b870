package io.jshim.shim.metrics;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jshim.proto.containerd.task.v2.StartRequest;
import io.jshim.shim.events.EventPublisher;
import io.jshim.shim.task.TaskCore;
import io.jshim.ttrpc.MethodHandler;
import io.jshim.ttrpc.ServiceDefinition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/**
 * The daemon's metrics (design.md §5), in a micrometer Prometheus registry; created only when the config
 * file names a metrics socket, so that a daemon without one never loads micrometer. What it measures:
 * <ul>
 *   <li>{@code jshim_tasks} and {@code jshim_tasks_running}: tasks the daemon holds, and those running;</li>
 *   <li>{@code jshim_task_starts_total}, {@code jshim_execs_total}: successful Starts of a task's init
 *       and of an exec;</li>
 *   <li>{@code jshim_rpc_seconds{method, status}}: latency of each Task RPC (v2 and v3 together),
 *       {@code status} = ok or error;</li>
 *   <li>{@code jshim_events_total{topic}}: events published to containerd (exits, OOMs, ...);</li>
 *   <li>the JVM's memory ({@code jvm_memory_used_bytes} and the rest of micrometer's JvmMemoryMetrics).</li>
 * </ul>
 */
public final class ShimMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter taskStarts;
    private final Counter execStarts;

    public ShimMetrics() {
        taskStarts = Counter.builder("jshim.task.starts").description("tasks started").register(registry);
        execStarts = Counter.builder("jshim.execs").description("exec processes started").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
    }

    /** Registers the task gauges of {@code core} (made after the publisher this class instruments). */
    public ShimMetrics bind(TaskCore core) {
        Gauge.builder("jshim.tasks", core, TaskCore::taskCount).description("tasks held by this shim daemon")
                .register(registry);
        Gauge.builder("jshim.tasks.running", core, TaskCore::runningCount).description("tasks whose init runs")
                .register(registry);
        return this;
    }

    /** Prometheus text exposition format 0.0.4. */
    public String scrape() {
        return registry.scrape();
    }

    /** The same service, each method timed (and Start counted). */
    public ServiceDefinition instrument(ServiceDefinition service) {
        ServiceDefinition.Builder b = ServiceDefinition.builder(service.name());
        for (Map.Entry<String, MethodHandler> m : service.methods().entrySet()) {
            String method = m.getKey();
            MethodHandler h = m.getValue();
            Timer ok = Timer.builder("jshim.rpc").description("Task RPC latency").tag("method", method)
                    .tag("status", "ok").register(registry);
            Timer failed = Timer.builder("jshim.rpc").description("Task RPC latency").tag("method", method)
                    .tag("status", "error").register(registry);
            b.raw(method, (call, request) -> {
                long t0 = System.nanoTime();
                try {
                    byte[] response = h.handle(call, request);
                    ok.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
                    if (method.equals("Start")) {
                        countStart(request);
                    }
                    return response;
                } catch (Exception | Error e) {
                    failed.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
                    throw e;
                }
            });
        }
        return b.build();
    }

    private void countStart(byte[] request) {
        try {
            (StartRequest.parseFrom(request).getExecId().isEmpty() ? taskStarts : execStarts).increment();
        } catch (InvalidProtocolBufferException e) {
            // the handler parsed it already
        }
    }

    /** The same publisher, counting events by topic. */
    public EventPublisher instrument(EventPublisher publisher) {
        return new EventPublisher() {
            @Override
            public boolean publish(String namespace, String topic, Message event) {
                registry.counter("jshim.events", "topic", topic).increment();
                return publisher.publish(namespace, topic, event);
            }

            @Override
            public void close() {
                publisher.close();
            }
        };
    }
}

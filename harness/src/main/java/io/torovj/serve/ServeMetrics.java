package io.torovj.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * The server's metrics, in a registry of its own, exposed in the Prometheus text format:
 * invocations by ending, errors by kind, invocation latency, pool occupancy, VM exits and
 * syscalls per transport.
 */
public final class ServeMetrics {
    /** Latency buckets from 10 µs to ~10 s: a warm invocation is µs to ms, a cold one ms, a limit seconds. */
    private static final double[] LATENCY_BOUNDS = {
        10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3,
        500e-3, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter invocations = Counter.builder().name("torovj_invocations_total")
            .help("Invocations that ran, by function and how the guest ended").labelNames("function", "ending")
            .register(registry);
    private final Counter errors = Counter.builder().name("torovj_invocation_errors_total")
            .help("Invocations that failed or were refused, by function and kind").labelNames("function", "kind")
            .register(registry);
    private final Histogram latency = Histogram.builder().name("torovj_invocation_duration_seconds")
            .help("Invocation latency inside the monitor: queueing, run and output collection")
            .labelNames("function").classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
    private final Counter vmExits = Counter.builder().name("torovj_vm_exits_total")
            .help("VM exits that reached the monitor, by transport").labelNames("transport").register(registry);
    private final Counter syscalls = Counter.builder().name("torovj_syscalls_total")
            .help("System calls the monitor executed for served guests, by transport").labelNames("transport")
            .register(registry);
    private final Counter vmsBuilt = Counter.builder().name("torovj_pool_vms_built_total")
            .help("Pooled VMs built (ahead of the first invocation, and to replace one that was not reset)")
            .labelNames("function").register(registry);
    private final Counter vmsReset = Counter.builder().name("torovj_pool_vm_resets_total")
            .help("Pooled VMs reset in place after an invocation (guest RAM from its image, registers, fds)")
            .labelNames("function").register(registry);

    /** Pool occupancy read from {@code pools} at every scrape: ready, busy and queued per function. */
    public ServeMetrics(Supplier<Collection<FunctionPool>> pools) {
        GaugeWithCallback.builder().name("torovj_pool_vms").help("Pooled VMs by function and state (ready, busy)")
                .labelNames("function", "state").callback(cb -> {
                    for (FunctionPool p : pools.get()) {
                        cb.call(p.ready(), p.name(), "ready");
                        cb.call(p.busy(), p.name(), "busy");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("torovj_queued_invocations").help("Invocations waiting for a VM, by function")
                .labelNames("function").callback(cb -> {
                    for (FunctionPool p : pools.get()) cb.call(p.queued(), p.name());
                }).register(registry);
    }

    void ran(FunctionDefinition def, InvocationResult r) {
        invocations.labelValues(def.name(), r.ending().name()).inc();
        if (!r.exited()) errors.labelValues(def.name(), r.ending().name().toLowerCase(java.util.Locale.ROOT)).inc();
        latency.labelValues(def.name()).observe((r.queueNanos() + r.runNanos()) / 1e9);
        vmExits.labelValues(def.transport()).inc(r.vcpuExits());
        syscalls.labelValues(def.transport()).inc(r.syscalls());
    }

    void refused(String function, String kind) {
        errors.labelValues(function, kind).inc();
    }

    void built(FunctionDefinition def) {
        vmsBuilt.labelValues(def.name()).inc();
    }

    void reset(FunctionDefinition def) {
        vmsReset.labelValues(def.name()).inc();
    }

    /** The content type of {@link #write}'s output. */
    public String contentType() { return writer.getContentType(); }

    /** Writes every metric in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}

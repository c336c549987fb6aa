package io.torovj.vmm;

import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestLayout;
import io.torovj.boot.IoPermissionBitmap;
import io.torovj.kvm.Vcpu;
import io.torovj.lifecycle.Ending;
import io.torovj.loader.ElfLoadException;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportRegistry;
import java.util.Deque;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;

/**
 * One VM, built by {@link VmBuilder} and ready at its program's entry point. {@link #run()}
 * runs it to the end on the thread that built it (which is the vCPU's thread); {@link #close()}
 * releases everything it owns, in reverse order of construction.
 */
public final class Vm implements AutoCloseable {
    /** How often the CPU-time limit is checked: the limit may be overrun by about this much. */
    private static final long CPU_CHECK_MILLIS = 20;

    private final VmConfig config;
    private final GuestMemory memory;
    private final Vcpu vcpu;
    private final SyscallTransport transport;
    private final VcpuControl control;
    private final VcpuLoop loop;
    private final DebugHook debug;
    private final FaultReportDevice faultReports;
    private final SyscallDispatcher dispatcher;
    private final long latencyBuffer;
    private final Deque<AutoCloseable> closers;
    private final DeviceBus<PortIoDevice> ports;
    private final SyscallEntryDevice syscallEntry;
    private final Thread vcpuThread = Thread.currentThread();
    private final long createdNanos;
    /** Null unless the VM was built reusable. */
    private final VmReset reset;
    private final Runnable wakeHostCalls;
    /** The build's steps for the first run's result; empty once the VM has been reset. */
    private Map<String, Long> buildNanos;
    private long runStartNanos;
    private boolean ran, closed;

    Vm(VmConfig config, GuestMemory memory, Vcpu vcpu, SyscallTransport transport, VcpuControl control, VcpuLoop loop,
       DebugHook debug, FaultReportDevice faultReports, SyscallDispatcher dispatcher, long latencyBuffer,
       Deque<AutoCloseable> closers, long createdNanos, Map<String, Long> buildNanos, DeviceBus<PortIoDevice> ports,
       SyscallEntryDevice syscallEntry, VmReset reset, Runnable wakeHostCalls) {
        this.buildNanos = buildNanos;
        this.reset = reset;
        this.wakeHostCalls = wakeHostCalls;
        this.runStartNanos = createdNanos;
        this.ports = ports;
        this.syscallEntry = syscallEntry;
        this.createdNanos = createdNanos;
        this.config = config;
        this.memory = memory;
        this.vcpu = vcpu;
        this.transport = transport;
        this.control = control;
        this.loop = loop;
        this.debug = debug;
        this.faultReports = faultReports;
        this.dispatcher = dispatcher;
        this.latencyBuffer = latencyBuffer;
        this.closers = closers;
    }

    /**
     * Writes this VM's {@link BootImage}: what its build produced, for a C VMM to replay. Only
     * before the first run, on the thread that built it.
     */
    public void writeBootImage(java.nio.file.Path file) throws java.io.IOException {
        if (ran) throw new IllegalStateException("a boot image is what the build produced: this VM has run");
        BootImage.write(memory, vcpu, file);
    }

    /** Builds, runs and closes {@code config}'s VM: the command line's one-shot path. */
    public static VmResult run(VmConfig config) throws ElfLoadException {
        return run(config, TransportRegistry.load(), null);
    }

    /** Builds, runs and closes {@code config}'s VM with a debugger ({@code debugger} null: none). */
    public static VmResult run(VmConfig config, TransportRegistry transports, DebugHook.Factory debugger)
            throws ElfLoadException {
        try (Vm vm = VmBuilder.build(config, transports, debugger)) {
            return vm.run();
        }
    }

    /**
     * Runs the guest until it exits, faults or is stopped, on the thread that built the VM: once,
     * or again after each {@link #reset()}. The result's time counts from the build for the first
     * run, from the run's start for later ones.
     */
    public VmResult run() {
        if (Thread.currentThread() != vcpuThread) throw new IllegalStateException("a VM runs on the thread that built it");
        if (ran || closed) throw new IllegalStateException("this VM has already run");
        ran = true;
        Timer watchdog = startWatchdog();
        try {
            transport.start();
            loop.run();
        } finally {
            if (watchdog != null) watchdog.cancel();
            transport.stop();           // stops (parks) pollers before the vCPU goes away or is reset
            control.unbind();
            dispatcher.logSummary();
            if (debug != null) debug.onEnd(control.ending(), control.status(), control.report());
        }
        long nanos = System.nanoTime() - runStartNanos;
        int capacity = config.latencySamples();
        return new VmResult(control.ending(), control.status(), control.report(), faultReports.fault(), loop.exits(),
                dispatcher.calls(), LatencyBuffer.samples(memory, latencyBuffer, capacity),
                LatencyBuffer.dropped(memory, latencyBuffer, capacity), nanos, memory.residentBytes(), counters(),
                dispatcher.unimplementedSummary(), buildNanos);
    }

    /**
     * Returns the VM, after a run, to the state its build ended in, keeping its KVM VM, vCPU,
     * memory slot, doorbells and poller thread: guest RAM from its image (nothing written in
     * the run survives), fresh AT_RANDOM bytes, every register, the fd table (the guest's own
     * fds closed), heap, counters and stop. Then {@link #run()} may be called again. Only for a
     * VM built {@link VmConfig#reusable()}, on its thread, and only once nothing can stop the last
     * run any more; a VM whose run ended other than by the guest's exit should be closed instead
     * (its guest may have left a host call behind).
     */
    public void reset() {
        if (Thread.currentThread() != vcpuThread) throw new IllegalStateException("a VM is reset on the thread that built it");
        if (reset == null) throw new IllegalStateException("this VM was not built reusable");
        if (closed) throw new IllegalStateException("this VM is closed");
        if (!ran) return;
        reset.apply();
        loop.rewind();
        control.rearm(vcpu, vcpuThread, wakeHostCalls);
        runStartNanos = System.nanoTime();
        buildNanos = Map.of();      // a run after a reset has no build of its own
        ran = false;
    }

    /** How many times {@link #reset()} returned this VM to its built state. */
    public long resets() { return reset == null ? 0 : reset.resets(); }

    /** The transport's counters, and the syscall instruction's (traps, patched sites) where it was used. */
    private java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> entry = syscallEntry.counters();
        if (entry.isEmpty()) return transport.counters();
        java.util.Map<String, Long> all = new java.util.TreeMap<>(transport.counters());
        all.putAll(entry);
        return java.util.Collections.unmodifiableMap(all);
    }

    /**
     * Ends the guest from any thread, as the policy's limits do: a server's per-invocation
     * deadline or a drain. The run ends with {@code ending} and {@code why} as its report; a stop
     * before {@link #run()} makes the run end at once; after the end it does nothing.
     */
    public void stop(Ending ending, String why) {
        control.stop(ending, why);
    }

    /**
     * True if the guest's code may execute an {@code in}/{@code out} of {@code size} bytes at
     * {@code port}: decided from the TSS I/O bitmap in guest memory, as the CPU decides it.
     */
    public boolean grantsPort(int port, int size) {
        return IoPermissionBitmap.allowedByTss(memory, GuestLayout.TSS, DescriptorTables.TSS_LIMIT, port, size);
    }

    /** The ports devices claim on the VM's port bus, and whether each is granted to user code. */
    public java.util.List<DeviceBus.Range<PortIoDevice>> claimedPorts() { return ports.ranges(); }

    /** Enforces the policy's wall-clock and CPU-time limits from a timer thread; null if it has none. */
    private Timer startWatchdog() {
        var limits = config.policy().limits();
        if (limits.wallClock().isEmpty() && limits.cpuTime().isEmpty()) return null;
        long cpuAtStart = vcpu.cpuNanos();      // per run: a pooled VM's vCPU has run before
        int run = control.run();
        Timer timer = new Timer("torovj-watchdog", true);
        limits.wallClock().ifPresent(limit -> timer.schedule(new TimerTask() {
            @Override
            public void run() {
                control.stopRun(run, Ending.TIME_LIMIT, "wall-clock limit of " + limit.toMillis() + " ms reached");
            }
        }, limit.toMillis()));
        limits.cpuTime().ifPresent(limit -> timer.scheduleAtFixedRate(new TimerTask() {
            @Override
            public void run() {
                if (vcpu.cpuNanos() - cpuAtStart > limit.toNanos()) {
                    control.stopRun(run, Ending.TIME_LIMIT, "CPU-time limit of " + limit.toMillis() + " ms reached");
                }
            }
        }, CPU_CHECK_MILLIS, CPU_CHECK_MILLIS));
        return timer;
    }

    /** Releases everything the VM owns, in reverse order of construction; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        RuntimeException failure = null;
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                if (failure == null) failure = new IllegalStateException("closing the VM failed", e);
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }
}

package io.torovj.vmm;

import io.torovj.boot.BootInfo;
import io.torovj.boot.CpuState;
import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestLayout;
import io.torovj.boot.InitialStack;
import io.torovj.boot.IoPermissionBitmap;
import io.torovj.boot.PageTables;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.loader.ElfImage;
import io.torovj.loader.ElfLoadException;
import io.torovj.loader.ElfLoader;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.FdTable;
import io.torovj.syscall.FileSyscalls;
import io.torovj.syscall.GuestHeap;
import io.torovj.syscall.MemorySyscalls;
import io.torovj.syscall.PathResolver;
import io.torovj.syscall.ProcessSyscalls;
import io.torovj.syscall.SocketSyscalls;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportRegistry;
import io.torovj.transport.VmControl.Ending;
import java.util.Timer;
import java.util.TimerTask;

/**
 * Builds and runs one VM on the calling thread (which becomes the vCPU thread), Firecracker
 * style: every piece is constructed explicitly here, in boot order, and torn down in reverse.
 */
public final class Vm {
    /** First I/O port handed to transports for doorbells. */
    static final int TRANSPORT_PORT = 0x0100;

    /** How often the CPU-time limit is checked: the limit may be overrun by about this much. */
    private static final long CPU_CHECK_MILLIS = 20;

    private Vm() {}

    /**
     * Runs {@code config}'s program to completion. Input errors (ELF, sizes, unknown transport)
     * are thrown before any KVM resource is created.
     */
    public static VmResult run(VmConfig config) throws ElfLoadException {
        return run(config, TransportRegistry.load());
    }

    public static VmResult run(VmConfig config, TransportRegistry transports) throws ElfLoadException {
        return run(config, transports, null);
    }

    /**
     * Runs {@code config}'s program with a debugger attached ({@code debugger} null: none): the
     * guest starts halted at its entry point until the debugger resumes it.
     */
    public static VmResult run(VmConfig config, TransportRegistry transports, DebugHook.Factory debugger)
            throws ElfLoadException {
        GuestLayout.checkRamSize(config.memorySize());
        long maxMemory = config.policy().limits().maxMemory().orElse(Long.MAX_VALUE);
        if (config.memorySize() > maxMemory) {
            throw new IllegalArgumentException(String.format("guest memory of %d MiB exceeds the policy's maxMemory of %d MiB",
                    config.memorySize() >> 20, maxMemory >> 20));
        }
        ElfImage image = ElfLoader.parse(config.program());
        long startNanos = System.nanoTime();
        try (SyscallTransport transport = transports.create(config.transport());
             GuestMemory memory = GuestMemory.allocate(config.memorySize());
             Platform platform = Platform.create(config.platform(), memory)) {

            PageTables.build(memory, config.memorySize());
            DescriptorTables.build(memory);
            BootInfo bootInfo = BootInfo.create(memory, transport.name());
            long stackBottom = GuestLayout.stackBottom(config.memorySize());
            long programBreak = image.loadInto(memory, GuestLayout.PROGRAM_MIN, stackBottom);
            GuestHeap heap = new GuestHeap(memory, programBreak, stackBottom);
            long latencyBuffer = reserveLatencyBuffer(memory, heap, bootInfo, config.latencySamples());
            long rsp = InitialStack.build(memory, GuestLayout.stackTop(config.memorySize()), image.entry(),
                    config.argv(), config.env());

            VcpuControl control = new VcpuControl();
            // what syscall arguments may point at: not the supervisor-only system pages
            GuestMemory guestPointers = memory.guestPointerView(GuestLayout.REQUEST_BLOCKS);
            int maxFiles = config.policy().limits().maxOpenFiles().orElse(VmConfig.DEFAULT_MAX_OPEN_FILES);
            try (FdTable fds = new FdTable(Math.max(3, maxFiles));
                 PathResolver paths = new PathResolver(guestPointers, fds, config.policy(), config.log());
                 Vcpu vcpu = platform.createVcpu()) {
                fds.installStdio(config.stdin(), config.stdout(), config.stderr());
                SyscallDispatcher dispatcher = new SyscallDispatcher(guestPointers, config.policy(), control, config.log());
                new FileSyscalls(guestPointers, fds, paths).registerWith(dispatcher);
                new ProcessSyscalls(guestPointers, control).registerWith(dispatcher);
                new MemorySyscalls(heap).registerWith(dispatcher);
                new SocketSyscalls(guestPointers, fds, config.policy(), config.log()).registerWith(dispatcher);

                DeviceBus<PortIoDevice> ports = new DeviceBus<>("I/O port");
                DeviceBus<MmioDevice> mmio = new DeviceBus<>("MMIO");
                NullDevice nullDevice = new NullDevice();
                ports.register(NullDevice.PORT, 1, nullDevice);
                mmio.register(NullDevice.MMIO, NullDevice.MMIO_LENGTH, nullDevice);
                transport.attach(new TransportContext(memory, bootInfo, ports, mmio, dispatcher, control, platform.vmFd(),
                        GuestLayout.requestBlock(0), GuestLayout.TRANSPORT_AREA, GuestLayout.TRANSPORT_AREA_SIZE,
                        GuestLayout.DEVICE_WINDOW, TRANSPORT_PORT));
                grantClaimedPorts(memory, ports);

                vcpu.bindToCurrentThread();
                KvmSregs sregs = new KvmSregs();
                vcpu.getSregs(sregs);
                CpuState.setSregs(sregs);
                vcpu.setSregs(sregs);
                KvmRegs regs = new KvmRegs();
                CpuState.setRegs(regs, image.entry(), rsp);
                vcpu.setRegs(regs);

                control.bind(vcpu, Thread.currentThread());
                control.onForeignStop(fds::interruptBlockingCalls);
                DebugHook debug = debugger == null ? null : debugger.attach(memory, vcpu, control);
                VcpuLoop loop = new VcpuLoop(vcpu, memory, ports, mmio, control, debug);
                Timer watchdog = startWatchdog(config, control, vcpu);
                try {
                    transport.start();
                    loop.run();
                } finally {
                    if (watchdog != null) watchdog.cancel();
                    transport.close();          // stops pollers before the vCPU goes away
                    control.unbind();
                    if (debug != null) debug.onEnd(control.ending(), control.status(), control.report());
                }
                long nanos = System.nanoTime() - startNanos;
                long[] samples = readLatency(memory, latencyBuffer, config.latencySamples());
                long dropped = latencyBuffer == 0 ? 0
                        : Math.max(0, memory.readU64(latencyBuffer + BootInfo.LAT_COUNT) - samples.length);
                return new VmResult(control.ending(), control.status(), control.report(), loop.fault(), loop.exits(),
                        dispatcher.calls(), samples, dropped, nanos, memory.residentBytes());
            }
        }
    }

    /**
     * Grants user code exactly the I/O ports that devices claim on the port bus, through the
     * TSS I/O bitmap: any other port, and the fault-report port, is a #GP at the guest's
     * {@code in}/{@code out}.
     */
    static void grantClaimedPorts(GuestMemory memory, DeviceBus<PortIoDevice> ports) {
        IoPermissionBitmap bitmap = new IoPermissionBitmap();
        for (DeviceBus.Range r : ports.ranges()) bitmap.grant(r.base(), r.length());
        bitmap.writeTo(memory);
    }

    private static long reserveLatencyBuffer(GuestMemory memory, GuestHeap heap, BootInfo bootInfo, int samples) {
        if (samples == 0) return 0;
        long bytes = BootInfo.LAT_SAMPLES + 8L * samples;
        long size = (bytes + GuestMemory.PAGE_SIZE - 1) & ~(GuestMemory.PAGE_SIZE - 1L);
        long at = heap.end() - size;
        if (at < heap.start()) throw new IllegalArgumentException("latency buffer of " + samples + " samples does not fit guest memory");
        heap.reserve(at, heap.end());
        memory.writeU64(at + BootInfo.LAT_CAPACITY, samples);
        memory.writeU64(at + BootInfo.LAT_COUNT, 0);
        bootInfo.setLatencyBuffer(at);
        return at;
    }

    private static long[] readLatency(GuestMemory memory, long buffer, int capacity) {
        if (buffer == 0) return new long[0];
        long count = memory.readU64(buffer + BootInfo.LAT_COUNT);
        // the guest may have scribbled over the header: trust only the capacity we gave it
        int n = (int) Math.max(0, Math.min(count, capacity));
        long[] samples = new long[n];
        for (int i = 0; i < n; i++) samples[i] = memory.readU64(buffer + BootInfo.LAT_SAMPLES + 8L * i);
        return samples;
    }

    /** Enforces the policy's wall-clock and CPU-time limits from a timer thread; null if it has none. */
    private static Timer startWatchdog(VmConfig config, VcpuControl control, Vcpu vcpu) {
        var limits = config.policy().limits();
        if (limits.wallClock().isEmpty() && limits.cpuTime().isEmpty()) return null;
        Timer timer = new Timer("torovj-watchdog", true);
        limits.wallClock().ifPresent(limit -> timer.schedule(new TimerTask() {
            @Override
            public void run() {
                control.stop(Ending.TIME_LIMIT, 124, "wall-clock limit of " + limit.toMillis() + " ms reached");
            }
        }, limit.toMillis()));
        limits.cpuTime().ifPresent(limit -> timer.scheduleAtFixedRate(new TimerTask() {
            @Override
            public void run() {
                if (vcpu.cpuNanos() > limit.toNanos()) {
                    control.stop(Ending.TIME_LIMIT, 124, "CPU-time limit of " + limit.toMillis() + " ms reached");
                }
            }
        }, CPU_CHECK_MILLIS, CPU_CHECK_MILLIS));
        return timer;
    }
}

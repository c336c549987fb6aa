package io.torovj.vmm;

import io.torovj.abi.GuestAbi;
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
import io.torovj.loader.ProgramCache;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostRandom;
import io.torovj.syscall.EventSyscalls;
import io.torovj.syscall.PollSyscalls;
import io.torovj.syscall.FdTable;
import io.torovj.syscall.FileSyscalls;
import io.torovj.syscall.GuestHeap;
import io.torovj.syscall.MemorySyscalls;
import io.torovj.syscall.PathResolver;
import io.torovj.syscall.ProcessSyscalls;
import io.torovj.syscall.SocketSyscalls;
import io.torovj.syscall.StartupSyscalls;
import io.torovj.syscall.SyscallDispatcher;
import io.torovj.transport.DeviceBus;
import io.torovj.transport.KernelDoorbell;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.transport.TransportRegistry;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one VM, Firecracker style: every piece constructed explicitly, one named step each, in
 * boot order. A step that fails closes what the earlier ones made; the {@link Vm} it produces
 * owns everything and closes it in reverse order (the transport before its doorbells, the
 * vCPU before the platform, guest memory last).
 */
public final class VmBuilder {

    /** First I/O port handed to transports for doorbells. */
    static final int TRANSPORT_PORT = 0x0100;

    private final VmConfig config;
    private final TransportRegistry transports;
    private final DebugHook.Factory debugger;
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();
    /** The monitor-side parts a pooled VM's reset rewinds, in the order they were made. */
    private final java.util.List<io.torovj.lifecycle.Rewindable> rewinds = new java.util.ArrayList<>();
    /** Each step's wall time, for the first run's result. */
    private final BuildTimes times = new BuildTimes();

    private long startNanos;
    private ElfImage image;
    private TransportProvider provider;
    private SyscallTransport transport;
    private GuestMemory memory;
    private Platform platform;
    private BootInfo bootInfo;
    private GuestHeap heap;
    private long latencyBuffer;
    private long initialRsp;
    private final VcpuControl control = new VcpuControl();
    private final VcpuSegmentBases segmentBases = new VcpuSegmentBases();
    private FdTable fds;
    private SyscallDispatcher dispatcher;
    private final DeviceBus<PortIoDevice> ports = new DeviceBus<>("I/O port");
    private final DeviceBus<MmioDevice> mmio = new DeviceBus<>("MMIO");
    private Vcpu vcpu;
    private DebugHook debug;
    private FaultReportDevice faultReports;
    /** Null unless the program is unmodified and its syscall sites are patched into the shim. */
    private SyscallSitePatcher sitePatcher;
    private long entryPoint;
    private SyscallEntryDevice syscallEntry;

    private VmBuilder(VmConfig config, TransportRegistry transports, DebugHook.Factory debugger) {
        this.config = config;
        this.transports = transports;
        this.debugger = debugger;
    }

    /** Builds {@code config}'s VM with the transports on the class path and no debugger. */
    public static Vm build(VmConfig config) throws ElfLoadException {
        return build(config, TransportRegistry.load(), null);
    }

    /**
     * Builds {@code config}'s VM. Input errors (ELF, sizes, unknown transport, a policy limit)
     * are thrown before any KVM resource exists. With {@code debugger} (may be null) the guest
     * starts halted at its entry point until the debugger resumes it.
     */
    public static Vm build(VmConfig config, TransportRegistry transports, DebugHook.Factory debugger)
            throws ElfLoadException {
        VmBuilder b = new VmBuilder(config, transports, debugger);
        BuildTimes times = b.times;
        try {
            b.checkInput();
            times.ended("input");
            b.memory();
            times.ended("memory");
            b.bootStructures();
            times.ended("boot");
            b.program();
            times.ended("program");
            b.syscalls();
            times.ended("syscalls");
            b.devices();
            b.transport();
            times.ended("transport");
            b.vcpu();
            times.ended("vcpu");
            b.ioPermissions();
            Vm vm = b.finish();
            times.ended("finish");      // the VM's map is a view: it shows this step too
            return vm;
        } catch (Throwable t) {
            b.closeAll(t);
            throw t;
        }
    }

    /** Sizes, limits, the ELF and the transport's name: everything that can be wrong with the input. */
    private void checkInput() throws ElfLoadException {
        GuestLayout.checkRamSize(config.memorySize());
        long maxMemory = config.policy().limits().maxMemory().orElse(Long.MAX_VALUE);
        if (config.memorySize() > maxMemory) {
            throw new IllegalArgumentException(String.format("guest memory of %d MiB exceeds the policy's maxMemory of %d MiB",
                    config.memorySize() >> 20, maxMemory >> 20));
        }
        if (config.reusable() && debugger != null) throw new IllegalArgumentException("a reusable VM cannot have a debugger");
        image = ProgramCache.parse(config.program());     // a program run before is not parsed again
        provider = transports.provider(config.transport());
        transport = provider.create();
    }

    /** Guest RAM, and the platform (the KVM VM with RAM as its memory slot, or the process platform). */
    private void memory() {
        startNanos = System.nanoTime();
        memory = config.guardCanaries() ? GuestMemory.allocateWithCanaries(config.memorySize())
                : GuestMemory.allocate(config.memorySize());
        closers.push(memory);
        platform = Platform.create(config.platform(), memory, config.processLauncher());
        closers.push(platform);
    }

    /** Page tables, GDT/TSS (an I/O bitmap refusing every port so far), IDT and handlers, boot information. */
    private void bootStructures() {
        PageTables.build(memory, config.memorySize());
        DescriptorTables.build(memory);
        bootInfo = BootInfo.create(memory, provider.name());
        DescriptorTables.writeSyscallEntry(memory);
    }

    /**
     * The ELF's segments (and the syscall shim beside an unmodified program), the heap after
     * them, the latency buffer, the initial stack.
     */
    private void program() throws ElfLoadException {
        long stackBottom = GuestLayout.stackBottom(config.memorySize());
        long programBreak = image.loadInto(memory, GuestLayout.PROGRAM_MIN, stackBottom);
        entryPoint = image.entry();
        java.util.Optional<SyscallShim> shim = SyscallShim.onClassPath();
        if (config.syscallEntry() == SyscallEntry.PATCH && shim.isPresent() && unmodified(image)) {
            SyscallShim.Loaded loaded = shim.get().loadInto(memory);
            sitePatcher = new SyscallSitePatcher(memory, image.segments(), loaded);
            entryPoint = loaded.entry();    // the shim brings up the transport, then enters the program
        }
        heap = new GuestHeap(memory, programBreak, stackBottom);
        latencyBuffer = LatencyBuffer.reserve(memory, heap, bootInfo, config.latencySamples());
        byte[] random = new byte[16];
        HostRandom.fill(random);       // a libc's stack-protector canary and pointer guard
        initialRsp = InitialStack.build(memory, GuestLayout.stackTop(config.memorySize()),
                new InitialStack.Program(image.entry(), image.programHeaders(), image.programHeaderCount(), execfn(), random),
                config.argv(), config.env());
    }

    /**
     * True for a program that makes its system calls with the {@code syscall} instruction: one
     * not linked against the project's runtime (whose transport registry section it would have),
     * linked clear of the shim's region.
     */
    private static boolean unmodified(ElfImage image) {
        return !image.hasSection(GuestAbi.TRANSPORT_REGISTRY_SECTION) && image.lowestAddress() >= GuestLayout.SHIM_END;
    }

    /** The fd table, path confinement and the syscall handlers, behind the policy. */
    private void syscalls() {
        // what syscall arguments may point at: not the supervisor-only system pages
        GuestMemory guestPointers = memory.guestPointerView(GuestLayout.REQUEST_BLOCKS);
        int maxFiles = config.policy().limits().maxOpenFiles().orElse(VmConfig.DEFAULT_MAX_OPEN_FILES);
        fds = new FdTable(Math.max(3, maxFiles));
        closers.push(fds);
        PathResolver paths = new PathResolver(guestPointers, fds, config.policy(), config.log());
        closers.push(paths);
        StartupSyscalls startup = new StartupSyscalls(guestPointers, fds, segmentBases, execfn(), GuestLayout.STACK_SIZE, maxFiles);
        fds.installStdio(config.stdin(), config.stdout(), config.stderr());
        dispatcher = new SyscallDispatcher(guestPointers, config.policy(), control, config.log());
        new FileSyscalls(guestPointers, fds, paths).registerWith(dispatcher);
        new ProcessSyscalls(guestPointers, control).registerWith(dispatcher);
        new MemorySyscalls(heap).registerWith(dispatcher);
        new SocketSyscalls(guestPointers, fds, config.policy(), config.log()).registerWith(dispatcher);
        new EventSyscalls(guestPointers, fds).registerWith(dispatcher);
        new PollSyscalls(guestPointers, fds).registerWith(dispatcher);
        startup.registerWith(dispatcher);
        control.onForeignStop(fds::interruptBlockingCalls);
        rewinds.addAll(java.util.List.of(fds, paths, heap, dispatcher, startup));
    }

    /** The guest's own name for its program: argv[0] (what /proc/self/exe and AT_EXECFN say), never a host path. */
    private String execfn() {
        return config.argv().isEmpty() ? config.program().getFileName().toString() : config.argv().get(0);
    }

    /** The monitor's own devices: the null doorbells (the exit floor). */
    private void devices() {
        NullDevice nullDevice = new NullDevice();
        ports.register(NullDevice.PORT, 1, nullDevice);
        mmio.register(NullDevice.MMIO, NullDevice.MMIO_LENGTH, nullDevice);
    }

    /** The transport lays out its structures and claims its doorbells. */
    private void transport() {
        Deque<PortDoorbell> doorbells = new ArrayDeque<>();
        // pushed before the transport, so closed after it: its poller may wait on a doorbell until it closes
        closers.push(() -> { while (!doorbells.isEmpty()) doorbells.pop().close(); });
        closers.push(transport);
        KernelDoorbell.Factory factory = (port, owner, path) -> {
            PortDoorbell bell = PortDoorbell.create(platform, port, owner, control, path);
            doorbells.push(bell);
            ports.register(port, 1, bell);
            return bell;
        };
        transport.attach(new TransportContext(provider.name(), memory, bootInfo, ports, mmio, dispatcher, control, factory,
                new TransportContext.Slots(GuestLayout.requestBlock(0), GuestLayout.TRANSPORT_AREA,
                        GuestLayout.TRANSPORT_AREA_SIZE, GuestLayout.DEVICE_WINDOW, TRANSPORT_PORT),
                config.transportOptions()));
    }

    /**
     * Grants user code exactly the I/O ports that devices claim on the port bus, through the TSS
     * I/O bitmap: any other port is a #GP at the guest's {@code in}/{@code out}.
     */
    private void ioPermissions() {
        grantClaimedPorts(memory, ports);
    }

    static void grantClaimedPorts(GuestMemory memory, DeviceBus<PortIoDevice> ports) {
        IoPermissionBitmap bitmap = new IoPermissionBitmap();
        for (DeviceBus.Range<PortIoDevice> r : ports.ranges()) {
            if (r.device().grantedToUserCode()) bitmap.grant(r.base(), r.length());
        }
        bitmap.writeTo(memory);
    }

    /**
     * The vCPU at the program's entry, in 64-bit user mode, its {@code syscall} instruction
     * entering the entry stub and its port; the debugger, if any; and the exception handlers'
     * report port, which only CPL0 code reaches.
     */
    private void vcpu() {
        vcpu = platform.createVcpu();
        closers.push(vcpu);
        segmentBases.bind(vcpu);
        vcpu.bindToCurrentThread();
        KvmSregs sregs = new KvmSregs();
        vcpu.getSregs(sregs);
        CpuState.setSregs(sregs);
        vcpu.setMsrs(CpuState.syscallMsrIndices(), CpuState.syscallMsrValues());
        KvmRegs regs = new KvmRegs();
        CpuState.setRegs(regs, entryPoint, initialRsp);
        vcpu.reload(regs, sregs);       // as a reset does: in kvm_run's sync area where KVM has one, two ioctls fewer
        control.bind(vcpu, Thread.currentThread());
        debug = debugger == null ? null : debugger.attach(memory, vcpu, control);
        faultReports = new FaultReportDevice(vcpu, memory, control, debug);
        ports.register(GuestLayout.FAULT_PORT, 1, faultReports);
        syscallEntry = new SyscallEntryDevice(vcpu, dispatcher, control, platform.syscallStaysInUserMode(), sitePatcher);
        ports.register(GuestLayout.SYSCALL_PORT, 1, syscallEntry);
        rewinds.add(faultReports);
        rewinds.add(syscallEntry);
    }

    /** The run loop; for a reusable VM, the image of everything as it is now ({@link VmReset}). */
    private Vm finish() {
        VcpuLoop loop = new VcpuLoop(vcpu, ports, mmio, control, debug);
        VmReset reset = null;
        if (config.reusable()) {
            heap.markPristine();
            reset = new VmReset(memory, vcpu, rewinds, initialRsp);
        }
        return new Vm(config, memory, vcpu, transport, control, loop, debug, faultReports, dispatcher,
                latencyBuffer, closers, startNanos, times.steps(), ports, syscallEntry, reset, fds::interruptBlockingCalls);
    }

    private void closeAll(Throwable failure) {
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}

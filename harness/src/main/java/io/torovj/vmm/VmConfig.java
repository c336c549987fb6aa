package io.torovj.vmm;

import io.torovj.log.MonitorLog;
import io.torovj.policy.SyscallPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything that defines one VM, every tunable included: nothing in the monitor reads system
 * properties or the working directory. Built with {@link #builder(Path)}; immutable.
 */
public final class VmConfig {
    public static final long DEFAULT_MEMORY = 8L << 20;
    public static final int DEFAULT_MAX_OPEN_FILES = 64;
    public static final String DEFAULT_TRANSPORT = "pio";

    private final Path program;
    private final List<String> argv;
    private final List<String> env;
    private final long memorySize;
    private final String transport;
    private final Map<String, String> transportOptions;
    private final SyscallPolicy policy;
    private final int stdin, stdout, stderr;
    private final int latencySamples;
    private final MonitorLog log;
    private final Platform.Kind platform;
    private final Path processLauncher;
    private final boolean guardCanaries;
    private final SyscallEntry syscallEntry;
    private final boolean reusable;

    private VmConfig(Builder b) {
        program = b.program;
        argv = List.copyOf(b.argv != null ? b.argv : List.of(program.getFileName().toString()));
        env = List.copyOf(b.env);
        memorySize = b.memorySize;
        transport = b.transport;
        transportOptions = Map.copyOf(b.transportOptions);
        policy = b.policy;
        stdin = b.stdin;
        stdout = b.stdout;
        stderr = b.stderr;
        latencySamples = b.latencySamples;
        log = b.log;
        platform = b.platform;
        processLauncher = b.processLauncher;
        guardCanaries = b.guardCanaries;
        syscallEntry = b.syscallEntry;
        reusable = b.reusable;
    }

    /** A configuration for {@code program} with the defaults: 8 MiB, pio, the default policy, the monitor's stdio, KVM. */
    public static Builder builder(Path program) {
        return new Builder(program);
    }

    /** A builder holding this configuration, to derive another from it. */
    public Builder toBuilder() {
        Builder b = new Builder(program);
        b.argv = new ArrayList<>(argv);
        b.env = new ArrayList<>(env);
        b.memorySize = memorySize;
        b.transport = transport;
        b.transportOptions = new TreeMap<>(transportOptions);
        b.policy = policy;
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.latencySamples = latencySamples;
        b.log = log;
        b.platform = platform;
        b.processLauncher = processLauncher;
        b.guardCanaries = guardCanaries;
        b.syscallEntry = syscallEntry;
        return b;
    }

    /** Static x86-64 ELF executable. */
    public Path program() { return program; }
    /** The guest's argv, argv[0] included. */
    public List<String> argv() { return argv; }
    /** The guest's environment (nothing of the host's is passed implicitly). */
    public List<String> env() { return env; }
    /** Guest RAM in bytes: a multiple of 2 MiB, 4 MiB .. 1022 MiB. */
    public long memorySize() { return memorySize; }
    /** Transport name, as registered. */
    public String transport() { return transport; }
    /** A transport's own tunable (e.g. aring's {@code idleSpinMicros}), as given. */
    public Optional<String> transportOption(String name) { return Optional.ofNullable(transportOptions.get(name)); }
    public Map<String, String> transportOptions() { return transportOptions; }
    public SyscallPolicy policy() { return policy; }
    /** Host fd the guest's fd 0 uses (lent: not closed by the VM). */
    public int stdin() { return stdin; }
    /** Host fd for the guest's fd 1. */
    public int stdout() { return stdout; }
    /** Host fd for the guest's fd 2. */
    public int stderr() { return stderr; }
    /** Capacity of the per-call latency buffer (0: none). */
    public int latencySamples() { return latencySamples; }
    /** Where the monitor's diagnostics go. */
    public MonitorLog log() { return log; }
    /** Where guest code executes. */
    public Platform.Kind platform() { return platform; }
    /** The process platform's launcher binary (torovj-vcpu-process); null if not configured (then only KVM runs). */
    public Path processLauncher() { return processLauncher; }
    /** Canary pages around guest RAM instead of guard pages, checked at close (hostile-guest tests). */
    public boolean guardCanaries() { return guardCanaries; }
    /** How an unmodified program's {@code syscall} instruction reaches the monitor (default: {@link SyscallEntry#PATCH}). */
    public SyscallEntry syscallEntry() { return syscallEntry; }

    /** Whether the VM keeps what {@link Vm#reset()} needs to run again (a pooled VM); one-shot VMs do not. */
    public boolean reusable() { return reusable; }

    /** Builds a {@link VmConfig}; every setter checks its argument. */
    public static final class Builder {
        private final Path program;
        private List<String> argv;
        private List<String> env = new ArrayList<>();
        private long memorySize = DEFAULT_MEMORY;
        private String transport = DEFAULT_TRANSPORT;
        private Map<String, String> transportOptions = new TreeMap<>();
        private SyscallPolicy policy = SyscallPolicy.defaultPolicy();
        private int stdin = 0, stdout = 1, stderr = 2;
        private int latencySamples;
        private MonitorLog log;
        private Platform.Kind platform = Platform.Kind.KVM;
        private Path processLauncher;
        private boolean guardCanaries;
        private SyscallEntry syscallEntry = SyscallEntry.PATCH;
        private boolean reusable;

        private Builder(Path program) {
            this.program = Objects.requireNonNull(program, "program");
        }

        /** The whole argv, argv[0] included (default: the program's file name alone). */
        public Builder argv(List<String> argv) { this.argv = new ArrayList<>(argv); return this; }

        /** argv = the program's file name, then {@code args}. */
        public Builder args(List<String> args) {
            List<String> all = new ArrayList<>();
            all.add(program.getFileName().toString());
            all.addAll(args);
            return argv(all);
        }

        public Builder env(List<String> env) { this.env = new ArrayList<>(env); return this; }
        public Builder memorySize(long bytes) { this.memorySize = bytes; return this; }
        public Builder transport(String name) { this.transport = Objects.requireNonNull(name, "transport"); return this; }
        public Builder transportOption(String name, String value) {
            transportOptions.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }
        public Builder policy(SyscallPolicy policy) { this.policy = Objects.requireNonNull(policy, "policy"); return this; }
        public Builder stdio(int in, int out, int err) { stdin = in; stdout = out; stderr = err; return this; }
        public Builder latencySamples(int samples) {
            if (samples < 0) throw new IllegalArgumentException("latencySamples must be >= 0");
            this.latencySamples = samples;
            return this;
        }
        public Builder log(MonitorLog log) { this.log = Objects.requireNonNull(log, "log"); return this; }
        public Builder platform(Platform.Kind kind) { this.platform = Objects.requireNonNull(kind, "platform"); return this; }
        public Builder processLauncher(Path launcher) { this.processLauncher = Objects.requireNonNull(launcher); return this; }
        public Builder guardCanaries(boolean on) { this.guardCanaries = on; return this; }
        public Builder syscallEntry(SyscallEntry entry) { this.syscallEntry = Objects.requireNonNull(entry, "syscallEntry"); return this; }

        /** Keep an image of the built VM so that {@link Vm#reset()} can return it there after a run. */
        public Builder reusable(boolean on) { this.reusable = on; return this; }

        public VmConfig build() {
            if (log == null) log = MonitorLog.stderr();
            return new VmConfig(this);
        }
    }
}

package io.torovj.vmm;

import io.torovj.policy.SyscallPolicy;
import io.torovj.syscall.MonitorLog;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines one VM run.
 *
 * @param program         static x86-64 ELF executable
 * @param argv            the guest's argv (argv[0] included)
 * @param env             the guest's environment (nothing of the host's is passed implicitly)
 * @param memorySize      guest RAM in bytes: a multiple of 2 MiB, 4 MiB .. 1022 MiB
 * @param transport       transport name, as registered
 * @param policy          syscall policy
 * @param stdin           host fd the guest's fd 0 uses (not closed by the VM)
 * @param stdout          host fd for the guest's fd 1
 * @param stderr          host fd for the guest's fd 2
 * @param latencySamples  capacity of the per-call latency buffer (0: none)
 * @param log             where the monitor's diagnostics go
 * @param platform        where guest code executes (KVM unless asked otherwise)
 */
public record VmConfig(Path program, List<String> argv, List<String> env, long memorySize, String transport,
                       SyscallPolicy policy, int stdin, int stdout, int stderr, int latencySamples,
                       MonitorLog log, Platform.Kind platform) {
    public static final long DEFAULT_MEMORY = 8L << 20;
    public static final int DEFAULT_MAX_OPEN_FILES = 64;

    public VmConfig {
        Objects.requireNonNull(program, "program");
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(platform, "platform");
        if (latencySamples < 0) throw new IllegalArgumentException("latencySamples must be >= 0");
    }

    /** HelloWorld defaults: 8 MiB, pio, the default policy, the monitor's stdio, no latency buffer. */
    public static VmConfig of(Path program, List<String> args) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(program.getFileName().toString());
        argv.addAll(args);
        return new VmConfig(program, argv, List.of(), DEFAULT_MEMORY, "pio", SyscallPolicy.defaultPolicy(),
                0, 1, 2, 0, MonitorLog.stderr(), Platform.Kind.KVM);
    }

    public VmConfig withTransport(String t) { return new VmConfig(program, argv, env, memorySize, t, policy, stdin, stdout, stderr, latencySamples, log, platform); }
    public VmConfig withPolicy(SyscallPolicy p) { return new VmConfig(program, argv, env, memorySize, transport, p, stdin, stdout, stderr, latencySamples, log, platform); }
    public VmConfig withMemory(long m) { return new VmConfig(program, argv, env, m, transport, policy, stdin, stdout, stderr, latencySamples, log, platform); }
    public VmConfig withStdio(int in, int out, int err) { return new VmConfig(program, argv, env, memorySize, transport, policy, in, out, err, latencySamples, log, platform); }
    public VmConfig withLatencySamples(int n) { return new VmConfig(program, argv, env, memorySize, transport, policy, stdin, stdout, stderr, n, log, platform); }
    public VmConfig withEnv(List<String> e) { return new VmConfig(program, argv, e, memorySize, transport, policy, stdin, stdout, stderr, latencySamples, log, platform); }
    public VmConfig withPlatform(Platform.Kind k) { return new VmConfig(program, argv, env, memorySize, transport, policy, stdin, stdout, stderr, latencySamples, log, k); }
    public VmConfig withLog(MonitorLog l) { return new VmConfig(program, argv, env, memorySize, transport, policy, stdin, stdout, stderr, latencySamples, l, platform); }
}

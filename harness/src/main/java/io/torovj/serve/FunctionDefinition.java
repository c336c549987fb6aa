package io.torovj.serve;

import io.torovj.policy.SyscallPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One served function: what its VMs run and how many of them wait ready. Read and checked by
 * {@link DefinitionReader}; immutable.
 *
 * @param name             the function's name in URLs: 1 to 64 of {@code [A-Za-z0-9._-]}
 * @param program          static x86-64 ELF, absolute
 * @param args             the guest's arguments after argv[0]
 * @param env              the guest's environment, NAME=VALUE each
 * @param policy           the syscall policy, its wall-clock and CPU limits applying to each invocation
 * @param policySource     where the policy came from (a file, "inline", or "default"), for listings
 * @param transport        the syscall transport's name
 * @param transportOptions the transport's tunables
 * @param memory           guest RAM in bytes
 * @param pool             VMs built ahead, which is also how many invocations run at once
 * @param limits           the server's own bounds on each invocation
 */
public record FunctionDefinition(String name, Path program, List<String> args, List<String> env, SyscallPolicy policy,
                                 String policySource, String transport, Map<String, String> transportOptions,
                                 long memory, int pool, Limits limits) {
    public FunctionDefinition {
        Objects.requireNonNull(name);
        Objects.requireNonNull(program);
        args = List.copyOf(args);
        env = List.copyOf(env);
        Objects.requireNonNull(policy);
        transportOptions = Map.copyOf(transportOptions);
        Objects.requireNonNull(limits);
    }

    /**
     * What the server bounds per invocation, beside the policy's limits.
     *
     * @param queue     invocations that may wait for a VM beyond those running; more get 429
     * @param maxInput  largest request body (the guest's stdin) in bytes; larger gets 413
     * @param maxOutput the guest's stdout capacity in bytes: writes beyond it fail in the guest
     * @param maxStderr the guest's stderr capacity in bytes
     * @param timeout   an invocation's whole time, queueing included: then its guest is stopped
     */
    public record Limits(int queue, int maxInput, int maxOutput, int maxStderr, Duration timeout) {
        public static final Limits DEFAULT = new Limits(16, 1 << 20, 1 << 20, 64 << 10, Duration.ofSeconds(30));
    }
}

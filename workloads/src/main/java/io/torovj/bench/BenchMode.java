package io.torovj.bench;

/**
 * How much to measure: {@code quick} (-Dbench.quick, ≤ 5 min: 4:09-4:18 here, most of it JMH's 42 forks), {@code default} (≤ 10 min on
 * a 2-core machine), {@code full} (-Dbench.full, for publication: more forks and iterations).
 *
 * @param calls           syscalls per latency run (per workload and transport)
 * @param forks           JMH forks
 * @param warmups         JMH warm-up iterations
 * @param iterations      JMH measurement iterations
 * @param iterationSecs   seconds per JMH iteration
 * @param rrTransactions  timed request/response transactions per echo run (per target; see EchoClient)
 * @param rrWarmup        untimed transactions before them
 * @param serverless      the serverless sections' sample counts (see {@link Serverless})
 * @param floorExits      the C floor probe's iterations per exit floor (pio, mmio; ~20-60 µs each here)
 * @param floorCalls      its iterations per cheap floor (native calls, ping-pong, rings; the guest's capped at
 *                        its 4 MiB: ~500,000)
 * @param floorVms        its VM lifecycles (~1 ms each)
 * @param floorPartMillis its wall-time budget per part (16 parts): a part stops there with fewer samples, so the
 *                        probe stays within about 16 × this on a loaded machine (typically far less)
 * @param thinkPointMillis about how long each think-time point runs (5 think times × native and 4 transports)
 */
record BenchMode(String name, int calls, int forks, int warmups, int iterations, int iterationSecs,
                 int rrTransactions, int rrWarmup, Serverless serverless, int floorExits, int floorCalls, int floorVms,
                 int floorPartMillis, int thinkPointMillis) {

    static BenchMode fromSystemProperties() {
        if (Boolean.getBoolean("bench.full") || "true".equals(System.getProperty("bench.full"))) {
            return new BenchMode("full", 100_000, 3, 5, 10, 2, 50_000, 5_000, new Serverless(256, 32, 5_000, 4_000, 1_000, 30, 3_000),
                    100_000, 1_000_000, 1_000, 10_000, 2_000);
        }
        if (System.getProperty("bench.quick") != null && !"false".equals(System.getProperty("bench.quick"))) {
            return new BenchMode("quick", 5_000, 1, 1, 2, 1, 1_000, 200, new Serverless(16, 8, 100, 30, 30, 2, 250),
                    5_000, 50_000, 100, 700, 120);
        }
        // default: the probe typically takes 3-10 s here, at most about 16 × 1.5 s = 24 s
        return new BenchMode("default", 20_000, 1, 2, 4, 1, 10_000, 1_000, new Serverless(128, 16, 400, 2_000, 200, 10, 800),
                20_000, 200_000, 200, 1_500, 1_000);
    }

    /**
     * How much the serverless sections measure.
     *
     * @param pooledVms        idle HelloWorld VMs of a serve pool at the largest point of the density fit (0, n/2, n)
     * @param liveVms          echo VMs alive at once (blocked in accept) at the largest point of the per-VM RSS fit; few,
     *                         because a ring guest waiting for its call spins on a CPU (48 of them took 40-66 s here)
     * @param warmInvocations  timed invocations of a warm pool, in the monitor and through HTTP, per transport
     * @param coldWarmup       untimed cold HelloWorld VMs before them, at least, per transport: the JIT compiles a
     *                         VM's build and teardown over some thousand VMs (here: p50 2.5 ms after 20 VMs, 1.0 ms
     *                         after 1,000, 0.85 ms after 1,500), and the target is a fresh VM in a warm JVM
     * @param coldRuns         timed cold HelloWorld VMs (build, run, close) per transport, and native spawns
     * @param cliRuns          timed `torovj run` whole commands per transport (a JVM each, ~0.13 s here; 10 by default, for a p50 that 4 left to one slow start)
     * @param throughputMillis measured time per concurrency level of the HTTP throughput sweep (plus a fifth as warm-up)
     */
    record Serverless(int pooledVms, int liveVms, int warmInvocations, int coldWarmup, int coldRuns, int cliRuns, int throughputMillis) {}
}

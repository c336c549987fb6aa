package io.torovj.bench;

/**
 * How much to measure: {@code quick} (-Dbench.quick, ≤ 2 min here), {@code default} (≤ 10 min on
 * a 2-core machine), {@code full} (-Dbench.full, for publication: more forks and iterations).
 *
 * @param calls           syscalls per latency run (per workload and transport)
 * @param forks           JMH forks
 * @param warmups         JMH warm-up iterations
 * @param iterations      JMH measurement iterations
 * @param iterationSecs   seconds per JMH iteration
 * @param rrTransactions  timed request/response transactions per echo run (per target; see EchoClient)
 * @param rrWarmup        untimed transactions before them
 * @param vmsAlive        VMs kept alive at once to measure the monitor's memory per VM
 * @param floorExits      the C floor probe's iterations per exit floor (pio, mmio; ~20-60 µs each here)
 * @param floorCalls      its iterations per cheap floor (native calls, ping-pong, rings; the guest's capped at
 *                        its 4 MiB: ~500,000)
 * @param floorVms        its VM lifecycles (~1 ms each)
 * @param floorPartMillis its wall-time budget per part (16 parts): a part stops there with fewer samples, so the
 *                        probe stays within about 16 × this on a loaded machine (typically far less)
 * @param thinkPointMillis about how long each think-time point runs (5 think times × native and 4 transports)
 */
record BenchMode(String name, int calls, int forks, int warmups, int iterations, int iterationSecs,
                 int rrTransactions, int rrWarmup, int vmsAlive, int floorExits, int floorCalls, int floorVms, int floorPartMillis,
                 int thinkPointMillis) {

    static BenchMode fromSystemProperties() {
        if (Boolean.getBoolean("bench.full") || "true".equals(System.getProperty("bench.full"))) {
            return new BenchMode("full", 100_000, 3, 5, 10, 2, 50_000, 5_000, 16, 100_000, 1_000_000, 1_000, 10_000, 2_000);
        }
        if (System.getProperty("bench.quick") != null && !"false".equals(System.getProperty("bench.quick"))) {
            return new BenchMode("quick", 5_000, 1, 1, 2, 1, 1_000, 200, 4, 5_000, 50_000, 100, 700, 120);
        }
        // default: the probe typically takes 3-10 s here, at most about 16 × 1.5 s = 24 s
        return new BenchMode("default", 20_000, 1, 2, 4, 1, 10_000, 1_000, 8, 20_000, 200_000, 200, 1_500, 1_000);
    }
}

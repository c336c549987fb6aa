package io.torovj.bench;

/**
 * How much to measure: {@code quick} (-Dbench.quick, ≤ 2 min here), {@code default} (≤ 10 min on
 * a 2-core machine), {@code full} (-Dbench.full, for publication: more forks and iterations).
 *
 * @param calls          syscalls per latency run (per workload and transport)
 * @param forks          JMH forks
 * @param warmups        JMH warm-up iterations
 * @param iterations     JMH measurement iterations
 * @param iterationSecs  seconds per JMH iteration
 * @param echoMessages   messages per echo run
 * @param vmsAlive       VMs kept alive at once to measure the monitor's memory per VM
 */
record BenchMode(String name, int calls, int forks, int warmups, int iterations, int iterationSecs,
                 int echoMessages, int vmsAlive) {

    static BenchMode fromSystemProperties() {
        if (Boolean.getBoolean("bench.full") || "true".equals(System.getProperty("bench.full"))) {
            return new BenchMode("full", 100_000, 3, 5, 10, 2, 5_000, 16);
        }
        if (System.getProperty("bench.quick") != null && !"false".equals(System.getProperty("bench.quick"))) {
            return new BenchMode("quick", 5_000, 1, 1, 2, 1, 500, 4);
        }
        return new BenchMode("default", 20_000, 1, 2, 4, 1, 2_000, 8);
    }
}

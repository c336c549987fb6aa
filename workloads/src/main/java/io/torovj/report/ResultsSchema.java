package io.torovj.report;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The contract between the benchmark run (the writer of {@code results/<run-id>/}) and the report (its reader).
 *
 * <h2>Folder</h2>
 * <pre>
 * results/&lt;run-id&gt;/
 *   metrics.csv        one row per workload × transport × metric × statistic ({@link #COLUMNS})
 *   environment.json   one JSON object: {@link #REQUIRED_ENVIRONMENT_KEYS} and anything else worth recording
 *   jmh.json           JMH's own JSON output (linked from the report, not parsed)
 *   hdr/&lt;workload&gt;-&lt;transport&gt;.hlog   HdrHistogram interval logs of per-call latency in nanoseconds
 *   cfloor.txt         the C floor probe's own output (optional; its numbers are also in metrics.csv)
 *   helloworld-pio.boot  the boot image of a cold pio HelloWorld VM the C floor probe replays (KVM runs only;
 *                      {@link #C_FLOOR_VM_HELLO}; the format is io.torovj.vmm.BootImage's)
 * </pre>
 * The run id is a UTC timestamp {@code yyyyMMdd-HHmmss}, followed by {@code -<short git commit>} when it is known
 * ({@link #runId(Instant, String)}). Reports go to {@code reports/<run-id>/} beside {@code results/}.
 *
 * <h2>metrics.csv</h2>
 * Header exactly {@code workload,transport,metric,statistic,value,error,unit,samples}; write it with
 * {@link MetricsCsvWriter}, read it with {@link ResultSet#read(Path)}.
 * <ul>
 *   <li>{@code workload}: {@code helloworld}, {@code nullcall}, {@code write}, {@code fileio}, {@code mmap},
 *       {@code echo}, {@code echo-rr} (see "echo-rr" below), {@code httpd} (see "httpd" below), or a floor ({@link #FLOOR_EXIT}, {@link #FLOOR_PINGPONG}, the C floors {@link #C_FLOORS}: any
 *       name starting with {@link #FLOOR_PREFIX}). Other names are accepted (they are shown after the known
 *       ones).</li>
 *   <li>{@code transport}: {@link #NATIVE} (the baseline) or any registered transport name; the list is open.</li>
 *   <li>{@code metric}: one of {@link #METRICS}; the unit must be a time unit for the time metrics and
 *       {@link #UNIT_BYTES} for the memory metrics, {@link #UNIT_PER_S} for {@link #THROUGHPUT}.</li>
 *   <li>{@code statistic}: one of {@link #STATISTICS}: {@link #MEAN} is JMH's score, the others come from an
 *       HdrHistogram of the per-call samples.</li>
 *   <li>{@code value}: a finite number (the report cannot draw values ≤ 0 on its log axes and
 *       says so); {@code error}: the 99.9% confidence half-width of the mean (JMH's
 *       scoreError), empty for every other statistic and when JMH gives none; {@code unit}: one of {@link #UNITS};
 *       {@code samples}: an integer ≥ 0 (iterations × forks for the mean, per-call samples for percentiles).</li>
 * </ul>
 * Rows may be missing (a transport that this host cannot run): the report shows "n/a". Duplicated keys are errors.
 *
 * <h2>Floors</h2>
 * Two kinds, measured in the same run as the transports:
 * <ul>
 *   <li>through the monitor: {@link #FLOOR_EXIT} (a guest ringing the null doorbell of a pio or mmio VM) and
 *       {@link #FLOOR_PINGPONG} (two Java threads ping-ponging a cache line), under the transport they are the floor
 *       of;</li>
 *   <li>the <b>C floors</b> ({@link #C_FLOOR_PREFIX}{@code *}, {@link #C_FLOORS}), measured by plain C (the
 *       {@code cfloor} host tool: its own KVM VM with the vCPU at CPL3, its own threads, the syscall instruction),
 *       independent of the monitor. Every C floor has its rows under transport {@link #NATIVE} (metric
 *       {@link #LATENCY}, statistics {@link #PERCENTILE_STATISTICS}, unit ns, samples = per-call samples). In
 *       addition, each transport's <em>headline</em> C floor, the one its {@code nullcall} is compared with in the
 *       report's "distance to the floor", is written a second time under that transport's name: at most one C-floor
 *       workload per non-native transport. The bench chooses it from the transport's declared floor: an exit per
 *       call → that exit with a real getppid per exit ({@link #C_FLOOR_PIO_EXIT_GETPPID},
 *       {@link #C_FLOOR_MMIO_EXIT_GETPPID}); shared memory → the one-line ring with a real getppid per request
 *       ({@link #C_FLOOR_RING_1LINE_GETPPID}). So a floor does the one host syscall a {@code nullcall} makes,
 *       whatever the transport, and the difference is the monitor's own overhead. On KVM the bench measures that
 *       copy right before the transport's first {@code nullcall} VM, between every two and after the last
 *       ({@code cfloor --only}): each percentile is then the mean of those, and environment.json's
 *       {@code cfloor.paired.<transport>} keeps the first and last p50s ({@code before_p50_ns}, {@code after_p50_ns}),
 *       all of them ({@code sides_p50_ns}), the largest drift between two neighbours, each VM's p50
 *       ({@code round_p50_ns}) and its ratio to the mean of the floors right around it ({@code round_ratios}), how
 *       the fastest VM's p50 over the fastest floor's ({@code best_ratio}, what the report judges the target on:
 *       what the host adds only ever adds time), whether each side's fastest has a second draw within
 *       {@link #PAIRED_FLOOR_MAX_DRIFT} of it ({@code bests_confirmed}) and whether it decides ({@code decided}:
 *       confirmed, and at least {@link #MIN_BEST_RATIO}), the attempts and the thread ping-pong beside a cache-line floor.</li>
 * </ul>
 * Per-call C floors are lfence;rdtsc pairs, like the workloads' samples: they include the pair's cost, which
 * {@link #C_FLOOR_TIMER_OVERHEAD} measures; the {@code -loop} ones are timed per batch of 100 calls and have no
 * timer in their loop. getppid is measured inline (the syscall instruction) and through glibc (a call around it,
 * as C programs and the workloads' runtime make it). The tool's raw output is {@link #CFLOOR_TXT}.
 *
 * <h2>httpd</h2>
 * The httpd workload under {@code wrk} (same threads, connections and duration for every transport and native;
 * the command is in the environment's notes): {@link #HTTPD} × transport × {@link #THROUGHPUT} {@link #MEAN} in
 * {@link #UNIT_PER_S} (wrk's requests/s over the run; samples = requests completed; larger is better), and
 * {@link #LATENCY} {@link #P50}, {@link #P90}, {@link #P99} and {@link #MAX} in {@link #UNIT_US} (wrk's
 * {@code --latency} distribution of whole requests, not of syscalls; samples = requests completed). No rows if
 * wrk is not installed (the notes say so).
 *
 * <h2>Think time (the price of polling)</h2>
 * The think workload: K getppid calls with a fixed think time between them, spent computing in the guest (a
 * TSC spin, no syscall). Its rows are under workload {@code think-<ns>} ({@link #thinkWorkload(long)}; the think
 * time in nanoseconds, a plain integer: {@code think-0}, {@code think-1000}, ...), per transport and native:
 * {@link #LATENCY} {@link #PERCENTILE_STATISTICS} in ns (each call timed alone, the think time excluded; samples =
 * calls) and {@link #CPU_PER_CALL} {@link #MEAN} in ns without error (the host CPU time of the whole run divided by
 * the calls: for a VM, every thread of the monitor's JVM, so the vCPU thread, which runs the guest's think time
 * too, the pollers, the VM's set-up and teardown, JIT and GC; natively, the process's user and system time, which
 * also holds the think time). The report draws them against the think time ({@link #THINK_TIMES_NS} in the
 * default run; any {@code think-<ns>} is accepted).
 *
 * <h2>echo-rr: request/response timed at the client</h2>
 * The echo workload driven as netperf's TCP_RR does (the bench's {@code EchoClient}): {@link #RR_CONNECTIONS}
 * TCP connection with TCP_NODELAY, a {@link #RR_MESSAGE_BYTES}-byte request and its {@link #RR_MESSAGE_BYTES}-byte
 * echo per transaction, one in flight, warm-up transactions first (not recorded, their number is in the notes),
 * then the timed ones, with {@code System.nanoTime} at the client around each; the same numbers for every
 * target in one run. {@link #ECHO_RR} × transport × {@link #LATENCY} {@link #PERCENTILE_STATISTICS} in
 * {@link #UNIT_NS} (round trips; samples = timed transactions), and {@link #THROUGHPUT} {@link #MEAN} in
 * {@link #UNIT_PER_S} (transactions per second over the timed part; samples = timed transactions). Its
 * HdrHistogram log is {@code hdr/echo-rr-<transport>.hlog} (round trips, ns).
 *
 * <p>The guest-timed rows of {@link #ECHO} (every recv and send timed in the guest) are not a transport cost:
 * a blocking recv includes waiting for the client. The report keeps both out of its per-call latency table and
 * chart ({@link #NOT_PER_CALL_LATENCY}).
 *
 * <h2>Serverless</h2>
 * HelloWorld invoked the ways a serverless platform runs it ({@code torovj serve}, issue 11), each a fixed
 * number of closed-loop samples in an HdrHistogram ({@code hdr/<workload>-<transport>.hlog}, ns):
 * {@link #WALL} {@link #P50}, {@link #P90}, {@link #P99}, {@link #P999} and {@link #MAX} (samples = invocations
 * timed) of {@link #SERVE_WARM} (a warm pool, in the monitor), {@link #SERVE_HTTP} (the same through the HTTP API),
 * {@link #HELLOWORLD} (a cold VM: build, run, close; under {@link #NATIVE}: fork+exec+wait) and {@link #CLI_RUN}
 * (the whole {@code torovj run} command; under {@link #NATIVE}: the native binary spawned the same way). Their
 * {@link #MEAN} rows, where present, are JMH's.
 * <ul>
 *   <li>Throughput against concurrency: {@link #serveHttpClients(int)} ({@code serve-http-c1}, {@code -c2}, ...,
 *       {@link #SERVE_CLIENTS}) × transport × {@link #THROUGHPUT} {@link #MEAN} in {@link #UNIT_PER_S}
 *       (invocations/s through the HTTP API with that many concurrent kept-alive clients, a pool of 4;
 *       samples = invocations counted).</li>
 *   <li>Memory per VM, from a least-squares fit of the monitor's memory against the number of VMs alive (in a JVM of
 *       its own with a fixed, pre-touched heap): {@link #HOST_RSS_PER_VM} {@link #MEAN} = the RSS slope plus the
 *       live-Java-heap slope, and {@link #HOST_KERNEL_PER_VM} {@link #MEAN} = the host kernel's Slab + page tables +
 *       kernel stacks slope (host-wide), bytes, samples = VMs at the largest point; for {@link #SERVE_POOL} (idle
 *       pooled HelloWorld VMs: the density) and {@link #ECHO} (live echo VMs blocked in accept). The points and
 *       fits are in the notes.</li>
 * </ul>
 *
 * <h2>environment.json</h2>
 * At least {@link #REQUIRED_ENVIRONMENT_KEYS}; {@link #ENV_JMH_SETTINGS} is an object ({@code forks},
 * {@code warmup}, {@code iterations}, {@code mode}); {@link #ENV_NOTES} is an array of strings; {@link #ENV_MODE}
 * is one of {@link #MODES}. Missing keys are reported as warnings, not errors.
 */
public final class ResultsSchema {
    private ResultsSchema() {
    }

    // ---- files ----

    /** The metrics table, in the results folder. */
    public static final String METRICS_CSV = "metrics.csv";
    /** The environment object, in the results folder. */
    public static final String ENVIRONMENT_JSON = "environment.json";
    /** JMH's own JSON result file, in the results folder. */
    public static final String JMH_JSON = "jmh.json";
    /** The folder of HdrHistogram logs, in the results folder. */
    public static final String HDR_DIR = "hdr";
    /** Suffix of an HdrHistogram log file. */
    public static final String HDR_SUFFIX = ".hlog";
    /** The C floor probe's raw output, in the results folder (optional). */
    public static final String CFLOOR_TXT = "cfloor.txt";
    /** The boot image of the cold pio HelloWorld that {@link #C_FLOOR_VM_HELLO} replays, in the results folder (KVM runs). */
    public static final String HELLO_BOOT_IMAGE = "helloworld-pio.boot";
    /** Name of the folder that holds results folders, by convention. */
    public static final String RESULTS_ROOT = "results";
    /** Name of the folder that holds report folders, beside {@link #RESULTS_ROOT}. */
    public static final String REPORTS_ROOT = "reports";
    /** The report folder that is a copy of the newest run's report. */
    public static final String LATEST = "latest";

    // ---- columns ----

    public static final String COL_WORKLOAD = "workload";
    public static final String COL_TRANSPORT = "transport";
    public static final String COL_METRIC = "metric";
    public static final String COL_STATISTIC = "statistic";
    public static final String COL_VALUE = "value";
    public static final String COL_ERROR = "error";
    public static final String COL_UNIT = "unit";
    public static final String COL_SAMPLES = "samples";
    /** The header of metrics.csv, in order. */
    public static final List<String> COLUMNS = List.of(COL_WORKLOAD, COL_TRANSPORT, COL_METRIC, COL_STATISTIC,
            COL_VALUE, COL_ERROR, COL_UNIT, COL_SAMPLES);

    // ---- workloads ----

    public static final String HELLOWORLD = "helloworld";
    public static final String NULLCALL = "nullcall";
    /**
     * The native build of nullcall (the same file the native rows run), unmodified, as a VM: its
     * {@code syscall} site patched into the transport at the first call (--syscall-entry patch).
     */
    public static final String NULLCALL_UNMODIFIED = "nullcall-unmodified";
    /** The same with --syscall-entry trap: every call exits to the monitor through the entry stub. */
    public static final String NULLCALL_TRAPPED = "nullcall-trapped";
    public static final String WRITE = "write";
    public static final String FILEIO = "fileio";
    public static final String MMAP = "mmap";
    public static final String ECHO = "echo";
    /** The echo workload as request/response timed at the client, TCP_RR style (see "echo-rr" above). */
    public static final String ECHO_RR = "echo-rr";
    /** echo-rr's request and response size, bytes. */
    public static final int RR_MESSAGE_BYTES = 64;
    /** echo-rr's number of TCP connections. */
    public static final int RR_CONNECTIONS = 1;
    /**
     * Workloads whose latency rows are not a time per syscall, kept out of the report's per-call latency table
     * and chart: echo's guest-timed calls (a blocking recv includes waiting for the client) and echo-rr's round
     * trips (their own section).
     */
    public static final Set<String> NOT_PER_CALL_LATENCY = Set.of(ECHO, ECHO_RR);
    /** A warm HelloWorld invocation of `torovj serve` inside the monitor (native: spawning the process). */
    public static final String SERVE_WARM = "serve-warm";
    /** The same through serve's HTTP API on loopback (native: spawning the process). */
    public static final String SERVE_HTTP = "serve-http";
    /**
     * A pooled VM's cycle on one thread: reset to its built state, HelloWorld's run, its output
     * collected (issue 11's "reset + run + collect"; native: spawning the process).
     */
    public static final String SERVE_RESET = "serve-reset";
    /** The whole `torovj run helloworld.elf` command, a JVM per invocation (see "Serverless" above). */
    public static final String CLI_RUN = "cli-run";
    /** Idle HelloWorld VMs waiting in a serve pool: the memory rows of the density (see "Serverless" above). */
    public static final String SERVE_POOL = "serve-pool";
    /** Prefix of the throughput-against-concurrency workloads: {@code serve-http-c<clients>}. */
    public static final String SERVE_HTTP_CLIENTS_PREFIX = "serve-http-c";
    /** The concurrency levels of the throughput sweep, in order. */
    public static final List<Integer> SERVE_CLIENTS = List.of(1, 2, 4, 8);
    /** The pool size behind the throughput sweep. */
    public static final int SERVE_THROUGHPUT_POOL = 4;
    /** The HTTP server workload under wrk (see "httpd" above). */
    public static final String HTTPD = "httpd";
    /** Prefix of a floor workload: the cheapest round trip a transport can make, with no syscall work. */
    public static final String FLOOR_PREFIX = "floor-";
    /** The empty exit round trip (pio, mmio). */
    public static final String FLOOR_EXIT = "floor-exit";
    /** The two-thread cache-line ping-pong (ring). */
    public static final String FLOOR_PINGPONG = "floor-pingpong";
    /** Prefix of a C floor: measured by the cfloor host tool, independent of the monitor (see "Floors" above). */
    public static final String C_FLOOR_PREFIX = "floor-c-";
    /** An empty lfence;rdtsc pair: what every per-call sample adds to what it times. */
    public static final String C_FLOOR_TIMER_OVERHEAD = "floor-c-timer-overhead";
    /** getppid by the syscall instruction, timed per call by an lfence;rdtsc pair (as the native nullcall is). */
    public static final String C_FLOOR_NATIVE_GETPPID = "floor-c-native-getppid";
    /** getppid by the syscall instruction, timed per batch of 100 calls (no timer in the loop): ns per call. */
    public static final String C_FLOOR_NATIVE_GETPPID_LOOP = "floor-c-native-getppid-loop";
    /** glibc's getppid() (a call and a ret around the syscall), per call. */
    public static final String C_FLOOR_NATIVE_GETPPID_LIBC = "floor-c-native-getppid-libc";
    /** glibc's getppid() per batch of 100 calls: "a plain C loop", the native nullcall's reference. */
    public static final String C_FLOOR_NATIVE_GETPPID_LIBC_LOOP = "floor-c-native-getppid-libc-loop";
    /** write(fd of /dev/null, 64 bytes), per call. */
    public static final String C_FLOOR_NATIVE_WRITE = "floor-c-native-write";
    /** Two host threads ping-ponging one cache line: a round trip. */
    public static final String C_FLOOR_PINGPONG = "floor-c-pingpong";
    /** A CPL3 guest's {@code out} to a granted port: KVM_EXIT_IO, then KVM_RUN again. */
    public static final String C_FLOOR_PIO_EXIT = "floor-c-pio-exit";
    /** {@link #C_FLOOR_PIO_EXIT} with a getppid by the host per exit: the headline floor of port-I/O transports. */
    public static final String C_FLOOR_PIO_EXIT_GETPPID = "floor-c-pio-exit-getppid";
    /** A CPL3 guest's store to an unbacked page: KVM_EXIT_MMIO, then KVM_RUN again. */
    public static final String C_FLOOR_MMIO_EXIT = "floor-c-mmio-exit";
    /** {@link #C_FLOOR_MMIO_EXIT} with a getppid per exit: the headline floor of MMIO transports. */
    public static final String C_FLOOR_MMIO_EXIT_GETPPID = "floor-c-mmio-exit-getppid";
    /** CPL3 guest ↔ host thread: a request line (sequence number) and an answer line, nothing else. */
    public static final String C_FLOOR_RING_1LINE = "floor-c-ring-1line";
    /** {@link #C_FLOOR_RING_1LINE} with a getppid per request: the headline floor of shared-memory transports. */
    public static final String C_FLOOR_RING_1LINE_GETPPID = "floor-c-ring-1line-getppid";
    /**
     * {@link #C_FLOOR_RING_1LINE_GETPPID} with glibc's getppid() (a call) instead of an inline syscall
     * instruction: what a poller pays that cannot inline the syscall, as the JVM's cannot.
     */
    public static final String C_FLOOR_RING_1LINE_GETPPID_LIBC = "floor-c-ring-1line-getppid-libc";
    /** CPL3 guest ↔ host thread over the ring transports' former six-line layout (SQE, sq_tail, sq_head, cq_head, CQE, cq_tail). */
    public static final String C_FLOOR_RING_6LINE = "floor-c-ring-6line";
    /** {@link #C_FLOOR_RING_6LINE} with a getppid per request. */
    public static final String C_FLOOR_RING_6LINE_GETPPID = "floor-c-ring-6line-getppid";
    /**
     * Create a VM with 4 MiB, a vCPU, sregs; run to the first {@code out}; close; with an idle
     * standby VM open, as the monitor keeps one (it holds KVM's static keys on between VMs).
     */
    public static final String C_FLOOR_VM_LIFECYCLE = "floor-c-vm-lifecycle";
    /** {@link #C_FLOOR_VM_LIFECYCLE} with no other VM open: each VM flips KVM's static keys on and off. */
    public static final String C_FLOOR_VM_LIFECYCLE_COLD = "floor-c-vm-lifecycle-cold";
    /**
     * {@link #C_FLOOR_VM_LIFECYCLE} with the timing thread not pinned to one CPU (the headline one
     * is, and the bench's cold VMs are measured pinned the same way): KVM's per-VM worker inherits
     * the creating thread's CPUs, so unpinned it starts and stops across CPUs. For reference.
     */
    public static final String C_FLOOR_VM_LIFECYCLE_UNPINNED = "floor-c-vm-lifecycle-unpinned";
    /**
     * The monitor's own pio HelloWorld replayed without the monitor: the boot image a cold VM's build
     * wrote (its RAM size, allocated pages, registers, special registers and MSRs) in a fresh VM run
     * by C to its exit_group, serving its write and exit requests, then closed; standby VM and
     * pinning as {@link #C_FLOOR_VM_LIFECYCLE}. The same guest, pages and exits as the monitor's
     * cold pio VM: the like-for-like floor of a cold HelloWorld, for reference (issue 10's cold
     * target is judged against {@link #C_FLOOR_VM_LIFECYCLE}).
     */
    public static final String C_FLOOR_VM_HELLO = "floor-c-vm-hello";
    /**
     * A floor measured before and after the cold VMs (or a nullcall run by older benches) whose two p50s
     * differ by more than this (relative to the smaller) is measured again, and if the last bracket
     * still does, the report decides no target on it.
     */
    public static final double PAIRED_FLOOR_MAX_DRIFT = 0.15;
    /**
     * A transport's fastest nullcall VM over its fastest floor (best against best, see the bench's
     * PairedFloor) below this decides no target: the floors missed a placement the transport met.
     */
    public static final double MIN_BEST_RATIO = 0.95;
    /** Every C floor, in display order. */
    public static final List<String> C_FLOORS = List.of(C_FLOOR_TIMER_OVERHEAD, C_FLOOR_NATIVE_GETPPID,
            C_FLOOR_NATIVE_GETPPID_LOOP, C_FLOOR_NATIVE_GETPPID_LIBC, C_FLOOR_NATIVE_GETPPID_LIBC_LOOP,
            C_FLOOR_NATIVE_WRITE, C_FLOOR_PINGPONG, C_FLOOR_PIO_EXIT,
            C_FLOOR_PIO_EXIT_GETPPID, C_FLOOR_MMIO_EXIT, C_FLOOR_MMIO_EXIT_GETPPID, C_FLOOR_RING_1LINE,
            C_FLOOR_RING_1LINE_GETPPID, C_FLOOR_RING_1LINE_GETPPID_LIBC, C_FLOOR_RING_6LINE, C_FLOOR_RING_6LINE_GETPPID,
            C_FLOOR_VM_LIFECYCLE,
            C_FLOOR_VM_LIFECYCLE_COLD, C_FLOOR_VM_LIFECYCLE_UNPINNED, C_FLOOR_VM_HELLO);
    /** Prefix of a think-time workload: {@code think-<think time in ns>} (see "Think time" above). */
    public static final String THINK_PREFIX = "think-";
    /** The think times the bench measures, ns: 0, 1 µs, 10 µs, 100 µs, 1 ms. */
    public static final List<Long> THINK_TIMES_NS = List.of(0L, 1_000L, 10_000L, 100_000L, 1_000_000L);
    private static final Pattern THINK_NAME = Pattern.compile(Pattern.quote(THINK_PREFIX) + "(0|[1-9][0-9]{0,9})");
    /** Known workloads in display order; unknown workloads follow, floors come last (the monitor's, then C's). */
    public static final List<String> KNOWN_WORKLOADS = knownWorkloads();

    private static List<String> knownWorkloads() {
        List<String> w = new java.util.ArrayList<>(List.of(HELLOWORLD, SERVE_RESET, SERVE_WARM, SERVE_HTTP, CLI_RUN, SERVE_POOL));
        for (int c : SERVE_CLIENTS) w.add(serveHttpClients(c));
        w.addAll(List.of(NULLCALL, NULLCALL_UNMODIFIED,
                NULLCALL_TRAPPED, WRITE, FILEIO, MMAP, ECHO, ECHO_RR, HTTPD,
                FLOOR_EXIT, FLOOR_PINGPONG));
        w.addAll(C_FLOORS);
        return List.copyOf(w);
    }

    // ---- transports ----

    /** The baseline: the same C program run as a host process. Always shown first. */
    public static final String NATIVE = "native";

    // ---- metrics ----

    /** Time per syscall. */
    public static final String LATENCY = "latency";
    /** HelloWorld end to end: create VM → exit → teardown (native: spawn → wait). */
    public static final String WALL = "wall";
    /** Host CPU time per syscall (all host threads, pollers included). */
    public static final String CPU_PER_CALL = "cpu_per_call";
    /** Guest memory actually touched, bytes. */
    public static final String GUEST_RESIDENT = "guest_resident";
    /** Host resident set size added per VM, bytes. */
    public static final String HOST_RSS_PER_VM = "host_rss_per_vm";
    /**
     * Host kernel memory added per VM, bytes: the slope of /proc/meminfo's Slab + PageTables + SecPageTables +
     * KernelStack against VMs alive (KVM's VM and vCPU structures, shadow page tables, thread stacks); host-wide.
     */
    public static final String HOST_KERNEL_PER_VM = "host_kernel_per_vm";
    /** Peak RSS of the native process, bytes. */
    public static final String NATIVE_PEAK_RSS = "native_peak_rss";
    /**
     * JVM heap bytes one forwarded syscall allocates (every thread of the bench's JVM, pollers
     * included), the VM's set-up and teardown left out: the difference between a VM of
     * {@link #ALLOC_LARGE_CALLS} calls and one of {@link #ALLOC_SMALL_CALLS}, per call between them, the least
     * of {@link #ALLOC_REPEATS} runs each (the bench's CallAllocation). The hot path's promise is 0. None for
     * native: its calls are not made in the JVM.
     */
    public static final String ALLOC_PER_CALL = "alloc_per_call";
    /** {@link #ALLOC_PER_CALL}'s two VM sizes (calls) and how many runs of each it takes the least of. */
    public static final int ALLOC_SMALL_CALLS = 500, ALLOC_LARGE_CALLS = 5_000, ALLOC_REPEATS = 2;
    /**
     * JVM heap bytes of one per-syscall JMH invocation (JMH's GC profiler, every thread of the fork):
     * a VM built, run for its 20,000 calls and closed; natively, spawning the process and waiting for it.
     * Mean, with JMH's error.
     */
    public static final String ALLOC_PER_VM = "alloc_per_vm";
    /**
     * Requests completed per second (httpd under wrk; echo-rr's transactions; invocations through serve's HTTP
     * API), in {@link #UNIT_PER_S}: larger is better.
     */
    public static final String THROUGHPUT = "throughput";
    /** Every metric, in display order. */
    public static final List<String> METRICS = List.of(LATENCY, WALL, CPU_PER_CALL, GUEST_RESIDENT, HOST_RSS_PER_VM,
            HOST_KERNEL_PER_VM, NATIVE_PEAK_RSS, THROUGHPUT, ALLOC_PER_CALL, ALLOC_PER_VM);
    /** Metrics measured in time units. */
    public static final Set<String> TIME_METRICS = Set.of(LATENCY, WALL, CPU_PER_CALL);
    /** Metrics measured in bytes. */
    public static final List<String> MEMORY_METRICS = List.of(GUEST_RESIDENT, HOST_RSS_PER_VM, HOST_KERNEL_PER_VM,
            NATIVE_PEAK_RSS);

    // ---- statistics ----

    /** JMH's score (with {@link #COL_ERROR} = scoreError, the 99.9% confidence half-width). */
    public static final String MEAN = "mean";
    public static final String P50 = "p50";
    public static final String P90 = "p90";
    public static final String P99 = "p99";
    public static final String P999 = "p999";
    public static final String MAX = "max";
    /** Every statistic, in display order. */
    public static final List<String> STATISTICS = List.of(MEAN, P50, P90, P99, P999, MAX);
    /** The percentile statistics and their percentile (0-100); {@link #MAX} is 100. */
    public static final Map<String, Double> PERCENTILES = Map.of(P50, 50.0, P90, 90.0, P99, 99.0, P999, 99.9,
            MAX, 100.0);
    /** The percentile statistics in order. */
    public static final List<String> PERCENTILE_STATISTICS = List.of(P50, P90, P99, P999, MAX);

    // ---- units ----

    public static final String UNIT_NS = "ns";
    public static final String UNIT_US = "us";
    public static final String UNIT_MS = "ms";
    public static final String UNIT_BYTES = "bytes";
    /** Events per second: the unit of {@link #THROUGHPUT}, and of nothing else. */
    public static final String UNIT_PER_S = "per_s";
    /** Every unit. */
    public static final List<String> UNITS = List.of(UNIT_NS, UNIT_US, UNIT_MS, UNIT_BYTES, UNIT_PER_S);
    /** The time units and their size in nanoseconds. */
    public static final Map<String, Double> NANOS_PER_UNIT = Map.of(UNIT_NS, 1.0, UNIT_US, 1e3, UNIT_MS, 1e6);

    // ---- environment.json ----

    public static final String ENV_CPU_MODEL = "cpu_model";
    public static final String ENV_CORES = "cores";
    public static final String ENV_KERNEL = "kernel";
    /** e.g. "PVM (nested)", "VMX", "SVM", "absent". */
    public static final String ENV_KVM_FLAVOUR = "kvm_flavour";
    public static final String ENV_JVM = "jvm";
    public static final String ENV_JMH_VERSION = "jmh_version";
    /** An object: forks, warmup, iterations, mode. */
    public static final String ENV_JMH_SETTINGS = "jmh_settings";
    public static final String ENV_GIT_COMMIT = "git_commit";
    /** ISO-8601 date-time of the run (UTC). */
    public static final String ENV_DATE = "date";
    /** One of {@link #MODES}. */
    public static final String ENV_MODE = "mode";
    /** Array of strings: anything a reader must know to interpret the numbers. */
    public static final String ENV_NOTES = "notes";
    /** The keys environment.json must have, in display order. */
    public static final List<String> REQUIRED_ENVIRONMENT_KEYS = List.of(ENV_CPU_MODEL, ENV_CORES, ENV_KERNEL,
            ENV_KVM_FLAVOUR, ENV_JVM, ENV_JMH_VERSION, ENV_JMH_SETTINGS, ENV_GIT_COMMIT, ENV_DATE, ENV_MODE,
            ENV_NOTES);
    /** Keys of {@link #ENV_JMH_SETTINGS}. */
    public static final List<String> JMH_SETTINGS_KEYS = List.of("forks", "warmup", "iterations", "mode");

    public static final String MODE_QUICK = "quick";
    public static final String MODE_DEFAULT = "default";
    public static final String MODE_FULL = "full";
    /** The benchmark modes ({@code mvn -P bench -Dbench.quick}, {@code mvn -P bench}, {@code -Dbench.full}). */
    public static final List<String> MODES = List.of(MODE_QUICK, MODE_DEFAULT, MODE_FULL);

    /** Names of workloads and transports: safe in file names ({@code hdr/<workload>-<transport>.hlog}). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final DateTimeFormatter RUN_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);
    /** A run id as produced by {@link #runId(Instant, String)}. */
    public static final Pattern RUN_ID = Pattern.compile("\\d{8}-\\d{6}(-[0-9A-Za-z]+)?");

    /**
     * The run id of a run started at {@code start}: {@code yyyyMMdd-HHmmss} in UTC, plus {@code -commit} when
     * {@code shortCommit} is neither null nor blank.
     */
    public static String runId(Instant start, String shortCommit) {
        String t = RUN_ID_TIME.format(start);
        if (shortCommit == null || shortCommit.isBlank()) {
            return t;
        }
        String c = shortCommit.strip();
        if (!c.matches("[0-9A-Za-z]+")) {
            throw new IllegalArgumentException("commit must be alphanumeric: " + shortCommit);
        }
        return t + "-" + c;
    }

    /** {@code results/<run-id>/metrics.csv}. */
    public static Path metricsCsv(Path resultsDir) {
        return resultsDir.resolve(METRICS_CSV);
    }

    /** {@code results/<run-id>/environment.json}. */
    public static Path environmentJson(Path resultsDir) {
        return resultsDir.resolve(ENVIRONMENT_JSON);
    }

    /** {@code results/<run-id>/jmh.json}. */
    public static Path jmhJson(Path resultsDir) {
        return resultsDir.resolve(JMH_JSON);
    }

    /** {@code results/<run-id>/hdr/<workload>-<transport>.hlog}: where the per-call latency log of a pair goes. */
    public static Path hdrLog(Path resultsDir, String workload, String transport) {
        return resultsDir.resolve(HDR_DIR).resolve(hdrLogFileName(workload, transport));
    }

    /** {@code <workload>-<transport>.hlog}. */
    public static String hdrLogFileName(String workload, String transport) {
        requireName("workload", workload);
        requireName("transport", transport);
        return workload + "-" + transport + HDR_SUFFIX;
    }

    /** The unit name of a {@link TimeUnit} ({@code ns}, {@code us}, {@code ms}); others are refused. */
    public static String unitOf(TimeUnit unit) {
        return switch (unit) {
            case NANOSECONDS -> UNIT_NS;
            case MICROSECONDS -> UNIT_US;
            case MILLISECONDS -> UNIT_MS;
            default -> throw new IllegalArgumentException("no unit for " + unit + ": use ns, us or ms");
        };
    }

    /** {@code serve-http-c<clients>}: the throughput workload of {@code clients} concurrent HTTP clients (≥ 1). */
    public static String serveHttpClients(int clients) {
        if (clients < 1) throw new IllegalArgumentException("clients must be >= 1, got " + clients);
        return SERVE_HTTP_CLIENTS_PREFIX + clients;
    }

    /** Whether {@code workload} is a floor (an empty round trip, not a syscall). */
    public static boolean isFloor(String workload) {
        return workload.startsWith(FLOOR_PREFIX);
    }

    /** Whether {@code workload} is a C floor (measured by the cfloor tool, not through the monitor). */
    public static boolean isCFloor(String workload) {
        return workload.startsWith(C_FLOOR_PREFIX);
    }

    /** The workload of think time {@code thinkNanos}: {@code think-<ns>}. */
    public static String thinkWorkload(long thinkNanos) {
        if (thinkNanos < 0 || thinkNanos > 9_999_999_999L) {
            throw new IllegalArgumentException("think time " + thinkNanos + " ns is out of range (0 .. 9999999999)");
        }
        return THINK_PREFIX + thinkNanos;
    }

    /** Whether {@code workload} is a think-time workload ({@code think-<ns>}). */
    public static boolean isThink(String workload) {
        return THINK_NAME.matcher(workload).matches();
    }

    /** The think time of a think-time workload, ns; -1 for any other workload. */
    public static long thinkNanos(String workload) {
        return isThink(workload) ? Long.parseLong(workload.substring(THINK_PREFIX.length())) : -1;
    }

    /** Whether {@code unit} is a time unit. */
    public static boolean isTimeUnit(String unit) {
        return NANOS_PER_UNIT.containsKey(unit);
    }

    static String requireName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' is not valid (letters, digits, '.', '_' and '-', starting with a letter or digit)");
        }
        return name;
    }
}

package io.torovj.syscall;

import io.torovj.abi.GuestAbi;
import io.torovj.lifecycle.Ending;
import io.torovj.log.MonitorLog;
import io.torovj.boot.BootInfo;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.testing.Generators;
import io.torovj.testing.PropertyRunner;
import io.torovj.lifecycle.VmControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request block is guest memory, so any 64 bits may sit in nr and in each argument.
 * Written into guest RAM and executed with {@link RequestBlock#serve} under a
 * permissive policy rooted in a temporary directory, every request must come back as a Linux
 * return value (>= 0, or -4095..-1) without an exception, no handler may fail internally
 * (the dispatcher would log "internal error"), the canaries around guest RAM must stay intact,
 * and once the guest's fd table is closed the JVM must hold exactly the fds it held before.
 *
 * <p>Two adjustments keep a try from blocking the test legitimately, as a guest could choose
 * to: socket() always gets SOCK_NONBLOCK (a blocking UDP socket would wait forever in recv),
 * and stdin is /dev/null (fd 0 of this JVM is the test runner's command channel).
 *
 * <p>Each property is one test: the monitor is set up before its first try and checked after
 * its last, so fds, sockets and mappings of one try meet the next ones. Edge cases come first,
 * then generated requests; the seed is fixed, or {@code -Dtorovj.test.seed=N}.
 */
class RequestDecodingPropertyTest {
    static final long RAM = 8L << 20;
    static final long REQUEST = 0xC000;
    /** Pointers the generators aim at: strings, a scratch buffer, the heap. */
    static final long STRINGS = 0x20000, SCRATCH = 0x40000, HEAP_START = 0x100000, HEAP_END = RAM - 0x40000;
    static final String[] PATHS = {
        "f0", "f1", "dir", ".", "..", "../x", "/etc/passwd", "/dev/null", "/proc/self/mem", "link", "link/x",
        "f0/..", "", "/", "dir/../f1",
    };
    static final long[] STRING_ADDRESSES = new long[PATHS.length];
    /** The syscalls the monitor implements (SyscallPolicy's permissive list), by number. */
    static final long[] IMPLEMENTED = {0, 1, 2, 3, 5, 8, 9, 11, 12, 39, 41, 42, 43, 44, 45, 48, 49, 50, 54, 60, 74, 87,
        110, 228, 231, 257, 263, 288};
    static final long SOCKET = 41, SOCK_NONBLOCK = 0x800;

    private Path dir;
    private GuestMemory memory;
    private FdTable fds;
    private PathResolver paths;
    private SyscallDispatcher dispatcher;
    private final int[] stdio = new int[3];
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private List<String> fdsBefore;

    static final class StubControl implements VmControl {
        volatile boolean stopped;
        @Override public void stop(Ending e, String report) { stopped = true; }
        @Override public void exit(int status) { stopped = true; }
        @Override public void fault(int signal, String report) { stopped = true; }
        @Override public boolean isStopped() { return stopped; }
    }

    @BeforeEach
    void boot() throws IOException {
        // one full cycle first, so that classes and libraries this needs are loaded (and their
        // jar and library fds opened) before the fds are counted
        start();
        executeRequest(41, 2, 2 | SOCK_NONBLOCK, 0, 0, 0, 0);
        executeRequest(257, -100, STRING_ADDRESSES[0], 0x42, 0644, 0, 0);
        stop();
        fdsBefore = openFds();
        start();
    }

    private void start() throws IOException {
        dir = Files.createTempDirectory("torovj-decoding");
        Path root = Files.createDirectory(dir.resolve("root"));
        Files.createDirectory(root.resolve("dir"));
        Files.writeString(root.resolve("f1"), "one");
        Files.writeString(dir.resolve("x"), "outside the root");
        Files.createSymbolicLink(root.resolve("link"), Path.of("../x"));
        SyscallPolicy policy = SyscallPolicy.permissive(root.toRealPath());
        memory = GuestMemory.allocateWithCanaries(RAM);
        memory.fill(0x1000, RAM - 0x1000, (byte) 0xA5);   // no accidental socket address anywhere
        long at = STRINGS;
        for (int i = 0; i < PATHS.length; i++) {
            byte[] s = (PATHS[i] + "\0").getBytes(StandardCharsets.UTF_8);
            memory.write(at, s);
            STRING_ADDRESSES[i] = at;
            at += s.length;
        }
        memory.fill(RAM - 16, 16, (byte) 'A');            // an unterminated string at the end of RAM
        for (int i = 0; i < 3; i++) {
            stdio[i] = LibC.INSTANCE.open("/dev/null", 2 | 0x80000, 0);
            if (stdio[i] < 0) throw new IllegalStateException("cannot open /dev/null");
        }
        fds = new FdTable(64);
        fds.installStdio(stdio[0], stdio[1], stdio[2]);
        MonitorLog monitorLog = new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8));
        paths = new PathResolver(memory, fds, policy, monitorLog);
        StubControl control = new StubControl();
        dispatcher = new SyscallDispatcher(memory, policy, control, monitorLog);
        new FileSyscalls(memory, fds, paths).registerWith(dispatcher);
        new ProcessSyscalls(memory, control).registerWith(dispatcher);
        new MemorySyscalls(new GuestHeap(memory, HEAP_START, HEAP_END)).registerWith(dispatcher);
        new SocketSyscalls(memory, fds, policy, monitorLog).registerWith(dispatcher);
    }

    /** Closes everything the VM would close; checks the canaries and that nothing failed inside. */
    private void stop() throws IOException {
        try {
            if (!memory.canariesIntact()) throw new AssertionError("a canary page next to guest RAM was written");
            if (!Files.readString(dir.resolve("x")).equals("outside the root")) {
                throw new AssertionError("a file outside the policy root was changed");
            }
            String text = log.toString(StandardCharsets.UTF_8);
            if (text.contains("internal error")) throw new AssertionError("a handler failed: " + text);
        } finally {
            fds.close();
            paths.close();
            memory.close();
            for (int fd : stdio) LibC.INSTANCE.close(fd);
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void shutDown() throws Exception {
        stop();
        // the JDK may close a stream's fd a moment late: allow it to settle
        List<String> after = openFds();
        for (int i = 0; i < 50 && !after.equals(fdsBefore); i++) {
            Thread.sleep(20);
            after = openFds();
        }
        if (!after.equals(fdsBefore)) {
            List<String> added = new ArrayList<>(after), gone = new ArrayList<>(fdsBefore);
            added.removeAll(fdsBefore);
            gone.removeAll(after);
            throw new AssertionError("the JVM's open fds changed: new " + added + ", closed " + gone);
        }
    }

    /**
     * Entries of /proc/self/fd with their targets, without those the JVM itself opens and closes
     * at any moment (class path jars, /proc and /sys files such as cgroup memory.stat): a guest
     * can reach neither, and counting them made the check flaky.
     */
    static List<String> openFds() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) list::iterator) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    out.add(p.getFileName() + "->" + target);
                } catch (IOException e) {
                    // the listing's own fd, closed by now
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.removeIf(s -> s.contains("->/proc/") || s.contains("->/sys/") || s.endsWith(".jar"));
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private long executeRequest(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (nr == SOCKET) a1 |= SOCK_NONBLOCK;
        memory.writeU64(REQUEST + GuestAbi.REQ_NR, nr);
        long[] args = {a0, a1, a2, a3, a4, a5};
        for (int i = 0; i < 6; i++) memory.writeU64(REQUEST + GuestAbi.REQ_ARGS + 8L * i, args[i]);
        memory.writeU64(REQUEST + GuestAbi.REQ_RET, 0x5A5A5A5A5A5A5A5AL);
        RequestBlock.serve(memory, REQUEST, dispatcher);
        long ret = memory.readU64(REQUEST + GuestAbi.REQ_RET);
        if (ret < -4095) {
            throw new AssertionError(String.format("syscall %d(0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x) returned %d: not a Linux return value",
                    nr, a0, a1, a2, a3, a4, a5, ret));
        }
        return ret;
    }

    /** A request: {nr, a0, ..., a5}. */
    private long executeRequest(long[] request) {
        return executeRequest(request[0], request[1], request[2], request[3], request[4], request[5], request[6]);
    }

    static String describe(long[] request) {
        return Arrays.stream(request, 1, 7).mapToObj(a -> String.format("0x%x", a))
                .collect(Collectors.joining(", ", "syscall " + request[0] + "(", ")"));
    }

    static String describe(List<long[]> requests) {
        return requests.stream().map(RequestDecodingPropertyTest::describe).collect(Collectors.joining("; ", "[", "]"));
    }

    /** Edge cases: {@code nr} and all six arguments set to each pair of {@code nrs} and {@code arguments}. */
    static List<long[]> uniformRequests(List<Long> nrs, List<Long> arguments) {
        List<long[]> out = new ArrayList<>();
        for (long nr : nrs) {
            for (long a : arguments) out.add(new long[] {nr, a, a, a, a, a, a});
        }
        return out;
    }

    /** Any 64 bits in every field. */
    @Test
    void anyBits() {
        PropertyRunner.property("anyBits", 3000, 0x5ECA_0001L)
                .forAll(uniformRequests(Generators.LONG_EDGE_CASES, Generators.LONG_EDGE_CASES),
                        g -> new long[] {g.longs(), g.longs(), g.longs(), g.longs(), g.longs(), g.longs(), g.longs()},
                        RequestDecodingPropertyTest::describe, this::executeRequest);
    }

    /** Implemented numbers with arguments that reach past the first checks. */
    @Test
    void implementedCallsWithHostileArguments() {
        List<long[]> edgeCases = uniformRequests(IMPLEMENTED_EDGE_CASES, ARGUMENT_EDGE_CASES);
        PropertyRunner.property("implementedCallsWithHostileArguments", 10000, 0x5ECA_0002L)
                .forAll(edgeCases, RequestDecodingPropertyTest::call, RequestDecodingPropertyTest::describe,
                        this::executeRequest);
    }

    /** Sequences, so that fds, sockets and mappings made by one call meet the next ones. */
    @Test
    void sequences() {
        PropertyRunner.property("sequences", 300, 0x5ECA_0003L)
                .forAll(sequenceEdgeCases(), g -> g.lists(1, 60, RequestDecodingPropertyTest::call),
                        RequestDecodingPropertyTest::describe, calls -> {
                            for (long[] c : calls) executeRequest(c);
                        });
    }

    /** Mostly an implemented number, now and then any of -2..600 or an implemented one with bit 32 set. */
    static long implemented(Generators g) {
        return g.frequency(
                Generators.weighted(8, n -> n.ofLongs(IMPLEMENTED)),
                Generators.weighted(1, n -> n.longs(-2, 600)),
                Generators.weighted(1, n -> n.ofLongs(IMPLEMENTED) | (1L << 32)));
    }

    static final long[] SPECIAL = {0L, -1L, -100L, 0xfffL, 0x1000L, RAM - 1, RAM - 8, RAM - 16, RAM,
        RAM + 4096, 0x7fffffffffffL, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, (1L << 32) + 1, 0xffffffffL,
        0x80000000L, 0x3FE00000L, 144L, 4096L, 65536L, 0x42L, 0x241L, 0x410002L, 0x200000L, 0x800L};

    /** An argument: small, special, a path's address, in the scratch buffer, in the heap, or any long. */
    static long argument(Generators g) {
        return g.frequency(
                Generators.weighted(4, a -> a.longs(-2, 20)),
                Generators.weighted(4, a -> a.ofLongs(SPECIAL)),
                Generators.weighted(3, a -> STRING_ADDRESSES[a.ints(0, PATHS.length - 1)]),
                Generators.weighted(2, a -> a.longs(SCRATCH, SCRATCH + 0x10000)),
                Generators.weighted(1, a -> a.longs(HEAP_START, HEAP_END)),
                Generators.weighted(3, Generators::longs));
    }

    static long[] call(Generators g) {
        return new long[] {implemented(g), argument(g), argument(g), argument(g), argument(g), argument(g), argument(g)};
    }

    /**
     * The edge cases of {@link #implemented}: every implemented number, those of -2..600, and
     * the first and last implemented number with bit 32 set.
     */
    static final List<Long> IMPLEMENTED_EDGE_CASES;
    static {
        LinkedHashSet<Long> nrs = new LinkedHashSet<>();
        for (long n : IMPLEMENTED) nrs.add(n);
        nrs.addAll(Generators.edgeCases(-2, 600));
        nrs.add(IMPLEMENTED[0] | (1L << 32));
        nrs.add(IMPLEMENTED[IMPLEMENTED.length - 1] | (1L << 32));
        IMPLEMENTED_EDGE_CASES = List.copyOf(nrs);
    }

    /**
     * The edge cases of {@link #argument}: those of -2..20, every special value, the paths
     * at the edge-case indices, those of the scratch and heap ranges, and those of any long.
     */
    static final List<Long> ARGUMENT_EDGE_CASES;
    static {
        LinkedHashSet<Long> args = new LinkedHashSet<>(Generators.edgeCases(-2, 20));
        for (long a : SPECIAL) args.add(a);
        for (long i : Generators.edgeCases(0, PATHS.length - 1)) args.add(pathAddress((int) i));
        args.addAll(Generators.edgeCases(SCRATCH, SCRATCH + 0x10000));
        args.addAll(Generators.edgeCases(HEAP_START, HEAP_END));
        args.addAll(Generators.LONG_EDGE_CASES);
        ARGUMENT_EDGE_CASES = List.copyOf(args);
    }

    /** Where start() writes PATHS[i] (as STRING_ADDRESSES[i]), known before it runs. */
    static long pathAddress(int i) {
        long at = STRINGS;
        for (int j = 0; j < i; j++) at += PATHS[j].getBytes(StandardCharsets.UTF_8).length + 1;
        return at;
    }

    /**
     * Edge cases of sequences: for each argument edge case, every implemented number in turn
     * with all six arguments set to it.
     */
    static List<List<long[]>> sequenceEdgeCases() {
        List<Long> implemented = new ArrayList<>();
        for (long n : IMPLEMENTED) implemented.add(n);
        List<List<long[]>> out = new ArrayList<>();
        for (long a : ARGUMENT_EDGE_CASES) out.add(uniformRequests(implemented, List.of(a)));
        return out;
    }

    /** The canaries themselves: a stray write on either side is seen; guard-page memory has none. */
    @Test
    void canariesNoticeAStrayWriteOnEitherSide() {
        for (long offset : new long[] {-1, RAM, -GuestMemory.CANARY_SIZE, RAM + GuestMemory.CANARY_SIZE - 8}) {
            try (GuestMemory m = GuestMemory.allocateWithCanaries(RAM)) {
                if (!m.canariesIntact()) throw new AssertionError("fresh canaries must be intact");
                m.fill(0, RAM, (byte) 0x77);                 // writes inside RAM do not count
                if (!m.canariesIntact()) throw new AssertionError("a write inside RAM damaged a canary");
                NativeBuffer.over(m.hostBase() + offset, 8).putByte(0, (byte) 0x5A);
                if (m.canariesIntact()) throw new AssertionError("a stray write at RAM offset " + offset + " went unnoticed");
                IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, m::close,
                        "close() reports the damage");
                if (!e.getMessage().contains("canary")) throw new AssertionError(e.getMessage());
            }
        }
        try (GuestMemory plain = GuestMemory.allocate(RAM)) {
            try {
                plain.canariesIntact();
                throw new AssertionError("memory with guard pages has no canaries to check");
            } catch (IllegalStateException expected) {
                // guard pages, not canaries
            }
        }
    }
}

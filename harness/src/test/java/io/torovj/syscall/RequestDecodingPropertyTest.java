package io.torovj.syscall;

import io.torovj.boot.BootInfo;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import io.torovj.transport.VmControl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The request block is guest memory, so any 64 bits may sit in nr and in each argument.
 * Written into guest RAM and executed with {@link SyscallDispatcher#executeRequest} under a
 * permissive policy rooted in a temporary directory, every request must come back as a Linux
 * return value (>= 0, or -4095..-1) without an exception, no handler may fail internally
 * (the dispatcher would log "internal error"), the canaries around guest RAM must stay intact,
 * and once the guest's fd table is closed the JVM must hold exactly the fds it held before.
 *
 * <p>Two adjustments keep a try from blocking the test legitimately, as a guest could choose
 * to: socket() always gets SOCK_NONBLOCK (a blocking UDP socket would wait forever in recv),
 * and stdin is /dev/null (fd 0 of this JVM is the test runner's command channel).
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
        @Override public void stop(Ending e, int s, String report) { stopped = true; }
        @Override public boolean isStopped() { return stopped; }
    }

    @BeforeProperty
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

    @AfterProperty
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
        memory.writeU64(REQUEST + BootInfo.REQ_NR, nr);
        long[] args = {a0, a1, a2, a3, a4, a5};
        for (int i = 0; i < 6; i++) memory.writeU64(REQUEST + BootInfo.REQ_ARGS + 8L * i, args[i]);
        memory.writeU64(REQUEST + BootInfo.REQ_RET, 0x5A5A5A5A5A5A5A5AL);
        dispatcher.executeRequest(REQUEST);
        long ret = memory.readU64(REQUEST + BootInfo.REQ_RET);
        if (ret < -4095) {
            throw new AssertionError(String.format("syscall %d(0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x) returned %d: not a Linux return value",
                    nr, a0, a1, a2, a3, a4, a5, ret));
        }
        return ret;
    }

    /** Any 64 bits in every field. */
    @Property(tries = 3000)
    void anyBits(@ForAll long nr, @ForAll long a0, @ForAll long a1, @ForAll long a2,
                 @ForAll long a3, @ForAll long a4, @ForAll long a5) {
        executeRequest(nr, a0, a1, a2, a3, a4, a5);
    }

    /** Implemented numbers with arguments that reach past the first checks. */
    @Property(tries = 10000)
    void implementedCallsWithHostileArguments(@ForAll("implemented") long nr, @ForAll("argument") long a0,
                                              @ForAll("argument") long a1, @ForAll("argument") long a2,
                                              @ForAll("argument") long a3, @ForAll("argument") long a4,
                                              @ForAll("argument") long a5) {
        executeRequest(nr, a0, a1, a2, a3, a4, a5);
    }

    /** Sequences, so that fds, sockets and mappings made by one call meet the next ones. */
    @Property(tries = 300)
    void sequences(@ForAll("calls") List<long[]> calls) {
        for (long[] c : calls) executeRequest(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
    }

    @Provide
    Arbitrary<Long> implemented() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(toList(IMPLEMENTED))),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-2, 600)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(toList(IMPLEMENTED)).map(n -> n | (1L << 32))));
    }

    @Provide
    Arbitrary<Long> argument() {
        Arbitrary<Long> small = Arbitraries.longs().between(-2, 20);
        Arbitrary<Long> special = Arbitraries.of(0L, -1L, -100L, 0xfffL, 0x1000L, RAM - 1, RAM - 8, RAM - 16, RAM,
                RAM + 4096, 0x7fffffffffffL, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, (1L << 32) + 1, 0xffffffffL,
                0x80000000L, 0x3FE00000L, 144L, 4096L, 65536L, 0x42L, 0x241L, 0x410002L, 0x200000L, 0x800L);
        Arbitrary<Long> strings = Arbitraries.integers().between(0, PATHS.length - 1).map(i -> STRING_ADDRESSES[i]);
        Arbitrary<Long> scratch = Arbitraries.longs().between(SCRATCH, SCRATCH + 0x10000);
        Arbitrary<Long> heap = Arbitraries.longs().between(HEAP_START, HEAP_END);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, small),
                net.jqwik.api.Tuple.of(4, special),
                net.jqwik.api.Tuple.of(3, strings),
                net.jqwik.api.Tuple.of(2, scratch),
                net.jqwik.api.Tuple.of(1, heap),
                net.jqwik.api.Tuple.of(3, Arbitraries.longs()));
    }

    @Provide
    Arbitrary<List<long[]>> calls() {
        Arbitrary<long[]> call = Combinators.combine(implemented(), argument(), argument(), argument(),
                argument(), argument(), argument()).as((n, a, b, c, d, e, f) -> new long[] {n, a, b, c, d, e, f});
        return call.list().ofMinSize(1).ofMaxSize(60);
    }

    private static List<Long> toList(long[] values) {
        List<Long> out = new ArrayList<>();
        for (long v : values) out.add(v);
        return out;
    }

    /** The canaries themselves: a stray write on either side is seen; guard-page memory has none. */
    @Example
    void canariesNoticeAStrayWriteOnEitherSide() {
        for (long offset : new long[] {-1, RAM, -GuestMemory.CANARY_SIZE, RAM + GuestMemory.CANARY_SIZE - 8}) {
            try (GuestMemory m = GuestMemory.allocateWithCanaries(RAM)) {
                if (!m.canariesIntact()) throw new AssertionError("fresh canaries must be intact");
                m.fill(0, RAM, (byte) 0x77);                 // writes inside RAM do not count
                if (!m.canariesIntact()) throw new AssertionError("a write inside RAM damaged a canary");
                NativeBuffer.over(m.hostBase() + offset, 8).putByte(0, (byte) 0x5A);
                if (m.canariesIntact()) throw new AssertionError("a stray write at RAM offset " + offset + " went unnoticed");
                long damagedBefore = GuestMemory.canaryDamage();
                m.close();
                if (GuestMemory.canaryDamage() != damagedBefore + 1) throw new AssertionError("close() did not count the damage");
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

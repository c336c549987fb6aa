package io.torovj.syscall;

import static io.torovj.syscall.SyscallLayer.AT_FDCWD;
import static io.torovj.syscall.SyscallLayer.BUF;
import static io.torovj.syscall.SyscallLayer.CLOSE;
import static io.torovj.syscall.SyscallLayer.OPENAT;
import static io.torovj.syscall.SyscallLayer.O_NONBLOCK;
import static io.torovj.syscall.SyscallLayer.O_RDONLY;
import static io.torovj.syscall.SyscallLayer.O_RDWR;
import static io.torovj.syscall.SyscallLayer.O_WRONLY;
import static io.torovj.syscall.SyscallLayer.READ;
import static io.torovj.syscall.SyscallLayer.RECVFROM;
import static io.torovj.syscall.SyscallLayer.SOCKET;
import static io.torovj.syscall.SyscallLayer.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.torovj.linux.Errno;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host calls that block until someone else acts (a FIFO's or a pipe's other end, a datagram)
 * end when the VM stops ({@link FdTable#interruptBlockingCalls}, what every stop of a VM runs),
 * with -EINTR; and until then they keep Linux's blocking semantics. The call runs on a thread of
 * its own, as a vCPU or ring poller thread would make it; the test stops it from its own thread,
 * as the watchdog does. No KVM needed.
 */
class BlockingCallsTest {
    /** Generous: a call that ends at the stop ends within milliseconds. */
    private static final long ENDS_WITHIN_SECONDS = 10;

    @TempDir Path tmp;
    private Path root;
    private SyscallLayer vm;
    private final int[] lent = {-1, -1, -1, -1};
    private final ExecutorService executing = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-executing-thread");
        t.setDaemon(true);                  // a call that never ends (the bug) must not keep the JVM alive
        return t;
    });

    @AfterEach
    void tearDown() {
        executing.shutdownNow();
        if (vm != null) vm.close();
        SyscallLayer.closeAll(lent);
    }

    private void boot(int stdin, int stdout) throws IOException {
        root = tmp.toRealPath();
        vm = new SyscallLayer(SyscallPolicy.permissive(root), stdin, stdout, stdout);
    }

    private void bootWithFiles() throws IOException {
        int devNull = LibC.INSTANCE.open("/dev/null", SyscallLayer.O_RDWR | SyscallLayer.O_CLOEXEC, 0);
        lent[0] = devNull;
        boot(devNull, devNull);
    }

    /** Starts {@code call} on the executing thread; checks it is still blocked after a moment. */
    private Future<Long> blocked(LongSupplier call) throws Exception {
        Future<Long> f = executing.submit(call::getAsLong);
        try {
            Long early = f.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("the call did not block: it returned " + early);
        } catch (TimeoutException expected) {
            return f;
        }
    }

    /** Stops the VM and returns what the blocked call answered. */
    private long stopAndWait(Future<Long> call) throws Exception {
        vm.fds.interruptBlockingCalls();
        try {
            return call.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the blocked host call did not end within " + ENDS_WITHIN_SECONDS + " s of the stop");
        }
    }

    private Path fifo(String name) throws Exception {
        Path p = root.resolve(name);
        SyscallLayer.mkfifo(p);
        return p;
    }

    @Test
    void readOfAFifoOpenedReadWriteEndsAtTheStop() throws Exception {
        bootWithFiles();
        fifo("f");
        long fd = vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDWR);
        assertTrue(fd >= 0, "open O_RDWR never blocks: " + fd);
        Future<Long> read = blocked(() -> vm.call(READ, fd, BUF, 16));
        assertEquals(-Errno.EINTR, stopAndWait(read));
    }

    @Test
    void openOfAFifoForReadingEndsAtTheStop() throws Exception {
        bootWithFiles();
        fifo("f");
        Future<Long> open = blocked(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDONLY));
        assertEquals(-Errno.EINTR, stopAndWait(open));
    }

    @Test
    void openOfAFifoForWritingEndsAtTheStop() throws Exception {
        bootWithFiles();
        fifo("f");
        Future<Long> open = blocked(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_WRONLY));
        assertEquals(-Errno.EINTR, stopAndWait(open));
    }

    @Test
    void writeToALentPipeNobodyReadsEndsAtTheStop() throws Exception {
        int[] p = SyscallLayer.pipe();
        lent[0] = p[0];
        lent[1] = p[1];
        boot(-1, p[1]);
        vm.mem.fill(BUF, 65536, (byte) 'x');
        // 64 KiB writes until one does not write everything: the pipe fills, and the next one blocks
        Future<Long> write = blocked(() -> {
            for (;;) {
                long n = vm.call(WRITE, 1, BUF, 65536);
                if (n != 65536) return n;
            }
        });
        long r = stopAndWait(write);
        assertTrue(r == -Errno.EINTR || (r >= 0 && r < 65536), "the blocked write ended with -EINTR or a short count: " + r);
    }

    @Test
    void readOfALentPipeNobodyWritesEndsAtTheStop() throws Exception {
        int[] p = SyscallLayer.pipe();
        lent[0] = p[0];
        lent[1] = p[1];
        boot(p[0], -1);
        Future<Long> read = blocked(() -> vm.call(READ, 0, BUF, 16));
        assertEquals(-Errno.EINTR, stopAndWait(read));
        int flags = LibC.INSTANCE.fcntl(p[0], SyscallLayer.F_GETFL, 0);
        assertEquals(0, flags & O_NONBLOCK, "the lent fd's description is left as it was (blocking)");
    }

    @Test
    void recvfromOnASocketEndsAtTheStop() throws Exception {
        bootWithFiles();
        long s = vm.call(SOCKET, 2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        assertTrue(s >= 0, "socket: " + s);
        Future<Long> recv = blocked(() -> vm.call(RECVFROM, s, BUF, 16, 0, 0, 0));
        assertEquals(-Errno.EINTR, stopAndWait(recv));
    }

    @Test
    void aStopBeforeTheCallEndsItAtOnce() throws Exception {
        bootWithFiles();
        fifo("f");
        long fd = vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDWR);
        vm.fds.interruptBlockingCalls();
        assertEquals(-Errno.EINTR, executing.submit(() -> vm.call(READ, fd, BUF, 16)).get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS));
        fifo("g");                          // no writer (f has one: the O_RDWR fd, so opening f would not wait)
        assertEquals(-Errno.EINTR, executing.submit(() -> vm.call(OPENAT, AT_FDCWD, vm.path("g"), O_RDONLY))
                .get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS));
        assertEquals(-Errno.EINTR, executing.submit(() -> vm.call(OPENAT, AT_FDCWD, vm.path("g"), O_WRONLY))
                .get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void fifoOpensWaitForTheOtherEndAsOnLinux() throws Exception {
        bootWithFiles();
        Path f = fifo("f");
        // the guest reads: its open returns when a writer opens, then it reads what was written, then EOF
        Future<Long> reader = blocked(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDONLY));
        try (FileOutputStream w = new FileOutputStream(f.toFile())) {
            long fd = reader.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertTrue(fd >= 0, "open for reading: " + fd);
            w.write("abc".getBytes(StandardCharsets.US_ASCII));
            w.flush();
            assertEquals(3, vm.call(READ, fd, BUF, 16));
            assertEquals('c', vm.mem.readU8(BUF + 2));
            w.close();
            assertEquals(0, vm.call(READ, fd, BUF, 16), "end of file once the writer is gone");
            assertEquals(0, vm.call(CLOSE, fd));
        }
        // the guest writes: its open returns when a reader opens
        Future<Long> writer = blocked(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_WRONLY));
        try (FileInputStream r = new FileInputStream(f.toFile())) {
            long fd = writer.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertTrue(fd >= 0, "open for writing: " + fd);
            vm.string(BUF, "xyz");
            assertEquals(3, vm.call(WRITE, fd, BUF, 3));
            assertEquals(0, vm.call(CLOSE, fd));
            byte[] got = new byte[16];
            int n = r.read(got);                    // readAllBytes would seek, which a FIFO refuses
            assertEquals("xyz", new String(got, 0, Math.max(n, 0), StandardCharsets.US_ASCII));
            assertEquals(-1, r.read(got), "end of file once the guest closed");
        }
        // the guest's own O_NONBLOCK: no waiting, Linux's answers
        assertEquals(-Errno.ENXIO, vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_WRONLY | O_NONBLOCK), "no reader");
        long nb = vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDWR | O_NONBLOCK);
        assertEquals(-Errno.EAGAIN, vm.call(READ, nb, BUF, 16), "empty, non-blocking");
        assertFalse(vm.control.isStopped());
    }

    @Test
    void aFifoOpenForReadingSeesAWriterThatCameAndWentOrStaysSilent() throws Exception {
        bootWithFiles();
        Path f = fifo("f");
        for (int round = 0; round < 20; round++) {
            // a writer that opens (as soon as the guest's open counts as a reader), writes, and is
            // gone at once: the guest's open returns all the same, and the data is there
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (FileOutputStream w = new FileOutputStream(f.toFile())) {
                    w.write("quick".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            long fd = executing.submit(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDONLY))
                    .get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertTrue(fd >= 0, "round " + round + ": " + fd);
            writer.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
            assertEquals(5, vm.call(READ, fd, BUF, 16));
            assertEquals(0, vm.call(READ, fd, BUF, 16), "end of file");
            assertEquals(0, vm.call(CLOSE, fd));
        }
        // a writer that opens and writes nothing, and stays: the open returns (Linux: at once; here
        // within the probe's period)
        CompletableFuture<FileOutputStream> silent = CompletableFuture.supplyAsync(() -> {
            try {
                return new FileOutputStream(f.toFile());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long fd = executing.submit(() -> vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDONLY)).get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
        assertTrue(fd >= 0, "silent writer: " + fd);
        try (FileOutputStream w = silent.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS)) {
            Future<Long> read = blocked(() -> vm.call(READ, fd, BUF, 16));
            w.write('!');
            w.flush();
            assertEquals(1L, read.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS), "a blocking read waits for data");
        }
        assertFalse(vm.control.isStopped());
    }

    @Test
    void aBlockingWriteToALentPipeWritesEverything() throws Exception {
        int[] p = SyscallLayer.pipe();
        lent[0] = p[0];
        lent[1] = p[1];
        boot(-1, p[1]);
        int size = 300_000;                 // more than the pipe holds: the write waits for the reader
        for (int i = 0; i < size; i++) vm.mem.writeU8(BUF + i, (byte) ('a' + i % 26));
        CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
            NativeBuffer b = new NativeBuffer(1000);
            long total = 0;
            while (total < size) {
                try {
                    Thread.sleep(1);        // a slow reader
                } catch (InterruptedException e) {
                    return -1L;
                }
                long n = LibC.INSTANCE.read(p[0], b.address(), 1000);
                if (n <= 0) return total;
                total += n;
            }
            return total;
        });
        long written = executing.submit(() -> vm.call(WRITE, 1, BUF, size)).get(60, TimeUnit.SECONDS);
        assertEquals(size, written, "a blocking write to a pipe writes everything");
        assertEquals((long) size, drained.get(60, TimeUnit.SECONDS));
    }

    @Test
    void regularFilesTakeTheDirectPath() throws Exception {
        bootWithFiles();
        Files.writeString(root.resolve("r"), "data");
        long fd = vm.call(OPENAT, AT_FDCWD, vm.path("r"), O_RDONLY);
        assertTrue(vm.fds.neverBlocks(fd));
        assertTrue(vm.fds.neverBlocks(0), "/dev/null never blocks");
        fifo("f");
        long ff = vm.call(OPENAT, AT_FDCWD, vm.path("f"), O_RDWR);
        assertFalse(vm.fds.neverBlocks(ff), "a FIFO may block");
        // even stopped, a regular file is read: no poll on that path
        vm.fds.interruptBlockingCalls();
        assertEquals(4, vm.call(READ, fd, BUF, 16));
    }
}

package io.torovj.syscall;

import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.log.MonitorLog;
import io.torovj.memory.GuestMemory;
import io.torovj.policy.SyscallPolicy;
import io.torovj.sys.FileCalls;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The syscall layer of one VM without a VM, for tests: guest memory, the fd table (with the
 * stdio the test lends), the path resolver, the dispatcher with every handler, and helpers to
 * call it as a guest would and to make host pipes and FIFOs.
 */
final class SyscallLayer implements AutoCloseable {
    static final int READ = 0, WRITE = 1, OPEN = 2, CLOSE = 3, FSTAT = 5, UNLINK = 87, OPENAT = 257,
            UNLINKAT = 263, SOCKET = 41, RECVFROM = 45;
    static final long AT_FDCWD = -100;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_NONBLOCK = 0x800,
            O_TMPFILE = 0x410000, O_CLOEXEC = 0x80000, O_PATH = 0x200000, O_DIRECTORY = 0x10000,
            AT_REMOVEDIR = 0x200, F_GETFL = 3;
    static final long RAM = 4L << 20, BUF = 0x100000, PATH = 0x80000;

    final GuestMemory mem = GuestMemory.allocate(RAM);
    final FdTable fds;
    final PathResolver paths;
    final SyscallDispatcher d;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final VmControl control = new VmControl() {
        private volatile boolean stopped;
        @Override public void stop(Ending ending, String report) { stopped = true; }
        @Override public void exit(int status) { stopped = true; }
        @Override public void fault(int signal, String report) { stopped = true; }
        @Override public boolean isStopped() { return stopped; }
    };

    SyscallLayer(SyscallPolicy policy, int stdin, int stdout, int stderr) {
        fds = new FdTable(16);
        fds.installStdio(stdin, stdout, stderr);
        MonitorLog monitorLog = new MonitorLog(new PrintStream(log, true, StandardCharsets.UTF_8));
        paths = new PathResolver(mem, fds, policy, monitorLog);
        d = new SyscallDispatcher(mem, policy, control, monitorLog);
        new FileSyscalls(mem, fds, paths).registerWith(d);
        new ProcessSyscalls(mem, control).registerWith(d);
        new SocketSyscalls(mem, fds, policy, monitorLog).registerWith(d);
    }

    /** One system call, as the guest makes it (thread: the caller, which is then the executing thread). */
    long call(int nr, long... a) {
        long[] x = new long[6];
        System.arraycopy(a, 0, x, 0, a.length);
        return d.execute(nr, x[0], x[1], x[2], x[3], x[4], x[5]);
    }

    /** Writes {@code s} to guest memory at {@code at} as a C string; returns at. */
    long string(long at, String s) {
        mem.write(at, (s + "\0").getBytes(StandardCharsets.UTF_8));
        return at;
    }

    long path(String s) { return string(PATH, s); }

    /** A host pipe, close-on-exec: {read end, write end}. */
    static int[] pipe() {
        NativeBuffer p = new NativeBuffer(8);
        if (FileCalls.INSTANCE.pipe2(p.address(), O_CLOEXEC) != 0) throw new IllegalStateException("pipe2 failed");
        return new int[] {p.getInt(0), p.getInt(4)};
    }

    /**
     * A host pipe whose read end the guest holds: its guest fd. The write end, the test's to write
     * and to close, goes to {@code writeEnd[0]}.
     */
    long guestPipe(int[] writeEnd) {
        int[] p = pipe();
        writeEnd[0] = p[1];
        long fd = fds.install(p[0], false);
        if (fd < 3) throw new IllegalStateException("pipe not installed: " + fd);
        return fd;
    }

    /** A daemon thread to stand for the VM's executing thread in a call that blocks (the test thread then stops it). */
    static java.util.concurrent.ExecutorService executingThread() {
        return java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-executing-thread");
            t.setDaemon(true);
            return t;
        });
    }

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        if (proc.waitFor() != 0) throw new IOException("mkfifo " + p + " failed");
    }

    static void closeAll(int... hostFds) {
        for (int fd : hostFds) if (fd >= 0) LibC.INSTANCE.close(fd);
    }

    @Override
    public void close() {
        paths.close();
        fds.close();
        mem.close();
    }
}

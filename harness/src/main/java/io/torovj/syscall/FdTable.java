package io.torovj.syscall;

import io.torovj.linux.Errno;
import io.torovj.linux.FileModes;
import io.torovj.linux.OpenFlags;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostStat;

/**
 * The guest's file descriptors: small integers that index this per-VM table, never host fds.
 * A guest can only name what the table holds, so the JVM's own fds, /dev/kvm and the VM fds are
 * unreachable. Host fds the guest opened are owned and closed with the table; the inherited
 * 0/1/2 (the monitor's stdio, or files a test chose) are not.
 *
 * <p>Each entry also records, from an fstat when it is installed, whether a host call on it may
 * block ({@link #neverBlocks}: regular files, directories, block devices and /dev/null-like
 * memory devices never do; pipes, FIFOs, sockets, terminals may), so that the common case pays
 * nothing. The host file description of an owned fd that may block is always O_NONBLOCK (the
 * monitor opened it, nobody else shares it), and the table remembers whether the guest asked for
 * O_NONBLOCK ({@link #guestNonblocking}): {@link BlockingIo} gives the guest Linux's blocking
 * semantics on top, with waits that the VM's {@link StopSignal} ends. Lent fds keep their flags.
 */
public final class FdTable implements AutoCloseable, io.torovj.lifecycle.Rewindable {
    /** A host call on the fd never blocks for long (regular file, directory, block device, /dev/null, ...). */
    static final byte NEVER_BLOCKS = 0;
    /** A host call on the fd may block until someone else acts: pipe, FIFO, terminal, other character device. */
    static final byte MAY_BLOCK = 1;
    /** A socket: may block; send and receive take MSG_DONTWAIT per call. */
    static final byte SOCKET = 2;
    /** For {@link #install(int, boolean, boolean, int)}: find the kind out with fstat. */
    static final int KIND_UNKNOWN = -1;

    private final int[] hostFds;
    private final boolean[] owned;
    private final boolean[] beneathRoot;
    private final byte[] kinds;
    private final boolean[] guestNonblocking;
    private final HostStat stat = new HostStat();
    private final StopSignal stop = new StopSignal();
    private int[] lentStdio = {-1, -1, -1};
    private final byte[] lentKinds = new byte[3];

    /** @param capacity maximum number of guest fds (including 0, 1, 2) */
    public FdTable(int capacity) {
        if (capacity < 3) throw new IllegalArgumentException("fd table needs room for stdin, stdout, stderr");
        hostFds = new int[capacity];
        owned = new boolean[capacity];
        beneathRoot = new boolean[capacity];
        kinds = new byte[capacity];
        guestNonblocking = new boolean[capacity];
        java.util.Arrays.fill(hostFds, -1);
    }

    /**
     * A pooled VM's reset: every fd the guest opened is closed, 0, 1 and 2 are the lent stdio
     * again, and the stop signal is re-armed.
     */
    @Override
    public synchronized void rewind() {
        closeAll();
        for (int i = 0; i < 3; i++) {
            hostFds[i] = lentStdio[i];
            kinds[i] = lentKinds[i];        // as found at install: a renewed stdin is the same kind of file
        }
        stop.rearm();
    }

    /** Maps guest fds 0, 1, 2 to host fds the monitor keeps ownership of (their flags are left as they are). */
    public synchronized void installStdio(int stdin, int stdout, int stderr) {
        int[] lent = {stdin, stdout, stderr};
        lentStdio = lent;
        for (int i = 0; i < 3; i++) {
            hostFds[i] = lent[i];
            owned[i] = false;
            beneathRoot[i] = false;
            kinds[i] = lent[i] < 0 ? NEVER_BLOCKS : kindOf(lent[i]);
            lentKinds[i] = kinds[i];
            guestNonblocking[i] = false;      // unused for lent fds: their description's flag decides, per call
        }
    }

    /** The host fd behind guest fd {@code fd}, or -1 if it is not open. */
    public int host(long fd) {
        int i = (int) fd;                     // the kernel reads fd arguments as 32-bit ints
        if (i < 0 || i >= hostFds.length) return -1;
        return hostFds[i];
    }

    /** True if guest fd {@code fd} was opened beneath the policy root (so it may anchor relative paths). */
    public boolean isBeneathRoot(long fd) {
        int i = (int) fd;
        return i >= 0 && i < hostFds.length && hostFds[i] >= 0 && beneathRoot[i];
    }

    /** True if no host call on open guest fd {@code fd} can block for long: the fast path, no poll. */
    boolean neverBlocks(long fd) {
        int i = (int) fd;
        return i < 0 || i >= hostFds.length || kinds[i] == NEVER_BLOCKS;
    }

    /** True if open guest fd {@code fd} is a socket. */
    boolean isSocket(long fd) {
        int i = (int) fd;
        return i >= 0 && i < hostFds.length && kinds[i] == SOCKET;
    }

    /** True if the monitor owns {@code fd}'s host fd (it opened it; not lent stdio). */
    boolean isOwned(long fd) {
        int i = (int) fd;
        return i >= 0 && i < hostFds.length && hostFds[i] >= 0 && owned[i];
    }

    /** For an owned fd: true if the guest asked for O_NONBLOCK (SOCK_NONBLOCK) when it made it. */
    boolean guestNonblocking(long fd) {
        int i = (int) fd;
        return i >= 0 && i < hostFds.length && guestNonblocking[i];
    }

    /** The VM's stop, as the host calls on these fds wait for it. */
    StopSignal stopSignal() { return stop; }

    /**
     * Takes ownership of {@code hostFd} under the lowest free guest fd; -EMFILE (and closes it) if
     * full. The guest sees the O_NONBLOCK flag the description has now.
     */
    public int install(int hostFd, boolean opensBeneathRoot) {
        int flags = HostFiles.statusFlags(hostFd);
        return install(hostFd, opensBeneathRoot, flags >= 0 && (flags & OpenFlags.O_NONBLOCK) != 0, KIND_UNKNOWN);
    }

    /**
     * Takes ownership of {@code hostFd} under the lowest free guest fd; -EMFILE (and closes it) if
     * full. {@code guestNonblocking}: the guest asked for O_NONBLOCK. {@code kind}: what
     * {@link #NEVER_BLOCKS}, {@link #MAY_BLOCK} or {@link #SOCKET} it is, or {@link #KIND_UNKNOWN}
     * (an fstat finds out). A host fd that may block is made O_NONBLOCK.
     */
    synchronized int install(int hostFd, boolean opensBeneathRoot, boolean guestNonblocking, int kind) {
        byte k = kind == KIND_UNKNOWN ? kindOf(hostFd) : (byte) kind;
        for (int i = 0; i < hostFds.length; i++) {
            if (hostFds[i] < 0) {
                if (k != NEVER_BLOCKS && HostFiles.setNonblocking(hostFd, true) < 0) {
                    k = NEVER_BLOCKS;           // an O_PATH fd (EBADF): no I/O on it can block
                }
                hostFds[i] = hostFd;
                owned[i] = true;
                beneathRoot[i] = opensBeneathRoot;
                kinds[i] = k;
                this.guestNonblocking[i] = guestNonblocking;
                return i;
            }
        }
        HostFiles.close(hostFd);
        return -Errno.EMFILE;
    }

    /** The number of guest fds the table holds (RLIMIT_NOFILE as the guest sees it). */
    int capacity() { return hostFds.length; }

    /** Records that the guest set or cleared O_NONBLOCK on owned fd {@code fd} (fcntl F_SETFL). */
    synchronized void setGuestNonblocking(long fd, boolean nonblocking) {
        int i = (int) fd;
        if (i >= 0 && i < hostFds.length && hostFds[i] >= 0) guestNonblocking[i] = nonblocking;
    }

    /**
     * fcntl F_DUPFD and dup: guest fd {@code fd} again, under the lowest free guest fd at or
     * above {@code lowest}. -EBADF if {@code fd} is not open, -EINVAL if {@code lowest} is
     * outside the table, -EMFILE if no fd is free there.
     */
    synchronized int dup(long fd, long lowest) {
        if (host(fd) < 0) return -Errno.EBADF;
        if (lowest < 0 || lowest >= hostFds.length) return -Errno.EINVAL;
        for (int i = (int) lowest; i < hostFds.length; i++) {
            if (hostFds[i] < 0) return duplicateInto((int) fd, i);
        }
        return -Errno.EMFILE;
    }

    /**
     * dup2 and dup3: guest fd {@code fd} again under {@code target}, which is closed first if
     * open (silently, as Linux does). -EBADF if {@code fd} is not open or {@code target} is
     * outside the table. The same fd twice is the caller's to judge (dup2 returns it, dup3 is
     * -EINVAL).
     */
    synchronized int dupTo(long fd, long target) {
        if (host(fd) < 0) return -Errno.EBADF;
        if (target < 0 || target >= hostFds.length) return -Errno.EBADF;
        if (target == fd) return (int) fd;
        if (hostFds[(int) target] >= 0) close(target);
        return duplicateInto((int) fd, (int) target);
    }

    /**
     * Makes free guest fd {@code to} name {@code from}'s open file description, as Linux's dup
     * does (one offset, one set of status flags). An owned host fd is duplicated on the host
     * (closed with its entry); a lent one is shared as it is (the lender's, never closed), so
     * that its description stays the lender's: never made O_NONBLOCK.
     */
    private int duplicateInto(int from, int to) {
        int host = hostFds[from];
        if (owned[from]) {
            host = HostFiles.dup(host);
            if (host < 0) return host;                 // the monitor itself is out of fds: -EMFILE, as the guest would be
        }
        hostFds[to] = host;
        owned[to] = owned[from];
        beneathRoot[to] = beneathRoot[from];
        kinds[to] = kinds[from];
        guestNonblocking[to] = guestNonblocking[from];
        return to;
    }

    /** Closes guest fd {@code fd}: 0 or -EBADF. Host fds the monitor lent are not closed. */
    public synchronized int close(long fd) {
        int host = host(fd);
        if (host < 0) return -Errno.EBADF;
        int i = (int) fd;
        hostFds[i] = -1;
        beneathRoot[i] = false;
        kinds[i] = NEVER_BLOCKS;
        guestNonblocking[i] = false;
        int rc = 0;
        if (owned[i]) rc = HostFiles.close(host);
        owned[i] = false;
        return rc == -Errno.EINTR ? 0 : rc;
    }

    /**
     * Wakes any host call blocked on one of the guest's fds (a read of a pipe, a recv, an
     * accept, the open of a FIFO, ...) and keeps any later one from waiting: called whenever the
     * VM is stopped (a time limit, a policy kill, a fault, the guest's exit), from whatever
     * thread, so that a thread executing a call sees the stop. It signals the VM's
     * {@link StopSignal}, which every such wait includes. Idempotent.
     */
    public void interruptBlockingCalls() {
        stop.stop();
    }

    /** What kind of file host fd {@code fd} is: {@link #NEVER_BLOCKS}, {@link #MAY_BLOCK} or {@link #SOCKET}. */
    private byte kindOf(int fd) {
        synchronized (stat) {
            if (stat.fstat(fd) < 0) return MAY_BLOCK;          // unknown: take the careful path
            return kindOf(stat.mode(), stat.rdev());
        }
    }

    /** The kind of a file with {@code st_mode} {@code mode} and {@code st_rdev} {@code rdev}. */
    static byte kindOf(int mode, long rdev) {
        switch (mode & FileModes.S_IFMT) {
            case FileModes.S_IFREG, FileModes.S_IFDIR, FileModes.S_IFBLK, FileModes.S_IFLNK:
                return NEVER_BLOCKS;
            case FileModes.S_IFSOCK:
                return SOCKET;
            case FileModes.S_IFCHR:
                return isMemoryDevice(rdev) ? NEVER_BLOCKS : MAY_BLOCK;
            default:
                return MAY_BLOCK;              // FIFOs, anonymous inodes (eventfd, ...), anything unknown
        }
    }

    /** /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom (major 1): reads and writes never wait. */
    private static boolean isMemoryDevice(long rdev) {
        int minor = FileModes.minor(rdev);
        return FileModes.major(rdev) == 1 && (minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9);
    }

    /** Every entry empty, the host fds the guest owned closed (the lent ones stay open). */
    private void closeAll() {
        for (int i = 0; i < hostFds.length; i++) {
            if (hostFds[i] >= 0 && owned[i]) HostFiles.close(hostFds[i]);
            hostFds[i] = -1;
            owned[i] = false;
            beneathRoot[i] = false;
            kinds[i] = NEVER_BLOCKS;
            guestNonblocking[i] = false;
        }
    }

    @Override
    public synchronized void close() {
        closeAll();
        stop.close();
    }
}

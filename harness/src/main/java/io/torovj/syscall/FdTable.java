package io.torovj.syscall;

import io.torovj.linux.Errno;
import io.torovj.linux.SocketConstants;
import io.torovj.sys.HostFiles;
import io.torovj.sys.HostSockets;

/**
 * The guest's file descriptors: small integers that index this per-VM table, never host fds.
 * A guest can only name what the table holds, so the JVM's own fds, /dev/kvm and the VM fds are
 * unreachable. Host fds the guest opened are owned and closed with the table; the inherited
 * 0/1/2 (the monitor's stdio, or files a test chose) are not.
 */
public final class FdTable implements AutoCloseable {
    private final int[] hostFds;
    private final boolean[] owned;
    private final boolean[] beneathRoot;

    /** @param capacity maximum number of guest fds (including 0, 1, 2) */
    public FdTable(int capacity) {
        if (capacity < 3) throw new IllegalArgumentException("fd table needs room for stdin, stdout, stderr");
        hostFds = new int[capacity];
        owned = new boolean[capacity];
        beneathRoot = new boolean[capacity];
        java.util.Arrays.fill(hostFds, -1);
    }

    /** Maps guest fds 0, 1, 2 to host fds the monitor keeps ownership of. */
    public void installStdio(int stdin, int stdout, int stderr) {
        hostFds[0] = stdin;
        hostFds[1] = stdout;
        hostFds[2] = stderr;
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

    /** Takes ownership of {@code hostFd} under the lowest free guest fd; -EMFILE (and closes it) if full. */
    public synchronized int install(int hostFd, boolean opensBeneathRoot) {
        for (int i = 0; i < hostFds.length; i++) {
            if (hostFds[i] < 0) {
                hostFds[i] = hostFd;
                owned[i] = true;
                beneathRoot[i] = opensBeneathRoot;
                return i;
            }
        }
        HostFiles.close(hostFd);
        return -Errno.EMFILE;
    }

    /** Closes guest fd {@code fd}: 0 or -EBADF. Host fds the monitor lent are not closed. */
    public synchronized int close(long fd) {
        int host = host(fd);
        if (host < 0) return -Errno.EBADF;
        int i = (int) fd;
        hostFds[i] = -1;
        beneathRoot[i] = false;
        int rc = 0;
        if (owned[i]) rc = HostFiles.close(host);
        owned[i] = false;
        return rc == -Errno.EINTR ? 0 : rc;
    }

    /**
     * Wakes any host call blocked on one of the guest's own fds (recv, accept, ...): called when
     * the VM is stopped from another thread (a time limit, a policy kill), so that the thread
     * executing the call sees the stop. shutdown(2) wakes blocked socket calls, connected or not;
     * on other fds it fails harmlessly. Synchronized with install/close, so it never touches a
     * host fd the table has already given back (which the JVM might be reusing).
     */
    public synchronized void interruptBlockingCalls() {
        for (int i = 0; i < hostFds.length; i++) {
            if (hostFds[i] >= 0 && owned[i]) HostSockets.shutdown(hostFds[i], SocketConstants.SHUT_RDWR);
        }
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < hostFds.length; i++) {
            if (hostFds[i] >= 0 && owned[i]) HostFiles.close(hostFds[i]);
            hostFds[i] = -1;
            owned[i] = false;
        }
    }
}

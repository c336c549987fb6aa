package io.torovj.syscall;

import io.torovj.linux.CanonicalAddress;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.sys.HostProcess;
import io.torovj.sys.HostRandom;
import java.nio.charset.StandardCharsets;

/**
 * What a static libc (glibc, musl) and busybox ask of the kernel while they start and run,
 * beyond files and memory, answered for a single-threaded guest with no kernel of its own:
 * arch_prctl (the thread pointer, through {@link SegmentBases}), set_tid_address,
 * set_robust_list, prlimit64, getrandom, uname, readlink of /proc/self/exe, the uid and gid
 * calls, prctl's process name, sched_getaffinity, mprotect, sysinfo (the guest's machine),
 * getcwd, time and gettimeofday, and signal dispositions and masks (recorded,
 * never delivered). Threads, signals delivered to the guest and fork stay out of scope: what is not
 * registered answers -ENOSYS (rseq among them, which glibc tolerates). Linux semantics and errno
 * otherwise; none of these is on a hot path.
 */
public final class StartupSyscalls implements io.torovj.lifecycle.Rewindable, SyscallGroup {
    static final long ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    static final long PR_SET_NAME = 15, PR_GET_NAME = 16;
    static final int RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIM_NLIMITS = 16;
    static final long RLIM_INFINITY = -1L;
    static final int UTS_FIELD = 65, ROBUST_LIST_HEAD_SIZE = 24, GRND_FLAGS = 0x1 | 0x2 | 0x4;
    static final int GETRANDOM_MAX = 4096, TASK_COMM_LEN = 16;
    static final String PROC_SELF_EXE = "/proc/self/exe";

    private final GuestMemory memory;
    private final SegmentBases segments;
    /** What /proc/self/exe reads as: absolute, as the kernel's always is (glibc asserts it). */
    private final byte[] exePath;
    private final long stackBytes;
    private final long maxOpenFiles;
    /** When the VM was made: sysinfo's uptime counts from here. */
    private final long startNanos = System.nanoTime();
    private final byte[] name = new byte[TASK_COMM_LEN];
    private final byte[] initialName = new byte[TASK_COMM_LEN];
    private final byte[] path = new byte[PROC_SELF_EXE.length() + 2];

    /**
     * @param programName  what /proc/self/exe reads as and the initial process name (the guest's
     *                     own argv[0], never a host path)
     * @param stackBytes   the guest stack's size (RLIMIT_STACK)
     * @param maxOpenFiles the fd table's size (RLIMIT_NOFILE)
     * @param fds          the guest's fds: not used here (the file layer, {@link FileSyscalls}, serves calls on them)
     */
    public StartupSyscalls(GuestMemory memory, FdTable fds, SegmentBases segments, String programName,
                           long stackBytes, long maxOpenFiles) {
        this.memory = memory;
        this.segments = segments;
        String base = programName.substring(programName.lastIndexOf('/') + 1);
        this.exePath = (programName.startsWith("/") ? programName : "/" + base).getBytes(StandardCharsets.UTF_8);
        this.stackBytes = stackBytes;
        this.maxOpenFiles = maxOpenFiles;
        byte[] n = base.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, name, 0, Math.min(n.length, TASK_COMM_LEN - 1));
        System.arraycopy(name, 0, initialName, 0, TASK_COMM_LEN);
    }

    /** A pooled VM's reset: no signal blocked, the process name the program started with. */
    @Override
    public void rewind() {
        blockedSignals = 0;
        System.arraycopy(initialName, 0, name, 0, TASK_COMM_LEN);
    }

    @Override
    public SyscallHandler handler(String call) {
        return switch (call) {
            case "arch_prctl" -> (code, addr, a2, a3, a4, a5) -> archPrctl(code, addr);
            case "set_tid_address" -> (tidptr, a1, a2, a3, a4, a5) -> HostProcess.pid();
            case "set_robust_list" -> (head, len, a2, a3, a4, a5) -> len == ROBUST_LIST_HEAD_SIZE ? 0 : -Errno.EINVAL;
            case "prlimit64" -> (pid, resource, newLimit, oldLimit, a4, a5) -> prlimit(pid, resource, newLimit, oldLimit);
            case "getrlimit" -> (resource, oldLimit, a2, a3, a4, a5) -> prlimit(0, resource, 0, oldLimit);
            case "getrandom" -> (buf, len, flags, a3, a4, a5) -> getrandom(buf, len, flags);
            case "uname" -> (buf, a1, a2, a3, a4, a5) -> uname(buf);
            case "readlink" -> (p, buf, size, a3, a4, a5) -> readlink(p, buf, size);
            case "readlinkat" -> (dirfd, p, buf, size, a4, a5) -> readlink(p, buf, size);
            case "getuid", "geteuid", "getgid", "getegid" -> (a0, a1, a2, a3, a4, a5) -> 0;      // the guest is root of its own box
            case "prctl" -> (option, arg2, a2, a3, a4, a5) -> prctl(option, arg2);
            case "sched_getaffinity" -> (pid, size, mask, a3, a4, a5) -> schedGetaffinity(pid, size, mask);
            case "mprotect" -> (addr, len, prot, a3, a4, a5) -> mprotect(addr, len);
            case "sysinfo" -> (info, a1, a2, a3, a4, a5) -> sysinfo(info);
            case "getcwd" -> (buf, size, a2, a3, a4, a5) -> getcwd(buf, size);
            case "rt_sigaction" -> (sig, act, oldact, setsize, a4, a5) -> sigaction(sig, act, oldact, setsize);
            case "rt_sigprocmask" -> (how, set, oldset, setsize, a4, a5) -> sigprocmask(how, set, oldset, setsize);
            case "time" -> (tloc, a1, a2, a3, a4, a5) -> time(tloc);
            case "gettimeofday" -> (tv, tz, a2, a3, a4, a5) -> gettimeofday(tv, tz);
            default -> null;
        };
    }

    static final int SIGKILL = 9, SIGSTOP = 19, NSIG = 64, SIGACTION_SIZE = 32;

    /** The guest's working directory is its root ("/"): relative paths resolve beneath the policy root. */
    private long getcwd(long buf, long size) {
        if (size < 2) return -Errno.ERANGE;
        memory.write(buf, new byte[] {'/', 0});
        return 2;
    }

    /**
     * Signal dispositions are recorded, never delivered (there is no signal a host event could
     * send the guest): every one reads back as the default, and setting one is accepted.
     */
    private long sigaction(long sig, long act, long oldact, long setsize) {
        if (setsize != 8 || sig < 1 || sig > NSIG) return -Errno.EINVAL;
        if (act != 0 && (sig == SIGKILL || sig == SIGSTOP)) return -Errno.EINVAL;
        if (act != 0 && !memory.contains(act, SIGACTION_SIZE)) return -Errno.EFAULT;
        if (oldact != 0) memory.fill(oldact, SIGACTION_SIZE, (byte) 0);
        return 0;
    }

    private long blockedSignals;

    /** The blocked-signal mask is kept (and read back), nothing being delivered either way. */
    private long sigprocmask(long how, long set, long oldset, long setsize) {
        if (setsize != 8) return -Errno.EINVAL;
        long next = blockedSignals;
        if (set != 0) {
            long s = memory.readU64(set) & ~((1L << (SIGKILL - 1)) | (1L << (SIGSTOP - 1)));
            if (how == 0) next |= s;                 // SIG_BLOCK
            else if (how == 1) next &= ~s;           // SIG_UNBLOCK
            else if (how == 2) next = s;             // SIG_SETMASK
            else return -Errno.EINVAL;
        }
        if (oldset != 0) memory.writeU64(oldset, blockedSignals);
        blockedSignals = next;
        return 0;
    }

    private long time(long tloc) {
        long seconds = System.currentTimeMillis() / 1000;
        if (tloc != 0) memory.writeU64(tloc, seconds);
        return seconds;
    }

    private long gettimeofday(long tv, long tz) {
        long micros = System.currentTimeMillis() * 1000;
        if (tv != 0) {
            memory.writeU64(tv, micros / 1_000_000);
            memory.writeU64(tv + 8, micros % 1_000_000);
        }
        if (tz != 0) memory.writeU64(tz, 0);
        return 0;
    }

    private long archPrctl(long code, long addr) {
        if (code == ARCH_SET_FS || code == ARCH_SET_GS) {
            if (!CanonicalAddress.is(addr)) return -Errno.EPERM;   // Linux: a non-canonical base is refused
            if (code == ARCH_SET_FS) segments.setFs(addr);
            else segments.setGs(addr);
            return 0;
        }
        if (code == ARCH_GET_FS || code == ARCH_GET_GS) {
            memory.writeU64(addr, code == ARCH_GET_FS ? segments.fs() : segments.gs());
            return 0;
        }
        return -Errno.EINVAL;
    }

    private long prlimit(long pid, long resource, long newLimit, long oldLimit) {
        if (pid != 0 && pid != HostProcess.pid()) return -Errno.ESRCH;
        if (resource < 0 || resource >= RLIM_NLIMITS) return -Errno.EINVAL;
        if (newLimit != 0) return -Errno.EPERM;                  // the policy sets the limits, not the guest
        if (oldLimit != 0) {
            long limit = resource == RLIMIT_STACK ? stackBytes : resource == RLIMIT_NOFILE ? maxOpenFiles : RLIM_INFINITY;
            memory.writeU64(oldLimit, limit);
            memory.writeU64(oldLimit + 8, limit);
        }
        return 0;
    }

    private long getrandom(long buf, long len, long flags) {
        if ((flags & ~GRND_FLAGS) != 0) return -Errno.EINVAL;
        if (len < 0) return -Errno.EINVAL;
        int n = (int) Math.min(len, GETRANDOM_MAX);              // a short read, as Linux may give
        if (!memory.contains(buf, n)) return -Errno.EFAULT;
        byte[] bytes = new byte[n];
        HostRandom.fill(bytes);
        memory.write(buf, bytes);
        return n;
    }

    private long uname(long buf) {
        String[] fields = {"Linux", "torovj", "6.1.0-torovj", "#1 ToroV/J", "x86_64", "(none)"};
        if (!memory.contains(buf, (long) UTS_FIELD * fields.length)) return -Errno.EFAULT;
        byte[] field = new byte[UTS_FIELD];
        for (int i = 0; i < fields.length; i++) {
            java.util.Arrays.fill(field, (byte) 0);
            byte[] v = fields[i].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(v, 0, field, 0, v.length);
            memory.write(buf + (long) i * UTS_FIELD, field);
        }
        return 0;
    }

    /** Only /proc/self/exe: the guest's own program name. Any other path is not a link the guest can see. */
    private long readlink(long p, long buf, long size) {
        int n = memory.readCString(p, path, path.length);
        if (n < 0) return -Errno.ENAMETOOLONG;
        if (n != PROC_SELF_EXE.length() || !PROC_SELF_EXE.equals(new String(path, 0, n, StandardCharsets.US_ASCII))) {
            return -Errno.ENOENT;
        }
        if (size <= 0) return -Errno.EINVAL;
        int len = (int) Math.min(size, exePath.length);          // readlink does not NUL-terminate
        memory.write(buf, exePath, 0, len);
        return len;
    }

    private long prctl(long option, long arg) {
        if (option == PR_GET_NAME) {
            memory.write(arg, name);
            return 0;
        }
        if (option == PR_SET_NAME) {
            byte[] n = new byte[TASK_COMM_LEN];
            int len = memory.readCString(arg, n, TASK_COMM_LEN - 1);
            java.util.Arrays.fill(name, (byte) 0);
            System.arraycopy(n, 0, name, 0, len < 0 ? TASK_COMM_LEN - 1 : len);
            return 0;
        }
        return -Errno.EINVAL;
    }

    private long schedGetaffinity(long pid, long size, long mask) {
        if (pid != 0 && pid != HostProcess.pid()) return -Errno.ESRCH;
        if (size < 8 || (size & 7) != 0) return -Errno.EINVAL;
        memory.writeU64(mask, 1);                                 // one vCPU: CPU 0
        return 8;
    }

    /** Guest memory keeps the protections its page tables were built with; a range inside RAM is accepted as it is. */
    private long mprotect(long addr, long len) {
        if ((addr & (GuestMemory.PAGE_SIZE - 1)) != 0 || len < 0) return -Errno.EINVAL;
        long rounded = (len + GuestMemory.PAGE_SIZE - 1) & -GuestMemory.PAGE_SIZE;
        return memory.contains(addr, rounded) ? 0 : -Errno.ENOMEM;
    }

    /** sizeof(struct sysinfo) on x86-64, and the offsets of the fields set. */
    static final int SYSINFO_SIZE = 112, SI_TOTALRAM = 32, SI_FREERAM = 40, SI_PROCS = 80, SI_MEM_UNIT = 104;

    /**
     * sysinfo: the guest's own machine, never the host's. Uptime counts from the VM's start,
     * RAM is guest RAM (free: what the guest has not touched), no swap, one process, loads 0.
     */
    private long sysinfo(long info) {
        if (!memory.contains(info, SYSINFO_SIZE)) return -Errno.EFAULT;
        long total = memory.size();
        memory.fill(info, SYSINFO_SIZE, (byte) 0);
        memory.writeU64(info, (System.nanoTime() - startNanos) / 1_000_000_000L);
        memory.writeU64(info + SI_TOTALRAM, total);
        memory.writeU64(info + SI_FREERAM, Math.max(0, total - memory.residentBytes()));
        memory.writeU16(info + SI_PROCS, (short) 1);
        memory.writeU32(info + SI_MEM_UNIT, 1);
        return 0;
    }
}

package io.torovj.kvm;

import io.torovj.linux.Errno;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.lang.ref.Reference;

/**
 * One vCPU fd and its kvm_run mapping. {@link #run()} enters the guest and returns the exit,
 * decoded from kvm_run into a reusable {@link VcpuExit}. Another thread may {@link #kick()} a vCPU out of
 * KVM_RUN (to stop a guest that spins forever, e.g. under the ring transport).
 */
public final class VcpuFd implements Vcpu {
    /** A real-time signal the JVM does not use. Blocked on the vCPU thread except inside KVM_RUN. */
    static final int KICK_SIGNAL = 62;
    private static final int SIG_BLOCK = 0;
    private static final int SIGSET_BYTES = 128;
    private static final int KERNEL_SIGSET_BYTES = 8;
    private static final long SYS_GETTID = 186, SYS_TGKILL = 234;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;

    private final int fd;
    private final long runAddress;
    private final int runSize;
    private final KvmRun exit;
    private final VcpuExit decoded = new VcpuExit();
    private final NativeBuffer kickSet = new NativeBuffer(SIGSET_BYTES);
    private final NativeBuffer zeroTimeout = new NativeBuffer(16);
    /** The extended state kept by saveExtendedState; null until then. */
    private NativeBuffer extendedState;
    /** KVM_CAP_SYNC_REGS offers regs and sregs: {@link #reload} writes them into kvm_run. */
    private final boolean syncRegs;
    private final NativeBuffer runBuffer;
    /** The last exit was an I/O or MMIO one: KVM completes its instruction at the next KVM_RUN. */
    private boolean completionPending;
    private boolean extendedIsXsave;
    private volatile int runThreadTid;
    private volatile long runThreadId = -1;
    private volatile boolean closed;

    private VcpuFd(int fd, long runAddress, int runSize, boolean syncRegs) {
        this.fd = fd;
        this.syncRegs = syncRegs;
        this.runBuffer = NativeBuffer.over(runAddress, runSize);
        this.runAddress = runAddress;
        this.runSize = runSize;
        this.exit = new KvmRun(NativeBuffer.wrap(runAddress, runSize));
        LibC.INSTANCE.sigemptyset(kickSet.address());
        LibC.INSTANCE.sigaddset(kickSet.address(), KICK_SIGNAL);
    }

    static VcpuFd map(int fd, int mmapSize, boolean syncRegs) {
        long addr = LibC.INSTANCE.mmap(0, mmapSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (addr == -1L) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(fd);
            throw new KvmException("mmap of kvm_run failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        return new VcpuFd(fd, addr, mmapSize, syncRegs);
    }

    /**
     * Must be called on the thread that will call {@link #run()}, before the first run: blocks
     * the kick signal on this thread and tells KVM to unblock it only while in KVM_RUN, so a kick
     * interrupts KVM_RUN without a signal handler ever running in the JVM.
     */
    public void bindToCurrentThread() {
        NativeBuffer old = new NativeBuffer(SIGSET_BYTES);
        if (LibC.INSTANCE.pthread_sigmask(SIG_BLOCK, kickSet.address(), old.address()) != 0) {
            throw new KvmException("pthread_sigmask failed", LibC.errno());
        }
        NativeBuffer mask = new NativeBuffer(4 + KERNEL_SIGSET_BYTES);
        mask.putInt(0, KERNEL_SIGSET_BYTES);
        mask.putLong(4, old.getLong(0) & ~(1L << (KICK_SIGNAL - 1)));
        if (LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_SET_SIGNAL_MASK, mask.address()) < 0) {
            int errno = LibC.errno();
            throw new KvmException("KVM_SET_SIGNAL_MASK failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        Reference.reachabilityFence(mask);      // its memory is freed once unreachable: not before the call is done
        drainKick();
        runThreadTid = (int) LibC.INSTANCE.syscall(SYS_GETTID, 0, 0, 0, 0);
        runThreadId = Thread.currentThread().getId();
    }

    @Override
    public long cpuNanos() {
        long id = runThreadId;
        return id < 0 ? 0 : Math.max(0, java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(id));
    }

    /**
     * Enters the guest until it exits and returns the exit, a {@link VcpuExit.Kind#KICKED} one if
     * another thread called {@link #kick()}. Allocates nothing.
     */
    public VcpuExit run() {
        decoded.writeAnswer(exit);
        int rc = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_RUN, 0);
        if (rc < 0) {
            int errno = LibC.errno();
            if (errno == Errno.EINTR || errno == Errno.EAGAIN) {
                drainKick();
                exit.setImmediateExit(false);
                completionPending = false;
                return decoded.set(VcpuExit.Kind.KICKED, -1, 0);
            }
            throw new KvmException("KVM_RUN failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        decoded.decode(exit);
        VcpuExit.Kind kind = decoded.kind();
        completionPending = kind == VcpuExit.Kind.IO_IN || kind == VcpuExit.Kind.IO_OUT
                || kind == VcpuExit.Kind.MMIO_READ || kind == VcpuExit.Kind.MMIO_WRITE;
        return decoded;
    }

    /** Only after an I/O or MMIO exit: a kick or any other exit leaves nothing to complete. */
    @Override
    public void settle() {
        if (!completionPending) return;
        completionPending = false;
        decoded.writeAnswer(exit);
        exit.setImmediateExit(true);
        int rc = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_RUN, 0);
        int errno = rc < 0 ? LibC.errno() : 0;
        drainKick();
        exit.setImmediateExit(false);
        if (rc < 0 && errno != Errno.EINTR && errno != Errno.EAGAIN) {
            throw new KvmException("KVM_RUN with immediate_exit failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
    }

    /** KVM_GET_XSAVE (every component), or KVM_GET_FPU where the host's KVM has no XSAVE. */
    @Override
    public void saveExtendedState() {
        if (extendedState == null) {
            NativeBuffer xsave = new NativeBuffer(KvmAbi.XSAVE_SIZE);
            if (LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_GET_XSAVE, xsave.address()) == 0) {
                extendedState = xsave;
                extendedIsXsave = true;
                return;
            }
            extendedState = new NativeBuffer(KvmAbi.FPU_SIZE);
        }
        if (extendedIsXsave) ioctl(KvmAbi.KVM_GET_XSAVE, extendedState.address(), "KVM_GET_XSAVE");
        else ioctl(KvmAbi.KVM_GET_FPU, extendedState.address(), "KVM_GET_FPU");
    }

    @Override
    public void restoreExtendedState() {
        if (extendedState == null) throw new IllegalStateException("no extended state was saved");
        if (extendedIsXsave) ioctl(KvmAbi.KVM_SET_XSAVE, extendedState.address(), "KVM_SET_XSAVE");
        else ioctl(KvmAbi.KVM_SET_FPU, extendedState.address(), "KVM_SET_FPU");
    }

    /**
     * Makes the vCPU leave KVM_RUN soon: immediate_exit covers a vCPU about to enter, the signal
     * one already inside. Safe from any thread; a no-op once closed.
     */
    public synchronized void kick() {
        if (closed) return;
        exit.setImmediateExit(true);
        int tid = runThreadTid;
        if (tid != 0) {
            LibC.INSTANCE.syscall(SYS_TGKILL, LibC.INSTANCE.getpid(), tid, KICK_SIGNAL, 0);
        }
    }

    private void drainKick() {
        while (LibC.INSTANCE.sigtimedwait(kickSet.address(), 0, zeroTimeout.address()) == KICK_SIGNAL) {
            // consume every pending kick so the next KVM_RUN is not interrupted by a stale one
        }
    }

    public void getRegs(KvmRegs regs) {
        if (pending(KvmAbi.KVM_SYNC_X86_REGS)) copy(runBuffer.address() + KvmAbi.RUN_SYNC_REGS, regs.buf.address(), KvmAbi.REGS_SIZE);
        else ioctl(KvmAbi.KVM_GET_REGS, regs.buf.address(), "KVM_GET_REGS");
    }

    public void setRegs(KvmRegs regs) {
        clearPending(KvmAbi.KVM_SYNC_X86_REGS);       // the value set now wins over one waiting in kvm_run
        ioctl(KvmAbi.KVM_SET_REGS, regs.buf.address(), "KVM_SET_REGS");
    }

    public void getSregs(KvmSregs sregs) {
        if (pending(KvmAbi.KVM_SYNC_X86_SREGS)) copy(runBuffer.address() + KvmAbi.RUN_SYNC_SREGS, sregs.buf.address(), KvmAbi.SREGS_SIZE);
        else ioctl(KvmAbi.KVM_GET_SREGS, sregs.buf.address(), "KVM_GET_SREGS");
    }

    public void setSregs(KvmSregs sregs) {
        clearPending(KvmAbi.KVM_SYNC_X86_SREGS);
        ioctl(KvmAbi.KVM_SET_SREGS, sregs.buf.address(), "KVM_SET_SREGS");
    }

    /**
     * Through kvm_run's sync area where KVM offers it: KVM applies both at the next KVM_RUN
     * (after {@link #settle()}, so no pending completion lands on them: KVM syncs registers in
     * before it completes an I/O instruction).
     */
    @Override
    public void reload(KvmRegs regs, KvmSregs sregs) {
        if (!syncRegs) {
            setSregs(sregs);
            setRegs(regs);
            return;
        }
        copy(regs.buf.address(), runBuffer.address() + KvmAbi.RUN_SYNC_REGS, KvmAbi.REGS_SIZE);
        copy(sregs.buf.address(), runBuffer.address() + KvmAbi.RUN_SYNC_SREGS, KvmAbi.SREGS_SIZE);
        runBuffer.putLong(KvmAbi.RUN_DIRTY_REGS, runBuffer.getLong(KvmAbi.RUN_DIRTY_REGS)
                | KvmAbi.KVM_SYNC_X86_REGS | KvmAbi.KVM_SYNC_X86_SREGS);
    }

    private boolean pending(int field) {
        return syncRegs && (runBuffer.getLong(KvmAbi.RUN_DIRTY_REGS) & field) != 0;
    }

    private void clearPending(int field) {
        if (syncRegs) runBuffer.putLong(KvmAbi.RUN_DIRTY_REGS, runBuffer.getLong(KvmAbi.RUN_DIRTY_REGS) & ~field);
    }

    private static void copy(long from, long to, int bytes) {
        LibC.INSTANCE.memcpy(to, from, bytes);
    }

    @Override
    public void setMsrs(int[] indices, long[] values) {
        NativeBuffer msrs = new NativeBuffer(KvmAbi.MSRS_ENTRIES + KvmAbi.MSR_ENTRY_SIZE * indices.length);
        msrs.putInt(KvmAbi.MSRS_NMSRS, indices.length);
        for (int i = 0; i < indices.length; i++) {
            int e = KvmAbi.MSRS_ENTRIES + KvmAbi.MSR_ENTRY_SIZE * i;
            msrs.putInt(e + KvmAbi.MSR_ENTRY_INDEX, indices[i]);
            msrs.putLong(e + KvmAbi.MSR_ENTRY_DATA, values[i]);
        }
        int set = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_SET_MSRS, msrs.address());
        Reference.reachabilityFence(msrs);
        if (set != indices.length) {
            int errno = set < 0 ? LibC.errno() : 0;
            String which = set >= 0 && set < indices.length ? String.format(" (MSR 0x%x refused)", indices[set]) : "";
            throw new KvmException("KVM_SET_MSRS failed" + which + (errno != 0 ? ": " + LibC.INSTANCE.strerror(errno) : ""), errno);
        }
    }

    private void ioctl(long request, long arg, String name) {
        if (LibC.INSTANCE.ioctl(fd, request, arg) < 0) {
            int errno = LibC.errno();
            throw new KvmException(name + " failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        runThreadTid = 0;
        LibC.INSTANCE.munmap(runAddress, runSize);
        LibC.INSTANCE.close(fd);
    }
}

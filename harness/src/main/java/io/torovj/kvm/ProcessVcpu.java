package io.torovj.kvm;

import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process platform's vCPU: for hosts without /dev/kvm (CI runners, nested clouds). The
 * guest's code runs natively in a small separate process ({@code torovj-vcpu-process}, built
 * from harness/src/main/c/vcpu_process.c) that maps guest RAM from the same memfd at the
 * guest's addresses, traps the guest's doorbells and faults with signals, and reports each as
 * an exit in a control page laid out like struct kvm_run, so the run loop, transports and
 * syscall layer run unchanged. Guest {@code syscall} instructions are refused by seccomp.
 * It isolates less than KVM (the guest shares a kernel address space with the launcher) and
 * is far slower per exit: use it for functional tests, never for measurements.
 *
 * <p>Protocol: one byte 'R' on the launcher's stdin resumes the guest; it answers 'X' on its
 * stdout when the control page holds the next exit; kvm_regs sit at offset 4096 of the page,
 * CR3, the task register's base and limit, CR4 and EFER at 4368, 4376, 4384, 4392 and 4400,
 * the syscall MSRs LSTAR and SFMASK at 4408 and 4416, the FS and GS bases at 4424 and 4432, and
 * at 4440 a request to wipe the guest's FPU/SSE/AVX state at the next resume (a pooled VM's reset).
 */
public final class ProcessVcpu implements Vcpu {
    static final int CONTROL_SIZE = 8192, REGS_OFFSET = 4096, READY_OFFSET = 4352, READY_MAGIC = 0x504A5654;
    static final int SREGS_CR3 = 4368, SREGS_TR_BASE = 4376, SREGS_TR_LIMIT = 4384, SREGS_CR4 = 4392, SREGS_EFER = 4400;
    static final int MSR_LSTAR_OFFSET = 4408, MSR_FMASK_OFFSET = 4416, FS_BASE_OFFSET = 4424, GS_BASE_OFFSET = 4432;
    /** A u32 the monitor sets to FPU_RESET_MAGIC: the next resume wipes the guest's FPU/SSE/AVX state, then clears it. */
    static final int FPU_RESET_OFFSET = 4440, FPU_RESET_MAGIC = 0x55504657;
    static final int MSR_LSTAR = 0xC000_0082, MSR_SFMASK = 0xC000_0084, MSR_STAR = 0xC000_0081;
    private static final int SIGUSR1 = 10, MFD_CLOEXEC = 1, PROT_RW = 3, MAP_SHARED = 1;

    private final Process process;
    private final OutputStream resume;
    private final InputStream exits;
    private final int controlFd;
    private final long controlAddress;
    private final KvmRun exit;
    private final VcpuExit decoded = new VcpuExit();
    private final NativeBuffer page;
    private final NativeBuffer lastSregs = new NativeBuffer(KvmAbi.SREGS_SIZE);
    private volatile boolean closed;

    private ProcessVcpu(Process process, int controlFd, long controlAddress) {
        this.process = process;
        this.resume = process.getOutputStream();
        this.exits = process.getInputStream();
        this.controlFd = controlFd;
        this.controlAddress = controlAddress;
        this.exit = new KvmRun(NativeBuffer.wrap(controlAddress, REGS_OFFSET));
        this.page = NativeBuffer.over(controlAddress, CONTROL_SIZE);
    }

    /**
     * Starts a vCPU process over guest RAM shared as {@code ramPath} (a /proc/PID/fd path of the
     * RAM memfd) of {@code ramSize} bytes; throws with a clear message if it cannot.
     */
    public static ProcessVcpu start(String ramPath, long ramSize, Path launcher) {
        if (!Files.isExecutable(launcher)) {
            throw new KvmException("process platform: launcher " + launcher + " not found or not executable (build it with mvn package)", 0);
        }
        LibC c = LibC.INSTANCE;
        int fd = c.memfd_create("torovj-vcpu-control", MFD_CLOEXEC);
        if (fd < 0 || c.ftruncate(fd, CONTROL_SIZE) != 0) throw new KvmException("process platform: memfd failed", LibC.errno());
        long addr = c.mmap(0, CONTROL_SIZE, PROT_RW, MAP_SHARED, fd, 0);
        if (addr == -1L) {
            c.close(fd);
            throw new KvmException("process platform: mmap of the control page failed", LibC.errno());
        }
        String controlPath = "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
        Process p;
        try {
            p = new ProcessBuilder(launcher.toString(), ramPath, Long.toString(ramSize), controlPath)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            c.munmap(addr, CONTROL_SIZE);
            c.close(fd);
            throw new KvmException("process platform: cannot start " + launcher + ": " + e.getMessage(), 0);
        }
        ProcessVcpu vcpu = new ProcessVcpu(p, fd, addr);
        vcpu.awaitReady();
        return vcpu;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (page.getInt(READY_OFFSET) != READY_MAGIC) {
            if (!process.isAlive()) {
                int status = waitExit();
                close();
                throw new KvmException("process platform: vCPU process exited with status " + status + " during setup", 0);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new KvmException("process platform: vCPU process did not start within 10 s", 0);
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void bindToCurrentThread() { }

    @Override
    public VcpuExit run() {
        decoded.writeAnswer(exit);
        try {
            resume.write('R');
            resume.flush();
            if (exits.read() != 'X') return decoded.set(VcpuExit.Kind.INTERNAL_ERROR, KvmAbi.KVM_EXIT_INTERNAL_ERROR, 0);
        } catch (IOException e) {
            return decoded.set(VcpuExit.Kind.INTERNAL_ERROR, KvmAbi.KVM_EXIT_INTERNAL_ERROR, 0);
        }
        decoded.decode(exit);
        return decoded;
    }

    @Override
    public void getRegs(KvmRegs regs) {
        for (int i = 0; i < KvmAbi.REGS_SIZE; i += 8) regs.buf.putLong(i, page.getLong(REGS_OFFSET + i));
    }

    @Override
    public void setRegs(KvmRegs regs) {
        for (int i = 0; i < KvmAbi.REGS_SIZE; i += 8) page.putLong(REGS_OFFSET + i, regs.buf.getLong(i));
    }

    /** The special registers last set: they read back as set, as KVM's do. */
    @Override
    public void getSregs(KvmSregs sregs) {
        for (int i = 0; i < KvmAbi.SREGS_SIZE; i++) sregs.buf.putByte(i, lastSregs.getByte(i));
    }

    /**
     * The launcher's CPU mode is fixed (64-bit, CPL3); of the special registers it uses what the
     * CPU consults at CPL3: CR3 (the guest's page tables, walked at the first entry to protect
     * its pages as the MMU would), the task register (the TSS with the I/O permission bitmap
     * that decides every in/out), CR4 and EFER (what a #PF error code reports), and the FS and GS
     * bases (the guest's thread pointer: the launcher loads them before it resumes the guest).
     */
    @Override
    public void setSregs(KvmSregs sregs) {
        for (int i = 0; i < KvmAbi.SREGS_SIZE; i++) lastSregs.putByte(i, sregs.buf.getByte(i));
        page.putLong(SREGS_CR3, sregs.cr3());
        page.putLong(SREGS_TR_BASE, sregs.base(KvmSregs.Segment.TR));
        page.putInt(SREGS_TR_LIMIT, (int) sregs.limit(KvmSregs.Segment.TR));
        page.putLong(SREGS_CR4, sregs.cr4());
        page.putLong(FS_BASE_OFFSET, sregs.base(KvmSregs.Segment.FS));
        page.putLong(GS_BASE_OFFSET, sregs.base(KvmSregs.Segment.GS));
        page.putLong(SREGS_EFER, sregs.efer());
    }

    /**
     * Of the MSRs the launcher uses what the CPU consults when the guest executes {@code syscall}:
     * LSTAR (the CPL0 entry it reports the call at) and SFMASK (the rflags it clears). STAR's
     * segments are fixed on the launcher (64-bit user code and data); other MSRs are refused.
     */
    @Override
    public void setMsrs(int[] indices, long[] values) {
        for (int i = 0; i < indices.length; i++) {
            switch (indices[i]) {
                case MSR_LSTAR -> page.putLong(MSR_LSTAR_OFFSET, values[i]);
                case MSR_SFMASK -> page.putLong(MSR_FMASK_OFFSET, values[i]);
                case MSR_STAR -> { }
                default -> throw new KvmException(String.format("process platform: MSR 0x%x is not supported", indices[i]), 0);
            }
        }
    }

    /** Nothing is pending here: the launcher completes an I/O or MMIO instruction before it reports the exit's successor. */
    @Override
    public void settle() { }

    /** The state to put back is the reset state the launcher gives the guest at its first entry. */
    @Override
    public void saveExtendedState() { }

    /**
     * Asks the launcher to give the guest the FPU/SSE/AVX reset state at the next resume, as at
     * its first entry (it owns the state: the guest's code runs on its thread).
     */
    @Override
    public void restoreExtendedState() {
        page.putInt(FPU_RESET_OFFSET, FPU_RESET_MAGIC);
    }

    @Override
    public long cpuNanos() {
        return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    @Override
    public void kick() {
        if (!closed) LibC.INSTANCE.kill((int) process.pid(), SIGUSR1);
    }

    private int waitExit() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        process.destroyForcibly();
        waitExit();
        LibC.INSTANCE.munmap(controlAddress, CONTROL_SIZE);
        LibC.INSTANCE.close(controlFd);
    }
}

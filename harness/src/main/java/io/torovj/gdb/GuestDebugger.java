package io.torovj.gdb;

import io.torovj.linux.CanonicalAddress;
import io.torovj.lifecycle.Ending;
import io.torovj.boot.DescriptorTables;
import io.torovj.boot.GuestFault;
import io.torovj.boot.GuestLayout;
import io.torovj.kvm.KvmRegs;
import io.torovj.kvm.KvmSregs;
import io.torovj.kvm.Vcpu;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.lifecycle.VmControl;
import io.torovj.vmm.DebugHook;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The debugger's side of one VM: stops and resumes the guest, holds its registers while it is
 * stopped, plants and hides software breakpoints. The run loop calls the {@link DebugHook}
 * methods on the vCPU thread, which then waits here (parked) until the GDB session resumes the
 * guest; the session calls the other methods from its own thread. One lock, this object.
 *
 * <p>Mechanism, the same on every platform: the guest's own exception handlers. A breakpoint is
 * an int3 patched into guest memory (the original byte kept and shown to gdb instead); the
 * resulting #BP is reported through the fault port with rip after the int3, rewound here to the
 * breakpoint's address. A single step sets RFLAGS.TF in the exception frame (or in the live
 * registers at a stop that was not an exception) and ends in a #DB. The guest resumes from the
 * frame, which the stub edits (rip, rsp, rflags, rax, rdx; the other registers with
 * KVM_SET_REGS). This works where KVM_SET_GUEST_DEBUG is not intercepted (PVM) and also on
 * VMX/SVM hosts, which deliver #BP and #DB to the guest when guest debugging is off, and on
 * the process platform, which emulates the same handler; so it is used everywhere and
 * KVM_SET_GUEST_DEBUG never is.
 */
final class GuestDebugger implements DebugHook {
    static final byte INT3 = (byte) 0xCC;
    static final long TF = 0x100;
    /** The rflags bits gdb may change: CF PF AF ZF SF DF OF. The rest (TF, IF, IOPL, ...) is the stub's or fixed. */
    static final long WRITABLE_FLAGS = 0x0CD5;
    static final int MAX_BREAKPOINTS = 4096;
    /** gdb's signal numbers. */
    static final int SIGINT = 2, SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGKILL = 9, SIGBUS = 10, SIGSEGV = 11;

    enum Kind { START, EXCEPTION, KICK }

    /** The guest stopped: what gdb sees and may change until it resumes the guest. */
    static final class Stop {
        final Kind kind;
        final long frame;           // EXCEPTION: the handler's frame
        final int signal;           // gdb signal number
        final boolean swbreak;      // stopped at one of our breakpoints
        final long[] regs = new long[X86Registers.COUNT];
        boolean dirty;

        Stop(Kind kind, long frame, int signal, boolean swbreak) {
            this.kind = kind;
            this.frame = frame;
            this.signal = signal;
            this.swbreak = swbreak;
        }
    }

    enum Action { CONTINUE, STEP, KILL, DETACH }

    private record Resume(Action action, int signal) {}

    /** How the VM ended, for the final W/X packet. */
    record End(Ending ending, int status, String report) {}

    private final GuestMemory memory;
    private final Vcpu vcpu;
    private final VmControl control;
    private final KvmRegs kregs = new KvmRegs();       // vCPU thread only
    private final KvmSregs ksregs = new KvmSregs();    // vCPU thread only
    private final TreeMap<Long, Byte> breakpoints = new TreeMap<>();
    /** Breakpoints lifted while the guest ran (gdb went away): an int3 already executed may still report. */
    private final Set<Long> lifted = new HashSet<>();

    private Stop stop;                  // non-null while the guest is stopped and gdb may look at it
    private Resume resume;              // set by the session to release the parked vCPU thread
    private boolean started;            // the vCPU thread reached onStart
    private boolean interruptRequested;
    private boolean detached;           // gdb detached: exceptions end the VM as without a debugger
    private boolean stepping;           // we set TF for a gdb step
    private long stepOver = -1;         // breakpoint lifted for one step, to be planted again
    private boolean stepOverThenContinue;
    private End end;
    private boolean closed;
    private Runnable listener = () -> { };

    GuestDebugger(GuestMemory memory, Vcpu vcpu, VmControl control) {
        this.memory = memory;
        this.vcpu = vcpu;
        this.control = control;
    }

    // ---- the run loop's side (vCPU thread) ----

    @Override
    public synchronized void onStart() {
        started = true;
        if (closed) return;
        Stop s = new Stop(Kind.START, 0, SIGTRAP, false);
        vcpu.getRegs(kregs);
        fillFromLiveRegisters(s);
        park(s);
    }

    @Override
    public synchronized boolean onGuestException(GuestFault fault, long frame) {
        if (closed) return false;
        long rflags = fault.rflags();
        boolean ourTrap = stepping || stepOver >= 0;
        if (ourTrap && (rflags & TF) != 0) {
            rflags &= ~TF;
            GuestFault.writeRflags(memory, frame, rflags);
        }
        if (fault.vector() == 3 && lifted.remove(fault.rip() - 1)) {
            GuestFault.writeRip(memory, frame, fault.rip() - 1);     // a breakpoint gdb no longer wants
            return true;
        }
        if (detached) {
            boolean stray = ourTrap && fault.vector() == 1;         // a step still in flight at the detach
            stepping = false;
            stepOver = -1;
            return stray;
        }
        stepping = false;
        boolean interrupted = false;
        if (stepOver >= 0) {
            long at = stepOver;
            stepOver = -1;
            if (breakpoints.containsKey(at)) memory.writeU8(at, INT3);
            if (fault.vector() == 1 && stepOverThenContinue) {
                if (!interruptRequested) return true;      // stepped off the breakpoint: carry on
                interrupted = true;                         // ctrl-C came meanwhile: stop for it
            }
        }
        long rip = fault.rip();
        boolean swbreak = false;
        if (fault.vector() == 3 && breakpoints.containsKey(rip - 1)) {
            rip--;                              // report (and resume at) the breakpoint's address
            GuestFault.writeRip(memory, frame, rip);
            swbreak = true;
        }
        Stop s = new Stop(Kind.EXCEPTION, frame, interrupted ? SIGINT : signalFor(fault.vector()), swbreak);
        vcpu.getRegs(kregs);
        fillFromLiveRegisters(s);
        s.regs[X86Registers.RAX] = fault.rax();
        s.regs[X86Registers.RDX] = fault.rdx();
        s.regs[X86Registers.RIP] = rip;
        s.regs[X86Registers.EFLAGS] = rflags;
        s.regs[X86Registers.RSP] = fault.rsp();
        s.regs[X86Registers.CS] = fault.cs() & 0xFFFF;
        s.regs[X86Registers.SS] = fault.ss() & 0xFFFF;
        return park(s);
    }

    /**
     * A kick: if gdb asked for it (ctrl-C, a new connection), the guest stops here with SIGINT.
     * Under KVM the kick may land while the vCPU runs the CPL0 exception handler (a few
     * instructions); gdb then sees the handler's registers, and continuing finishes the handler.
     */
    @Override
    public synchronized void onKick() {
        if (detached || closed || !interruptRequested) return;    // a stale kick, or not ours
        vcpu.getRegs(kregs);
        if ((stepping || stepOver >= 0) && (kregs.rflags() & TF) != 0) {
            kregs.setRflags(kregs.rflags() & ~TF);
            vcpu.setRegs(kregs);
        }
        stepping = false;
        if (stepOver >= 0) {
            if (breakpoints.containsKey(stepOver)) memory.writeU8(stepOver, INT3);
            stepOver = -1;
        }
        Stop s = new Stop(Kind.KICK, 0, SIGINT, false);
        fillFromLiveRegisters(s);
        park(s);
    }

    @Override
    public synchronized void onEnd(Ending ending, int status, String report) {
        // no ending: the run loop failed with an exception (a monitor error, status 70 as elsewhere)
        end = ending == null ? new End(Ending.MONITOR_ERROR, 70, "monitor error") : new End(ending, status, report);
        stop = null;
        notifyAll();
        listener.run();
    }

    private void fillFromLiveRegisters(Stop s) {
        for (int i = 0; i <= X86Registers.EFLAGS; i++) s.regs[i] = kregs.get(X86Registers.kvmIndex(i));
        vcpu.getSregs(ksregs);
        int cs = ksregs.selector(KvmSregs.Segment.CS);
        if (cs == 0) {                  // the process platform has no segment state: the guest's view
            s.regs[X86Registers.CS] = DescriptorTables.USER_CS;
            for (int i = X86Registers.SS; i <= X86Registers.GS; i++) s.regs[i] = DescriptorTables.USER_DS;
        } else {
            s.regs[X86Registers.CS] = cs;
            s.regs[X86Registers.SS] = ksregs.selector(KvmSregs.Segment.SS);
            s.regs[X86Registers.DS] = ksregs.selector(KvmSregs.Segment.DS);
            s.regs[X86Registers.ES] = ksregs.selector(KvmSregs.Segment.ES);
            s.regs[X86Registers.FS] = ksregs.selector(KvmSregs.Segment.FS);
            s.regs[X86Registers.GS] = ksregs.selector(KvmSregs.Segment.GS);
        }
        s.regs[X86Registers.FS_BASE] = ksregs.base(KvmSregs.Segment.FS);
        s.regs[X86Registers.GS_BASE] = ksregs.base(KvmSregs.Segment.GS);
    }

    /**
     * Publishes the stop and waits (holding nothing but this monitor's wait set) until gdb
     * resumes the guest or the VM stops; then writes gdb's register changes back and arms the
     * step. Returns false only if gdb passed the exception's signal on: the VM then ends.
     */
    private boolean park(Stop s) {
        interruptRequested = false;
        lifted.clear();
        stop = s;
        resume = null;
        notifyAll();
        listener.run();
        while (resume == null) {
            if (control.isStopped() || closed || end != null) {
                stop = null;
                return true;
            }
            try {
                wait(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = null;
                return true;
            }
        }
        Resume r = resume;
        resume = null;
        stop = null;
        if (s.dirty) writeBack(s);
        switch (r.action()) {
            case KILL -> {
                control.stop(Ending.DEBUGGER_KILL, "killed by the debugger");
                return true;
            }
            case DETACH -> {
                detached = true;
                return true;
            }
            default -> {
                if (r.signal() != 0 && s.kind == Kind.EXCEPTION && s.signal != SIGINT) {
                    return false;               // the exception's signal passed on: it ends the VM, as natively
                }
                boolean step = r.action() == Action.STEP;
                long pc = s.regs[X86Registers.RIP];
                Byte original = breakpoints.get(pc);
                if (original != null) {
                    memory.writeU8(pc, original);   // step off the breakpoint, then plant it again
                    stepOver = pc;
                    stepOverThenContinue = !step;
                    setTrapFlag(s);
                } else if (step) {
                    setTrapFlag(s);
                }
                stepping = step;
                return true;
            }
        }
    }

    private void writeBack(Stop s) {
        vcpu.getRegs(kregs);
        if (s.kind == Kind.EXCEPTION) {
            // the handler restores rax and rdx and irets to rip, rflags, rsp from the frame
            for (int i = 0; i < 16; i++) {
                if (i == X86Registers.RAX || i == X86Registers.RDX || i == X86Registers.RSP) continue;
                kregs.set(X86Registers.kvmIndex(i), s.regs[i]);
            }
            vcpu.setRegs(kregs);
            GuestFault.writeRax(memory, s.frame, s.regs[X86Registers.RAX]);
            GuestFault.writeRdx(memory, s.frame, s.regs[X86Registers.RDX]);
            GuestFault.writeRsp(memory, s.frame, s.regs[X86Registers.RSP]);
            GuestFault.writeRip(memory, s.frame, s.regs[X86Registers.RIP]);
            GuestFault.writeRflags(memory, s.frame, s.regs[X86Registers.EFLAGS]);
        } else {
            for (int i = 0; i <= X86Registers.EFLAGS; i++) kregs.set(X86Registers.kvmIndex(i), s.regs[i]);
            vcpu.setRegs(kregs);
        }
    }

    private void setTrapFlag(Stop s) {
        if (s.kind == Kind.EXCEPTION) {
            long rflags = memory.readU64(s.frame + GuestFault.RFLAGS);
            GuestFault.writeRflags(memory, s.frame, rflags | TF);
        } else {
            vcpu.getRegs(kregs);
            kregs.setRflags(kregs.rflags() | TF);
            vcpu.setRegs(kregs);
        }
    }

    /** gdb's signal for an exception vector (as a native process would get, in gdb's numbering). */
    static int signalFor(int vector) {
        int linux = GuestFault.signalFor(vector);
        return linux == 7 ? SIGBUS : linux;
    }

    // ---- the session's side ----

    synchronized void setListener(Runnable wake) {
        listener = wake == null ? () -> { } : wake;
    }

    /** A debugger connected: debug again (after a detach) and stop the guest if it runs. */
    synchronized void attach() {
        detached = false;
        if (stop == null && end == null) requestInterrupt();
    }

    synchronized Stop stop() { return stop; }

    synchronized End end() { return end; }

    /**
     * The stopped guest; if it is about to stop (not started yet, or interrupted), waits up to
     * {@code millis} for that. Null if it runs.
     */
    synchronized Stop awaitStop(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (stop == null && end == null && (!started || interruptRequested)) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) break;
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return stop;
    }

    /** ctrl-C: stop the running guest at its next exit (kicked out of KVM_RUN now). */
    synchronized void requestInterrupt() {
        if (!started || stop != null || end != null || detached) return;
        interruptRequested = true;
        vcpu.kick();
    }

    /** Releases the stopped guest. False if it is not stopped. */
    synchronized boolean resume(Action action, int signal) {
        if (stop == null || end != null) return false;
        resume = new Resume(action, signal);
        stop = null;
        notifyAll();
        return true;
    }

    /** gdb's k: ends the VM, stopped or not. */
    synchronized void kill() {
        if (end != null) return;
        if (!resume(Action.KILL, 0)) control.stop(Ending.DEBUGGER_KILL, "killed by the debugger");
    }

    /** gdb went away (D, or the connection dropped): lift every breakpoint; with D, let the guest run free. */
    synchronized void release(boolean detach) {
        removeAllBreakpoints();
        if (detach) {
            detached = true;
            interruptRequested = false;
            resume(Action.DETACH, 0);
        }
    }

    /** A register of the stopped guest, or null if not stopped. */
    synchronized long[] registers() {
        return stop == null ? null : stop.regs.clone();
    }

    /**
     * Sets a register of the stopped guest; false if not stopped, not writable, or an invalid
     * value: rsp must be canonical, rip must be in guest RAM (or unchanged). Defence in depth for
     * the process platform, whose launcher shares the guest's address space: gdb cannot send the
     * guest anywhere the guest could not jump itself, nor anywhere but its own memory.
     */
    synchronized boolean setRegister(int regnum, long value) {
        if (!acceptable(regnum, value)) return false;
        if (regnum == X86Registers.EFLAGS) {
            long old = stop.regs[regnum];
            value = (old & ~WRITABLE_FLAGS) | (value & WRITABLE_FLAGS);
        }
        if (stop.regs[regnum] != value) {
            stop.regs[regnum] = value;
            stop.dirty = true;
        }
        return true;
    }

    /** True if {@link #setRegister} would take this value. */
    synchronized boolean acceptable(int regnum, long value) {
        if (stop == null || !X86Registers.writable(regnum)) return false;
        if (regnum == X86Registers.RSP) return CanonicalAddress.is(value);
        if (regnum == X86Registers.RIP) return value == stop.regs[regnum] || readable(value);
        return true;
    }

    /** Guest memory gdb may read: RAM but page 0 (not mapped for the guest either). */
    private boolean readable(long addr) {
        return addr >= GuestLayout.PAGE && memory.contains(addr, 1);
    }

    /** Guest memory gdb may write: what user code can reach, from the request blocks up (not the system pages). */
    private boolean writable(long addr, long len) {
        return addr >= GuestLayout.REQUEST_BLOCKS && memory.contains(addr, len);
    }

    /**
     * Reads up to {@code len} bytes at {@code addr} with the breakpoints' original bytes shown;
     * fewer if RAM ends first; null if {@code addr} is not readable guest RAM.
     */
    synchronized byte[] readMemory(long addr, int len) {
        if (!readable(addr)) return null;
        int n = (int) Math.min(len, memory.size() - addr);
        byte[] data = new byte[n];
        try {
            memory.read(addr, data, 0, n);
        } catch (GuestMemoryException e) {
            return null;
        }
        for (Map.Entry<Long, Byte> bp : breakpoints.subMap(addr, addr + n).entrySet()) {
            data[(int) (bp.getKey() - addr)] = bp.getValue();
        }
        return data;
    }

    /** Writes guest memory, keeping planted breakpoints (their saved byte changes instead). */
    synchronized boolean writeMemory(long addr, byte[] data) {
        if (stop == null || !writable(addr, data.length)) return data.length == 0 && stop != null;
        memory.write(addr, data);
        for (Map.Entry<Long, Byte> bp : breakpoints.subMap(addr, addr + data.length).entrySet()) {
            bp.setValue(data[(int) (bp.getKey() - addr)]);
            memory.writeU8(bp.getKey(), INT3);
        }
        return true;
    }

    /** Z0: 0 = planted, 1 = not a writable address, 2 = too many breakpoints, 3 = not stopped. */
    synchronized int insertBreakpoint(long addr) {
        if (stop == null) return 3;
        if (breakpoints.containsKey(addr)) return 0;
        if (!writable(addr, 1)) return 1;
        if (breakpoints.size() >= MAX_BREAKPOINTS) return 2;
        breakpoints.put(addr, memory.readU8(addr));
        memory.writeU8(addr, INT3);
        return 0;
    }

    /** z0: false if not stopped. Removing a breakpoint that is not planted is not an error. */
    synchronized boolean removeBreakpoint(long addr) {
        if (stop == null) return false;
        Byte original = breakpoints.remove(addr);
        if (original != null) memory.writeU8(addr, original);
        return true;
    }

    private void removeAllBreakpoints() {
        for (Map.Entry<Long, Byte> bp : breakpoints.entrySet()) {
            memory.writeU8(bp.getKey(), bp.getValue());
            if (stop == null) lifted.add(bp.getKey());
        }
        breakpoints.clear();
    }

    /** The server is shutting down: release a parked vCPU thread. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}

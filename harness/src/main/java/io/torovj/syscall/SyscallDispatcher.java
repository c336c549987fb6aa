package io.torovj.syscall;

import io.torovj.boot.BootInfo;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.policy.SyscallPolicy;
import io.torovj.transport.VmControl;

/**
 * Executes one guest system call: policy check, then the handler for its number. Every
 * transport ends here. A bad pointer becomes -EFAULT, a denied call -EPERM (logged once per
 * number) or the end of the VM if the policy says "kill"; nothing a guest passes can throw out.
 * Allocation-free on the success path.
 */
public final class SyscallDispatcher {
    /** Syscall numbers at or above this are unknown on x86-64. */
    public static final int TABLE_SIZE = 512;
    private static final int LOG_KEY_UNIMPLEMENTED = TABLE_SIZE;
    private static final int LOG_KEY_HANDLER_BUG = 2 * TABLE_SIZE;

    private final SyscallHandler[] handlers = new SyscallHandler[TABLE_SIZE];
    private final SyscallPolicy policy;
    private final VmControl control;
    private final MonitorLog log;
    private final GuestMemory memory;
    private long calls;

    public SyscallDispatcher(GuestMemory memory, SyscallPolicy policy, VmControl control, MonitorLog log) {
        this.memory = memory;
        this.policy = policy;
        this.control = control;
        this.log = log;
    }

    /** Installs the handler for {@code name} (a Linux x86-64 syscall name). */
    public void register(String name, SyscallHandler handler) {
        int nr = SyscallNames.number(name);
        if (nr < 0 || nr >= TABLE_SIZE) throw new IllegalArgumentException("unknown syscall " + name);
        if (handlers[nr] != null) throw new IllegalStateException("two handlers for " + name);
        handlers[nr] = handler;
    }

    public boolean implemented(int nr) { return nr >= 0 && nr < TABLE_SIZE && handlers[nr] != null; }

    public long calls() { return calls; }

    public long dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        calls++;
        if (nr < 0 || nr >= TABLE_SIZE || !policy.allows((int) nr)) {
            return deny(nr, a0, a1, a2);
        }
        SyscallHandler handler = handlers[(int) nr];
        if (handler == null) {
            if (!log.logged(LOG_KEY_UNIMPLEMENTED + (int) nr)) {
                log.once(LOG_KEY_UNIMPLEMENTED + (int) nr, "syscall " + describe(nr) + " is not implemented: -ENOSYS");
            }
            return -Errno.ENOSYS;
        }
        try {
            return handler.handle(a0, a1, a2, a3, a4, a5);
        } catch (GuestMemoryException e) {
            return e.kind() == GuestMemoryException.Kind.STRING_TOO_LONG ? -Errno.ENAMETOOLONG : -Errno.EFAULT;
        } catch (RuntimeException e) {
            // a monitor bug must not take the monitor down with it: report and fail the call
            log.once(LOG_KEY_HANDLER_BUG + (int) nr, "internal error in " + describe(nr) + ": " + e + " (returning -EIO)");
            return -Errno.EIO;
        }
    }

    /** Reads struct torovj_request at {@code request}, executes it, writes ret. */
    public void executeRequest(long request) {
        long nr = memory.readU64(request + BootInfo.REQ_NR);
        long a = request + BootInfo.REQ_ARGS;
        long ret = dispatch(nr, memory.readU64(a), memory.readU64(a + 8), memory.readU64(a + 16),
                memory.readU64(a + 24), memory.readU64(a + 32), memory.readU64(a + 40));
        memory.writeU64(request + BootInfo.REQ_RET, ret);
    }

    private long deny(long nr, long a0, long a1, long a2) {
        int key = nr >= 0 && nr < TABLE_SIZE ? (int) nr : TABLE_SIZE - 1;
        boolean kill = policy.onViolation() == SyscallPolicy.ViolationAction.KILL;
        if (!kill && log.logged(key)) return -Errno.EPERM;     // a guest spamming denied calls costs no allocation
        String call = String.format("%s(0x%x, 0x%x, 0x%x, ...)", describe(nr), a0, a1, a2);
        if (kill) {
            log.line("policy violation: " + call + " is not allowed; killing the VM");
            control.stop(VmControl.Ending.POLICY_KILL, 137, "policy violation: " + call + " is not allowed");
            return -Errno.EPERM;
        }
        log.once(key, "policy denied " + call + ": -EPERM (logged once per syscall)");
        return -Errno.EPERM;
    }

    static String describe(long nr) {
        String name = nr >= 0 && nr <= Integer.MAX_VALUE ? SyscallNames.name((int) nr) : null;
        return name != null ? name : "syscall " + nr;
    }
}

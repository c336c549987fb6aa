package io.torovj.syscall;

import io.torovj.lifecycle.Ending;
import io.torovj.log.MonitorLog;
import io.torovj.linux.SyscallNames;
import io.torovj.linux.Errno;
import io.torovj.memory.GuestMemory;
import io.torovj.memory.GuestMemoryException;
import io.torovj.policy.SyscallPolicy;
import io.torovj.lifecycle.VmControl;

/**
 * Executes one guest system call: policy check, then the handler for its number. Every
 * transport ends here. A bad pointer becomes -EFAULT, a denied call -EPERM (logged once per
 * number) or the end of the VM if the policy says "kill"; nothing a guest passes can throw out.
 * Allocation-free on the success path, and on a repeated denial.
 *
 * <p>The log is bounded: a guest sweeping syscall numbers gets the first
 * {@link #LOG_DISTINCT_LIMIT} distinct denied or unimplemented numbers logged, one line saying
 * the rest are not, and a count of them when the VM ends ({@link #logSummary()}).
 */
public final class SyscallDispatcher implements SyscallExecutor, io.torovj.lifecycle.Rewindable {
    /** Syscall numbers at or above this are unknown on x86-64. */
    public static final int TABLE_SIZE = 512;
    private static final int LOG_KEY_UNIMPLEMENTED = TABLE_SIZE;
    private static final int LOG_KEY_HANDLER_BUG = 2 * TABLE_SIZE;
    /** One log key for every number outside the table. */
    private static final int LOG_KEY_OUT_OF_TABLE = 3 * TABLE_SIZE;
    /** Distinct denied or unimplemented numbers logged per VM before the rest are only counted. */
    public static final int LOG_DISTINCT_LIMIT = 16;

    /** Marks a number no group serves, once asked. */
    private static final SyscallHandler UNIMPLEMENTED = (a0, a1, a2, a3, a4, a5) -> -Errno.ENOSYS;

    /** Per number: its handler once asked for (null until then), or {@link #UNIMPLEMENTED}. */
    private final SyscallHandler[] handlers = new SyscallHandler[TABLE_SIZE];
    private SyscallGroup[] groups = new SyscallGroup[8];
    private int groupCount;
    private final SyscallPolicy policy;
    private final VmControl control;
    private final MonitorLog log;
    private final GuestMemory memory;
    private long calls;
    /**
     * Per syscall number: how many calls answered -ENOSYS; and the numbers in the order first seen.
     * Made at the first -ENOSYS: 6 KiB that most VMs never need (a live VM's Java heap is ~30 KiB).
     */
    private long[] unimplementedCounts;
    private int[] unimplementedOrder;
    private int unimplementedDistinct;
    private int distinctLogged;
    private int distinctUnlogged;

    public SyscallDispatcher(GuestMemory memory, SyscallPolicy policy, VmControl control, MonitorLog log) {
        this.memory = memory;
        this.policy = policy;
        this.control = control;
        this.log = log;
    }

    /** Adds {@code group}'s system calls: asked for a call's handler at that call's first use. */
    public void add(SyscallGroup group) {
        if (groupCount == groups.length) groups = java.util.Arrays.copyOf(groups, 2 * groupCount);
        groups[groupCount++] = group;
    }

    /**
     * The handler of {@code nr} from the first group that serves it, kept for the VM's next calls;
     * {@link #UNIMPLEMENTED} if none does. (That no two groups serve one call is a test's to check:
     * {@link #servingGroups}.)
     */
    private SyscallHandler resolve(int nr) {
        String name = SyscallNames.name(nr);
        SyscallHandler found = UNIMPLEMENTED;
        for (int i = 0; name != null && i < groupCount && found == UNIMPLEMENTED; i++) {
            SyscallHandler h = groups[i].handler(name);
            if (h != null) found = h;
        }
        handlers[nr] = found;
        return found;
    }

    /** How many of the added groups serve the call {@code name}: 0 or 1 in a sound monitor. */
    int servingGroups(String name) {
        int n = 0;
        for (int i = 0; i < groupCount; i++) {
            if (groups[i].handler(name) != null) n++;
        }
        return n;
    }

    public long calls() { return calls; }

    /**
     * A pooled VM's reset: the counts start again (they are per run); what was logged stays
     * logged, so a function that keeps calling an unimplemented syscall does not flood the log.
     */
    @Override
    public void rewind() {
        calls = 0;
        for (int i = 0; i < unimplementedDistinct; i++) unimplementedCounts[unimplementedOrder[i]] = 0;
        unimplementedDistinct = 0;
    }

    @Override
    public long execute(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
        calls++;
        if (nr < 0 || nr >= TABLE_SIZE || !policy.allows((int) nr)) {
            return deny(nr, a0, a1, a2);
        }
        SyscallHandler handler = handlers[(int) nr];
        if (handler == null) handler = resolve((int) nr);
        if (handler == UNIMPLEMENTED) {
            int key = LOG_KEY_UNIMPLEMENTED + (int) nr;
            if (!log.logged(key) && withinLogBudget(key)) {
                log.once(key, "syscall " + describe(nr) + " is not implemented: -ENOSYS");
            }
            countUnimplemented((int) nr);
            return -Errno.ENOSYS;
        }
        try {
            long result = handler.handle(a0, a1, a2, a3, a4, a5);
            if (result == -Errno.ENOSYS) countUnimplemented((int) nr);
            return result;
        } catch (GuestMemoryException e) {
            return e.kind() == GuestMemoryException.Kind.STRING_TOO_LONG ? -Errno.ENAMETOOLONG : -Errno.EFAULT;
        } catch (RuntimeException e) {
            // a monitor bug must not take the monitor down with it: report and fail the call
            log.once(LOG_KEY_HANDLER_BUG + (int) nr, "internal error in " + describe(nr) + ": " + e + " (returning -EIO)");
            return -Errno.EIO;
        }
    }

    /** Counts one -ENOSYS answer to {@code nr}: two array stores (the arrays made at the VM's first). */
    private void countUnimplemented(int nr) {
        if (unimplementedCounts == null) {
            unimplementedCounts = new long[TABLE_SIZE];
            unimplementedOrder = new int[TABLE_SIZE];
        }
        if (unimplementedCounts[nr]++ == 0) unimplementedOrder[unimplementedDistinct++] = nr;
    }

    /**
     * Every syscall that answered -ENOSYS, by name, with how many times, in the order the guest
     * first asked: "rseq x1, clone3 x1"; empty if none did. For the run's summary.
     */
    public String unimplementedSummary() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < unimplementedDistinct; i++) {
            int nr = unimplementedOrder[i];
            if (i > 0) b.append(", ");
            b.append(describe(nr)).append(" x").append(unimplementedCounts[nr]);
        }
        return b.toString();
    }

    private long deny(long nr, long a0, long a1, long a2) {
        int key = nr >= 0 && nr < TABLE_SIZE ? (int) nr : LOG_KEY_OUT_OF_TABLE;
        boolean kill = policy.onViolation() == SyscallPolicy.ViolationAction.KILL;
        if (!kill && (log.logged(key) || !withinLogBudget(key))) return -Errno.EPERM;   // no allocation when spammed
        String call = String.format("%s(0x%x, 0x%x, 0x%x, ...)", describe(nr), a0, a1, a2);
        if (kill) {
            log.line("policy violation: " + call + " is not allowed; killing the VM");
            control.stop(Ending.POLICY_KILL, "policy violation: " + call + " is not allowed");
            return -Errno.EPERM;
        }
        log.once(key, "policy denied " + call + ": -EPERM (logged once per syscall)");
        return -Errno.EPERM;
    }

    /**
     * True if a line may be logged for the new {@code key}; once the budget is spent, marks the
     * key as seen without a line (so later calls cost nothing), counts it, and says so once.
     */
    private boolean withinLogBudget(int key) {
        if (distinctLogged < LOG_DISTINCT_LIMIT) {
            distinctLogged++;
            return true;
        }
        log.silence(key);
        if (distinctUnlogged++ == 0) {
            log.line("more than " + LOG_DISTINCT_LIMIT + " distinct syscall numbers denied or not implemented: "
                    + "the rest are not logged (each still fails; a count follows when the VM ends)");
        }
        return false;
    }

    /** At the end of the VM: how many distinct numbers went unlogged, if any did. */
    public void logSummary() {
        if (distinctUnlogged > 0) {
            log.line(distinctUnlogged + " more distinct syscall numbers were denied or not implemented without a log line");
        }
    }

    static String describe(long nr) {
        String name = nr >= 0 && nr <= Integer.MAX_VALUE ? SyscallNames.name((int) nr) : null;
        return name != null ? name : "syscall " + nr;
    }
}

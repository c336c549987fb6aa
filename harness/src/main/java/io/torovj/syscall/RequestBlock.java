package io.torovj.syscall;

import io.torovj.abi.GuestAbi;
import io.torovj.memory.GuestMemory;

/**
 * A struct torovj_request in guest memory (torovj_abi.h): the exit-based transports' guest
 * halves fill nr and args and ring a doorbell; the monitor executes the call and writes ret.
 */
public final class RequestBlock {
    private RequestBlock() {}

    /** Reads the request at {@code at}, executes it with {@code executor}, writes its ret. Allocation-free. */
    public static void serve(GuestMemory memory, long at, SyscallExecutor executor) {
        long nr = memory.readU64(at + GuestAbi.REQ_NR);
        long a = at + GuestAbi.REQ_ARGS;
        long ret = executor.execute(nr, memory.readU64(a), memory.readU64(a + 8), memory.readU64(a + 16),
                memory.readU64(a + 24), memory.readU64(a + 32), memory.readU64(a + 40));
        memory.writeU64(at + GuestAbi.REQ_RET, ret);
    }
}

package io.torovj.boot;

import io.torovj.abi.GuestAbi;
import io.torovj.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The process-start stack, laid out as Linux lays it for a static executable:
 * argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL; strings above. The guest runtime's
 * crt0 is the same for the VM and the native run because of this.
 */
public final class InitialStack {
    private InitialStack() {}

    static final long AT_NULL = 0, AT_PAGESZ = 6, AT_ENTRY = 9;

    /** Writes the stack below {@code top}; returns the initial rsp (16-byte aligned, pointing at argc). */
    public static long build(GuestMemory mem, long top, long entry, List<String> argv, List<String> envp) {
        long needed = 16 + 8L * (argv.size() + envp.size() + 16);
        for (String a : argv) needed += a.getBytes(StandardCharsets.UTF_8).length + 1;
        for (String e : envp) needed += e.getBytes(StandardCharsets.UTF_8).length + 1;
        if (needed > GuestLayout.STACK_SIZE / 2) {
            throw new IllegalArgumentException("arguments and environment (" + needed + " bytes) do not fit in the guest stack");
        }
        long p = top - 16;                        // a little headroom the ABI does not require
        long[] argvPtrs = new long[argv.size()];
        long[] envPtrs = new long[envp.size()];
        for (int i = argv.size() - 1; i >= 0; i--) argvPtrs[i] = p = pushString(mem, p, argv.get(i));
        for (int i = envp.size() - 1; i >= 0; i--) envPtrs[i] = p = pushString(mem, p, envp.get(i));
        long[] auxv = {AT_PAGESZ, GuestLayout.PAGE, AT_ENTRY, entry, GuestAbi.AT_BOOT_INFO, GuestLayout.BOOT_INFO, AT_NULL, 0};
        int words = 1 + argvPtrs.length + 1 + envPtrs.length + 1 + auxv.length;
        long sp = (p - words * 8L) & ~15L;
        if (sp < GuestLayout.stackBottom(top) + 4096) {
            throw new IllegalArgumentException("arguments and environment do not fit in the guest stack");
        }
        long w = sp;
        mem.writeU64(w, argvPtrs.length); w += 8;
        for (long a : argvPtrs) { mem.writeU64(w, a); w += 8; }
        mem.writeU64(w, 0); w += 8;
        for (long e : envPtrs) { mem.writeU64(w, e); w += 8; }
        mem.writeU64(w, 0); w += 8;
        for (long v : auxv) { mem.writeU64(w, v); w += 8; }
        return sp;
    }

    private static long pushString(GuestMemory mem, long p, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        long at = p - bytes.length - 1;
        mem.write(at, bytes);
        mem.writeU8(at + bytes.length, (byte) 0);
        return at;
    }
}

package io.torovj.boot;

import io.torovj.abi.GuestAbi;
import io.torovj.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The process-start stack, laid out as Linux lays it for a static executable: argc, argv[],
 * NULL, envp[], NULL, the auxiliary vector, AT_NULL; strings and the 16 AT_RANDOM bytes above.
 * A static libc (glibc, musl) finds its program headers (and so its PT_TLS) through AT_PHDR,
 * its stack protector's canary in AT_RANDOM; the guest runtime finds the boot information
 * through {@link GuestAbi#AT_BOOT_INFO}. There is no vDSO: AT_SYSINFO_EHDR is absent, so a libc
 * makes real system calls for the clocks.
 */
public final class InitialStack {
    private InitialStack() {}

    static final long AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31;
    static final int PHDR_SIZE = 56;

    /**
     * What the auxiliary vector says about the program.
     *
     * @param entry          its entry point (AT_ENTRY)
     * @param programHeaders guest address of its program header table (AT_PHDR), 0 if not mapped
     * @param headerCount    number of program headers (AT_PHNUM)
     * @param execfn         the file name it was started as (AT_EXECFN): the guest's argv[0], never a host path
     * @param random         16 random bytes (AT_RANDOM)
     */
    public record Program(long entry, long programHeaders, int headerCount, String execfn, byte[] random) {
        public Program {
            if (random.length != 16) throw new IllegalArgumentException("AT_RANDOM takes 16 bytes");
        }
    }

    /**
     * Where the 16 AT_RANDOM bytes of the initial stack at {@code sp} (as {@link #build} laid it
     * out) lie: found through argc, argv, envp and the auxiliary vector. A pooled VM's reset
     * writes fresh ones there, so that every invocation gets its own stack canary, as a fresh VM
     * would.
     */
    public static long randomBytesAt(GuestMemory mem, long sp) {
        long w = sp + 8 + 8 * (mem.readU64(sp) + 1);       // past argc, argv[] and its NULL
        while (mem.readU64(w) != 0) w += 8;                 // envp[]
        for (w += 8; ; w += 16) {
            long type = mem.readU64(w);
            if (type == AT_RANDOM) return mem.readU64(w + 8);
            if (type == AT_NULL) throw new IllegalStateException("no AT_RANDOM in the initial stack");
        }
    }

    /** Writes the stack below {@code top}; returns the initial rsp (16-byte aligned, pointing at argc). */
    public static long build(GuestMemory mem, long top, Program program, List<String> argv, List<String> envp) {
        long needed = 64 + 8L * (argv.size() + envp.size() + 48) + program.execfn().length();
        for (String a : argv) needed += a.getBytes(StandardCharsets.UTF_8).length + 1;
        for (String e : envp) needed += e.getBytes(StandardCharsets.UTF_8).length + 1;
        if (needed > GuestLayout.STACK_SIZE / 2) {
            throw new IllegalArgumentException("arguments and environment (" + needed + " bytes) do not fit in the guest stack");
        }
        long p = top - 16;                        // a little headroom the ABI does not require
        long execfn = p = pushString(mem, p, program.execfn());
        long platform = p = pushString(mem, p, "x86_64");
        p = (p - 16) & ~15L;
        long random = p;
        mem.write(random, program.random());
        long[] argvPtrs = new long[argv.size()];
        long[] envPtrs = new long[envp.size()];
        for (int i = argv.size() - 1; i >= 0; i--) argvPtrs[i] = p = pushString(mem, p, argv.get(i));
        for (int i = envp.size() - 1; i >= 0; i--) envPtrs[i] = p = pushString(mem, p, envp.get(i));
        long[] auxv = {
            AT_PHDR, program.programHeaders(), AT_PHENT, PHDR_SIZE, AT_PHNUM, program.headerCount(),
            AT_PAGESZ, GuestLayout.PAGE, AT_BASE, 0, AT_FLAGS, 0, AT_ENTRY, program.entry(),
            AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0,
            AT_PLATFORM, platform, AT_HWCAP, 0, AT_CLKTCK, 100, AT_RANDOM, random, AT_EXECFN, execfn,
            GuestAbi.AT_BOOT_INFO, GuestLayout.BOOT_INFO, AT_NULL, 0};
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

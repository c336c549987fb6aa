package io.torovj.gdb;

import java.nio.charset.StandardCharsets;

/**
 * The x86-64 register file as the stub shows it to gdb: the target description
 * (qXfer:features:read:target.xml) and the matching g/G/p/P layout, register number = index
 * in {@link #NAMES}, values little-endian in that order.
 *
 * <p>gdb's amd64 support requires the core feature to hold the x87 registers too (st0-st7 and
 * the eight x87 control registers); the stub cannot read them (neither KVM_GET_REGS nor the
 * process platform's control page has them), so it reports them as unavailable ('x' digits)
 * and refuses writes. No SSE feature (optional for gdb). fs_base and gs_base are in the
 * optional segments feature.
 */
final class X86Registers {
    private X86Registers() {}

    static final int RAX = 0, RBX = 1, RCX = 2, RDX = 3, RSI = 4, RDI = 5, RBP = 6, RSP = 7, R8 = 8, R15 = 15,
            RIP = 16, EFLAGS = 17, CS = 18, SS = 19, DS = 20, ES = 21, FS = 22, GS = 23, ST0 = 24, FCTRL = 32,
            FOP = 39, FS_BASE = 40, GS_BASE = 41, COUNT = 42;

    static final String[] NAMES = {
        "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
        "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
        "st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7",
        "fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
        "fs_base", "gs_base",
    };

    /** Bytes of each register in the g packet. */
    static int size(int regnum) {
        if (regnum < RIP + 1 || regnum == FS_BASE || regnum == GS_BASE) return 8;
        if (regnum >= ST0 && regnum < FCTRL) return 10;
        return 4;
    }

    /** Bytes of a whole g packet's data. */
    static final int G_BYTES;
    /** Bytes of the leading part of a G packet the stub needs: rax .. gs. */
    static final int GPR_BYTES;

    static {
        int total = 0, gpr = 0;
        for (int i = 0; i < COUNT; i++) {
            total += size(i);
            if (i <= GS) gpr += size(i);
        }
        G_BYTES = total;
        GPR_BYTES = gpr;
    }

    /** Offset of a register in the g packet's data. */
    static int offset(int regnum) {
        int off = 0;
        for (int i = 0; i < regnum; i++) off += size(i);
        return off;
    }

    /** True for the x87 registers, which the stub cannot read or write. */
    static boolean unavailable(int regnum) {
        return regnum >= ST0 && regnum <= FOP;
    }

    /** Registers gdb may change: the general registers, rip and eflags (the segments and bases are fixed). */
    static boolean writable(int regnum) {
        return regnum >= 0 && regnum <= EFLAGS;
    }

    /** kvm_regs index (rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags) of gdb register 0..17. */
    static int kvmIndex(int regnum) {
        if (regnum == RBP) return 7;
        if (regnum == RSP) return 6;
        return regnum;
    }

    static final byte[] TARGET_XML = buildTargetXml().getBytes(StandardCharsets.US_ASCII);

    private static String buildTargetXml() {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n");
        x.append("<architecture>i386:x86-64</architecture>\n");
        x.append("<feature name=\"org.gnu.gdb.i386.core\">\n");
        x.append("<flags id=\"torovj_eflags\" size=\"4\">\n");
        String[][] flags = {{"CF", "0"}, {"PF", "2"}, {"AF", "4"}, {"ZF", "6"}, {"SF", "7"}, {"TF", "8"},
            {"IF", "9"}, {"DF", "10"}, {"OF", "11"}, {"NT", "14"}, {"RF", "16"}, {"VM", "17"}, {"AC", "18"},
            {"VIF", "19"}, {"VIP", "20"}, {"ID", "21"}};
        for (String[] f : flags) {
            x.append("  <field name=\"").append(f[0]).append("\" start=\"").append(f[1]).append("\" end=\"").append(f[1]).append("\"/>\n");
        }
        x.append("</flags>\n");
        for (int i = 0; i < COUNT; i++) {
            if (i == FS_BASE) x.append("</feature>\n<feature name=\"org.gnu.gdb.i386.segments\">\n");
            String type;
            String group = null;
            if (i == RIP) type = "code_ptr";
            else if (i == RBP || i == RSP) type = "data_ptr";
            else if (i < RIP) type = "int64";
            else if (i == EFLAGS) type = "torovj_eflags";
            else if (i <= GS) type = "int32";
            else if (i < FCTRL) type = "i387_ext";
            else if (i <= FOP) {
                type = "int";
                group = "float";
            } else type = "int";
            x.append("<reg name=\"").append(NAMES[i]).append("\" bitsize=\"").append(8 * size(i))
                    .append("\" type=\"").append(type).append("\" regnum=\"").append(i).append('"');
            if (group != null) x.append(" group=\"").append(group).append('"');
            x.append("/>\n");
        }
        x.append("</feature>\n</target>\n");
        return x.toString();
    }
}

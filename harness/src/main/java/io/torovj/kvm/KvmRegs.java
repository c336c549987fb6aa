package io.torovj.kvm;

import io.torovj.sys.NativeBuffer;

/** struct kvm_regs, in a reusable native buffer. */
public final class KvmRegs {
    final NativeBuffer buf = new NativeBuffer(KvmAbi.REGS_SIZE);

    /** The struct as KVM lays it out (little-endian), for a C program to pass to KVM as it is (a boot image). */
    public byte[] bytes() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(KvmAbi.REGS_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < KvmAbi.REGS_SIZE; off += 8) b.putLong(buf.getLong(off));
        return b.array();
    }

    public long rax() { return buf.getLong(KvmAbi.REGS_RAX); }
    public long rbx() { return buf.getLong(KvmAbi.REGS_RBX); }
    public long rcx() { return buf.getLong(KvmAbi.REGS_RCX); }
    public long rdx() { return buf.getLong(KvmAbi.REGS_RDX); }
    public long rsi() { return buf.getLong(KvmAbi.REGS_RSI); }
    public long rdi() { return buf.getLong(KvmAbi.REGS_RDI); }
    public long rsp() { return buf.getLong(KvmAbi.REGS_RSP); }
    public long rbp() { return buf.getLong(KvmAbi.REGS_RBP); }
    public long rip() { return buf.getLong(KvmAbi.REGS_RIP); }
    public long rflags() { return buf.getLong(KvmAbi.REGS_RFLAGS); }
    public long r8() { return buf.getLong(KvmAbi.REGS_R8); }
    public long r9() { return buf.getLong(KvmAbi.REGS_R9); }
    public long r10() { return buf.getLong(KvmAbi.REGS_R10); }
    public long r11() { return buf.getLong(KvmAbi.REGS_R11); }
    public void setRax(long v) { buf.putLong(KvmAbi.REGS_RAX, v); }
    public void setRcx(long v) { buf.putLong(KvmAbi.REGS_RCX, v); }
    /** General register by index in kvm_regs order: rax rbx rcx rdx rsi rdi rsp rbp r8..r15 rip rflags. */
    public long get(int index) { return buf.getLong(index * 8); }
    public void set(int index, long value) { buf.putLong(index * 8, value); }

    public void clear() { buf.clear(); }
    public void setRip(long v) { buf.putLong(KvmAbi.REGS_RIP, v); }
    public void setRsp(long v) { buf.putLong(KvmAbi.REGS_RSP, v); }
    public void setRflags(long v) { buf.putLong(KvmAbi.REGS_RFLAGS, v); }
    public void setRdi(long v) { buf.putLong(KvmAbi.REGS_RDI, v); }
    public void setRsi(long v) { buf.putLong(KvmAbi.REGS_RSI, v); }
    public void setRdx(long v) { buf.putLong(KvmAbi.REGS_RDX, v); }
}

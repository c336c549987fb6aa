package io.torovj.kvm;

import io.torovj.sys.NativeBuffer;

/** struct kvm_sregs, in a reusable native buffer. */
public final class KvmSregs {
    final NativeBuffer buf = new NativeBuffer(KvmAbi.SREGS_SIZE);

    /** The struct as KVM lays it out (little-endian), for a C program to pass to KVM as it is (a boot image). */
    public byte[] bytes() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(KvmAbi.SREGS_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < KvmAbi.SREGS_SIZE; off += 8) b.putLong(buf.getLong(off));
        return b.array();
    }

    /** Which segment register, by its offset in kvm_sregs. */
    public enum Segment {
        CS(KvmAbi.SREGS_CS), DS(KvmAbi.SREGS_DS), ES(KvmAbi.SREGS_ES), FS(KvmAbi.SREGS_FS),
        GS(KvmAbi.SREGS_GS), SS(KvmAbi.SREGS_SS), TR(KvmAbi.SREGS_TR), LDT(KvmAbi.SREGS_LDT);
        final int offset;
        Segment(int offset) { this.offset = offset; }
    }

    /** Sets the hidden (cached) part of a segment register, as a descriptor load would. */
    public void setSegment(Segment seg, long base, int limit, int selector, int type, boolean present,
                           int dpl, boolean db, boolean s, boolean l, boolean g, boolean unusable) {
        int o = seg.offset;
        buf.putLong(o + KvmAbi.SEG_BASE, base);
        buf.putInt(o + KvmAbi.SEG_LIMIT, limit);
        buf.putShort(o + KvmAbi.SEG_SELECTOR, (short) selector);
        buf.putByte(o + KvmAbi.SEG_TYPE, (byte) type);
        buf.putByte(o + KvmAbi.SEG_PRESENT, (byte) (present ? 1 : 0));
        buf.putByte(o + KvmAbi.SEG_DPL, (byte) dpl);
        buf.putByte(o + KvmAbi.SEG_DB, (byte) (db ? 1 : 0));
        buf.putByte(o + KvmAbi.SEG_S, (byte) (s ? 1 : 0));
        buf.putByte(o + KvmAbi.SEG_L, (byte) (l ? 1 : 0));
        buf.putByte(o + KvmAbi.SEG_G, (byte) (g ? 1 : 0));
        buf.putByte(o + KvmAbi.SEG_AVL, (byte) 0);
        buf.putByte(o + KvmAbi.SEG_UNUSABLE, (byte) (unusable ? 1 : 0));
    }

    public int selector(Segment seg) { return buf.getShort(seg.offset + KvmAbi.SEG_SELECTOR) & 0xffff; }
    public int dpl(Segment seg) { return buf.getByte(seg.offset + KvmAbi.SEG_DPL); }
    public long base(Segment seg) { return buf.getLong(seg.offset + KvmAbi.SEG_BASE); }
    public void setBase(Segment seg, long base) { buf.putLong(seg.offset + KvmAbi.SEG_BASE, base); }
    public long limit(Segment seg) { return buf.getInt(seg.offset + KvmAbi.SEG_LIMIT) & 0xFFFF_FFFFL; }

    public void setGdt(long base, int limit) {
        buf.putLong(KvmAbi.SREGS_GDT + KvmAbi.DTABLE_BASE, base);
        buf.putShort(KvmAbi.SREGS_GDT + KvmAbi.DTABLE_LIMIT, (short) limit);
    }

    public void setIdt(long base, int limit) {
        buf.putLong(KvmAbi.SREGS_IDT + KvmAbi.DTABLE_BASE, base);
        buf.putShort(KvmAbi.SREGS_IDT + KvmAbi.DTABLE_LIMIT, (short) limit);
    }

    public long cr0() { return buf.getLong(KvmAbi.SREGS_CR0); }
    public long cr2() { return buf.getLong(KvmAbi.SREGS_CR2); }
    public long cr3() { return buf.getLong(KvmAbi.SREGS_CR3); }
    public long cr4() { return buf.getLong(KvmAbi.SREGS_CR4); }
    public long efer() { return buf.getLong(KvmAbi.SREGS_EFER); }
    public void setCr0(long v) { buf.putLong(KvmAbi.SREGS_CR0, v); }
    public void setCr3(long v) { buf.putLong(KvmAbi.SREGS_CR3, v); }
    public void setCr4(long v) { buf.putLong(KvmAbi.SREGS_CR4, v); }
    public void setEfer(long v) { buf.putLong(KvmAbi.SREGS_EFER, v); }
}

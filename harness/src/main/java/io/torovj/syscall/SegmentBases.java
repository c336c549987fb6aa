package io.torovj.syscall;

/**
 * The calling vCPU's FS and GS base registers, which arch_prctl sets and reads: a libc keeps its
 * thread pointer in FS. Implemented by the VM over its vCPU.
 */
public interface SegmentBases {
    long fs();
    void setFs(long base);
    long gs();
    void setGs(long base);
}

package io.torovj.linux;

/**
 * x86-64's rule for a virtual address (48-bit paging): bits 63..47 all equal. Linux refuses a
 * non-canonical segment base, sysretq faults on a non-canonical return address, and the CPU
 * faults on loading one into rip or rsp. One definition for the monitor's checks of each.
 */
public final class CanonicalAddress {
    private CanonicalAddress() {}

    public static boolean is(long address) {
        long top = address >> 47;
        return top == 0 || top == -1;
    }
}

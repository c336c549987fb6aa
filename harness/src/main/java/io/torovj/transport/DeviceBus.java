package io.torovj.transport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small address-range bus, Firecracker style: devices own non-overlapping ranges; a lookup is
 * a linear scan over a handful of entries (no allocation, no boxing). Used for I/O ports and for
 * MMIO addresses.
 */
public final class DeviceBus<D> {
    private final String name;
    private long[] bases = new long[0];
    private long[] ends = new long[0];
    private Object[] devices = new Object[0];

    public DeviceBus(String name) {
        this.name = name;
    }

    /** Registers [base, base+length); throws if it overlaps a registered range. */
    public void register(long base, long length, D device) {
        if (length <= 0 || base < 0 || base + length < base) throw new IllegalArgumentException("bad " + name + " range");
        for (int i = 0; i < bases.length; i++) {
            if (base < ends[i] && bases[i] < base + length) {
                throw new IllegalArgumentException(String.format("%s range 0x%x+%d overlaps 0x%x-0x%x",
                        name, base, length, bases[i], ends[i]));
            }
        }
        int n = bases.length;
        bases = Arrays.copyOf(bases, n + 1);
        ends = Arrays.copyOf(ends, n + 1);
        devices = Arrays.copyOf(devices, n + 1);
        bases[n] = base;
        ends[n] = base + length;
        devices[n] = device;
    }

    /** A registered range [base, base + length) and its device. */
    public record Range<D>(long base, long length, D device) {}

    /** The registered ranges, in registration order (for VM assembly, not for the exit path). */
    @SuppressWarnings("unchecked")
    public List<Range<D>> ranges() {
        List<Range<D>> all = new ArrayList<>(bases.length);
        for (int i = 0; i < bases.length; i++) all.add(new Range<>(bases[i], ends[i] - bases[i], (D) devices[i]));
        return all;
    }

    /** The device owning {@code address}, or null. */
    @SuppressWarnings("unchecked")
    public D find(long address) {
        for (int i = 0; i < bases.length; i++) {
            if (address >= bases[i] && address < ends[i]) return (D) devices[i];
        }
        return null;
    }
}

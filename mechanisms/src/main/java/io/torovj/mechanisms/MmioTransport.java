package io.torovj.mechanisms;

import io.torovj.lifecycle.Ending;
import io.torovj.memory.GuestMemory;
import io.torovj.syscall.RequestBlock;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.MmioDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.lifecycle.VmControl;

/**
 * MMIO exit: the guest fills its request block and stores 4 bytes to a doorbell in a
 * guest-physical page no memory slot backs; KVM exits with KVM_EXIT_MMIO. The monitor checks
 * the address and the length before acting; any other access to the page ends the VM with a
 * report. Guest half: src/main/guest/mmio.c.
 */
public final class MmioTransport implements SyscallTransport, MmioDevice {
    static final int DOORBELL_LENGTH = 4;
    private static final long PAGE = 4096;

    private GuestMemory memory;
    private SyscallExecutor executor;
    private VmControl control;
    private long request;
    private long doorbell;

    private String name;

    @Override
    public void attach(TransportContext context) {
        name = context.transportName();
        memory = context.memory();
        executor = context.executor();
        control = context.control();
        request = context.requestBlock();
        doorbell = context.deviceWindow();
        context.mmioBus().register(doorbell, PAGE, this);
        context.bootInfo().setDoorbellMmio(doorbell);
    }

    @Override
    public void write(long address, int length, long value) {
        if (address != doorbell || length != DOORBELL_LENGTH) {
            control.stop(Ending.UNEXPECTED_EXIT, String.format(
                    "%s transport: bad doorbell access: %d bytes at 0x%x (expected %d bytes at 0x%x)",
                    name, length, address, DOORBELL_LENGTH, doorbell));
            return;
        }
        RequestBlock.serve(memory, request, executor);
    }

    @Override
    public long read(long address, int length) {
        // the doorbell page is write-only: a load is a protocol violation like a bad store
        control.stop(Ending.UNEXPECTED_EXIT, String.format(
                "%s transport: bad doorbell access: %d-byte load from 0x%x (the doorbell page is write-only)",
                name, length, address));
        return 0;
    }

    @Override
    public void close() { }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "mmio"; }
        @Override public String description() { return "MMIO exit (store to an unbacked doorbell page), one VM exit per syscall"; }
        @Override public Floor floor() { return Floor.MMIO_EXIT; }
        @Override public SyscallTransport create() { return new MmioTransport(); }
    }
}

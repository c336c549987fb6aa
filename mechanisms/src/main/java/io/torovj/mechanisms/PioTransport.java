package io.torovj.mechanisms;

import io.torovj.memory.GuestMemory;
import io.torovj.syscall.RequestBlock;
import io.torovj.syscall.SyscallExecutor;
import io.torovj.transport.PortIoDevice;
import io.torovj.transport.SyscallTransport;
import io.torovj.transport.TransportContext;
import io.torovj.transport.TransportProvider;
import io.torovj.lifecycle.VmControl;

/**
 * I/O-port exit: the guest fills its request block and executes {@code out} to the doorbell
 * port (granted to CPL3 by the TSS I/O bitmap, as every claimed port is); KVM exits to the monitor, which executes the request read
 * from guest memory and re-enters. One VM exit per syscall. Guest half: src/main/guest/pio.c.
 */
public final class PioTransport implements SyscallTransport, PortIoDevice {
    private GuestMemory memory;
    private SyscallExecutor executor;
    private VmControl control;
    private long request;

    private String name;

    @Override
    public void attach(TransportContext context) {
        name = context.transportName();
        memory = context.memory();
        executor = context.executor();
        control = context.control();
        request = context.requestBlock();
        context.portBus().register(context.doorbellPort(), 1, this);
        context.bootInfo().setDoorbellPort(context.doorbellPort());
    }

    @Override
    public void out(int port, int size, long value) {
        RequestBlock.serve(memory, request, executor);
    }

    @Override
    public long in(int port, int size) {
        return VmControl.refuseDoorbellRead(control, name, port, size);
    }

    @Override
    public void close() { }

    /** Registry entry. */
    public static final class Provider implements TransportProvider {
        @Override public String name() { return "pio"; }
        @Override public String description() { return "I/O-port exit (out to a doorbell port), one VM exit per syscall"; }
        @Override public Floor floor() { return Floor.PORT_IO_EXIT; }
        @Override public SyscallTransport create() { return new PioTransport(); }
    }
}

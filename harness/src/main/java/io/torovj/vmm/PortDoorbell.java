package io.torovj.vmm;

import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.sys.EventFd;
import io.torovj.transport.KernelDoorbell;
import io.torovj.transport.PortIoDevice;

/**
 * A {@link KernelDoorbell} on one I/O port: an eventfd, signalled inside the kernel by a
 * KVM_IOEVENTFD on KVM, and by this device on the port bus wherever an OUT reaches the monitor
 * (every OUT on the process platform). An IN from the port ends the VM in its owner's name.
 * Owned by the VM: closed after the transport that waits on it.
 */
final class PortDoorbell implements KernelDoorbell, PortIoDevice, AutoCloseable {
    private final EventFd event;
    private final AutoCloseable kernelPath;
    private final VmControl control;
    private final String owner;

    private PortDoorbell(EventFd event, AutoCloseable kernelPath, VmControl control, String owner) {
        this.event = event;
        this.kernelPath = kernelPath;
        this.control = control;
        this.owner = owner;
    }

    static PortDoorbell create(Platform platform, int port, String owner, VmControl control) {
        EventFd event = EventFd.create();
        try {
            return new PortDoorbell(event, platform.signalOnOut(port, event), control, owner);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
    }

    @Override public void await() { event.await(); }
    @Override public void ring() { event.signal(); }

    /** The OUT reached the monitor (the process platform, or an access KVM's ioeventfd did not match). */
    @Override
    public void out(int port, int size, long value) {
        try {
            event.signal();
        } catch (IllegalStateException e) {
            control.stop(Ending.MONITOR_ERROR, owner + " transport: doorbell: " + e.getMessage());
        }
    }

    @Override
    public long in(int port, int size) {
        return VmControl.refuseDoorbellRead(control, owner, port, size);
    }

    @Override
    public void close() throws Exception {
        try {
            if (kernelPath != null) kernelPath.close();
        } finally {
            event.close();
        }
    }
}

package io.torovj.vmm;

import io.torovj.lifecycle.Ending;
import io.torovj.lifecycle.VmControl;
import io.torovj.sys.EventFd;
import io.torovj.transport.KernelDoorbell;
import io.torovj.transport.KernelDoorbell.Path;
import io.torovj.transport.PortIoDevice;

/**
 * A {@link KernelDoorbell} on one I/O port: an eventfd, signalled by this device on the port bus
 * wherever an OUT reaches the monitor, and inside the kernel by a KVM_IOEVENTFD where one was
 * asked for ({@link KernelDoorbell.Path#IOEVENTFD}) and the platform has it. An IN from the
 * port ends the VM in its owner's name.
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

    static PortDoorbell create(Platform platform, int port, String owner, VmControl control, Path path) {
        EventFd event = EventFd.create();
        try {
            AutoCloseable kernelPath = path == Path.IOEVENTFD ? platform.signalOnOut(port, event) : null;
            return new PortDoorbell(event, kernelPath, control, owner);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
    }

    /** Written by the vCPU thread, read by the waiting thread. */
    private volatile long lastExitNanos;

    @Override public void await() { event.await(); }
    @Override public long lastExitNanos() { return lastExitNanos; }
    @Override public void ring() { event.signal(); }

    /** The OUT reached the monitor (an exit doorbell, the process platform, or an access KVM's ioeventfd did not match). */
    @Override
    public void out(int port, int size, long value) {
        try {
            event.signal();
            lastExitNanos = System.nanoTime();
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

package io.torovj.kvm;

import io.torovj.sys.EventFd;
import io.torovj.sys.LibC;
import io.torovj.sys.NativeBuffer;

/** One VM fd: memory slots, ioeventfds, vCPU creation. */
public final class VmFd implements AutoCloseable {
    private final int fd;
    private final int vcpuMmapSize;
    private final NativeBuffer arg = new NativeBuffer(KvmAbi.IOEVENTFD_SIZE);
    private boolean closed;

    VmFd(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** Backs guest-physical [guestPhys, guestPhys + size) with host memory at {@code hostAddress}. */
    public void setUserMemoryRegion(int slot, long guestPhys, long size, long hostAddress) {
        arg.clear();
        arg.putInt(KvmAbi.MEMREGION_SLOT, slot);
        arg.putInt(KvmAbi.MEMREGION_FLAGS, 0);
        arg.putLong(KvmAbi.MEMREGION_GUEST_PHYS_ADDR, guestPhys);
        arg.putLong(KvmAbi.MEMREGION_MEMORY_SIZE, size);
        arg.putLong(KvmAbi.MEMREGION_USERSPACE_ADDR, hostAddress);
        ioctlOrThrow(KvmAbi.KVM_SET_USER_MEMORY_REGION, arg.address(), "KVM_SET_USER_MEMORY_REGION");
    }

    /** Intel VMX needs a TSS area for real-mode emulation even though we boot straight to long mode. */
    public void setTssAddress(long address) {
        ioctlOrThrow(KvmAbi.KVM_SET_TSS_ADDR, address, "KVM_SET_TSS_ADDR");
    }

    /**
     * Registers {@code eventFd} to be signalled, inside the kernel, when the guest executes an
     * OUT of {@code length} bytes to I/O port {@code port}: KVM_IOEVENTFD. The guest's vCPU does
     * not leave KVM_RUN for it. Closing the registration deassigns it (before the VM fd closes).
     */
    public IoEventFd ioeventfd(int port, int length, EventFd eventFd) {
        assignIoeventfd(port, length, eventFd.fd(), false);
        return new IoEventFd(port, length, eventFd.fd());
    }

    private synchronized void assignIoeventfd(long address, int length, int fd, boolean deassign) {
        arg.clear();
        arg.putLong(KvmAbi.IOEVENTFD_ADDR, address);
        arg.putInt(KvmAbi.IOEVENTFD_LEN, length);
        arg.putInt(KvmAbi.IOEVENTFD_FD, fd);
        arg.putInt(KvmAbi.IOEVENTFD_FLAGS, KvmAbi.KVM_IOEVENTFD_FLAG_PIO | (deassign ? KvmAbi.KVM_IOEVENTFD_FLAG_DEASSIGN : 0));
        ioctlOrThrow(KvmAbi.KVM_IOEVENTFD, arg.address(), "KVM_IOEVENTFD");
    }

    /** A port ioeventfd registered with this VM. */
    public final class IoEventFd implements AutoCloseable {
        private final int port, length, fd;
        private boolean closed;

        private IoEventFd(int port, int length, int fd) {
            this.port = port;
            this.length = length;
            this.fd = fd;
        }

        /** Deassigns the ioeventfd; the eventfd itself stays its owner's to close. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            assignIoeventfd(port, length, fd, true);
        }
    }

    public int checkExtension(int capability) {
        return LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_CHECK_EXTENSION, capability);
    }

    public VcpuFd createVcpu(int id) {
        int vcpufd = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_CREATE_VCPU, id);
        if (vcpufd < 0) {
            int errno = LibC.errno();
            throw new KvmException("KVM_CREATE_VCPU failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        int sync = checkExtension(KvmAbi.KVM_CAP_SYNC_REGS);
        boolean syncRegs = sync > 0 && (sync & (KvmAbi.KVM_SYNC_X86_REGS | KvmAbi.KVM_SYNC_X86_SREGS))
                == (KvmAbi.KVM_SYNC_X86_REGS | KvmAbi.KVM_SYNC_X86_SREGS);
        return VcpuFd.map(vcpufd, vcpuMmapSize, syncRegs);
    }

    private void ioctlOrThrow(long request, long argument, String name) {
        if (LibC.INSTANCE.ioctl(fd, request, argument) < 0) {
            int errno = LibC.errno();
            throw new KvmException(name + " failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}

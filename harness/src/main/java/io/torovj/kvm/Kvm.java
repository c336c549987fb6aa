package io.torovj.kvm;

import io.torovj.sys.LibC;
import java.nio.file.Files;
import java.nio.file.Path;

/** The /dev/kvm system fd: API version, capabilities, VM creation. */
public final class Kvm implements AutoCloseable {
    public static final Path DEVICE = Path.of("/dev/kvm");
    private static final int O_RDWR = 2, O_CLOEXEC = 0x80000;

    private final int fd;
    private final int vcpuMmapSize;

    private Kvm(int fd) {
        this.fd = fd;
        int version = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_GET_API_VERSION, 0);
        if (version != KvmAbi.API_VERSION) {
            LibC.INSTANCE.close(fd);
            throw new KvmException("KVM API version " + version + ", expected " + KvmAbi.API_VERSION, 0);
        }
        int size = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_GET_VCPU_MMAP_SIZE, 0);
        if (size <= 0) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(fd);
            throw new KvmException("KVM_GET_VCPU_MMAP_SIZE failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        this.vcpuMmapSize = size;
    }

    /** True if /dev/kvm exists (it may still refuse to open: see {@link #open()}). */
    public static boolean deviceExists() {
        return Files.exists(DEVICE);
    }

    /** Opens /dev/kvm; the message says what to do when it is missing or not permitted. */
    public static Kvm open() {
        int fd = LibC.INSTANCE.open(DEVICE.toString(), O_RDWR | O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = LibC.errno();
            String hint = switch (errno) {
                case 2 -> "no /dev/kvm on this host: enable virtualization (VMX/SVM) or load kvm_pvm, and check the kvm module is loaded";
                case 13, 1 -> "permission denied on /dev/kvm: run as root or add yourself to the kvm group";
                case 19, 6 -> "/dev/kvm exists but no KVM driver is bound to it on this host";
                default -> "cannot open /dev/kvm: " + LibC.INSTANCE.strerror(errno);
            };
            throw new KvmException(hint, errno);
        }
        return new Kvm(fd);
    }

    public int checkExtension(int capability) {
        return LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_CHECK_EXTENSION, capability);
    }

    public int vcpuMmapSize() { return vcpuMmapSize; }

    public VmFd createVm() {
        int vmfd = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_CREATE_VM, 0);
        if (vmfd < 0) {
            int errno = LibC.errno();
            throw new KvmException("KVM_CREATE_VM failed: " + LibC.INSTANCE.strerror(errno), errno);
        }
        return new VmFd(vmfd, vcpuMmapSize);
    }

    @Override
    public void close() {
        LibC.INSTANCE.close(fd);
    }
}

package io.torovj.kvm;

import io.torovj.sys.LibC;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;

/** The /dev/kvm system fd: API version, capabilities, VM creation. */
public final class Kvm implements AutoCloseable {
    public static final Path DEVICE = Path.of("/dev/kvm");
    private static final int O_RDWR = 2, O_CLOEXEC = 0x80000;

    /** A KVM capability the monitor cannot work without, and what needs it (for the error message). */
    record Capability(int number, String name, String neededFor) {}

    /**
     * Every capability the monitor relies on, checked once in {@link #open()}. KVM_CAP_SET_TSS_ADDR
     * is not here: KVM_SET_TSS_ADDR is called only on Intel VMX (see the KVM platform), where x86
     * KVM has always had it, and a failure there already names the ioctl.
     */
    static final List<Capability> REQUIRED = List.of(
            new Capability(KvmAbi.KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY",
                    "to back guest RAM with host memory: KVM_SET_USER_MEMORY_REGION"),
            new Capability(KvmAbi.KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
                    "to stop a running vCPU: kvm_run.immediate_exit"),
            new Capability(KvmAbi.KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD",
                    "for the adaptive ring transport's doorbell: KVM_IOEVENTFD"));

    private final int fd;
    private boolean closed;
    private final int vcpuMmapSize;

    private Kvm(int fd) {
        this.fd = fd;
        int version = LibC.INSTANCE.ioctl(fd, KvmAbi.KVM_GET_API_VERSION, 0);
        if (version != KvmAbi.API_VERSION) {
            LibC.INSTANCE.close(fd);
            throw new KvmException("KVM API version " + version + ", expected " + KvmAbi.API_VERSION, 0);
        }
        try {
            requireCapabilities(this::checkExtension);
        } catch (KvmException e) {
            LibC.INSTANCE.close(fd);
            throw e;
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

    /**
     * Throws a {@link KvmException} naming the first {@link #REQUIRED} capability that
     * {@code checkExtension} (KVM_CHECK_EXTENSION: 0 absent, positive present, negative error)
     * does not report. Pure: a test drives it with a fake.
     */
    static void requireCapabilities(IntUnaryOperator checkExtension) {
        for (Capability cap : REQUIRED) {
            int answer = checkExtension.applyAsInt(cap.number());
            if (answer <= 0) {
                throw new KvmException("KVM lacks " + cap.name() + " (needed " + cap.neededFor()
                        + (answer < 0 ? "; KVM_CHECK_EXTENSION returned " + answer : "") + "); kernel too old?", 0);
            }
        }
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
    public synchronized void close() {
        if (closed) return;         // never close a number another file may have taken since
        closed = true;
        LibC.INSTANCE.close(fd);
    }
}

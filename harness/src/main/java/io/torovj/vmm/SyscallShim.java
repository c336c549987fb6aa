package io.torovj.vmm;

import io.torovj.boot.GuestLayout;
import io.torovj.loader.ElfImage;
import io.torovj.loader.ElfLoadException;
import io.torovj.loader.ElfLoader;
import io.torovj.memory.GuestMemory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The syscall shim (mechanisms/src/main/shim): a small guest ELF holding every transport's guest
 * half, loaded at {@link GuestLayout#SHIM_BASE} beside an unmodified program so that patched
 * {@code syscall} sites can use the VM's transport. The mechanisms build puts it on the class
 * path; without it (the harness alone) every call traps.
 *
 * <p>Its entry point starts with a short jump over a header of five quadwords: magic, version,
 * the address patched sites enter (shim_syscall_entry), and the thunk area's bounds.
 */
final class SyscallShim {
    static final String RESOURCE = "/io/torovj/shim/syscall-shim.elf";
    private static final long MAGIC = 0x4d4948534a564f54L;   // "TOVJSHIM"
    private static final long VERSION = 1;
    private static final int HEADER_OFFSET = 8;

    /** Where a loaded shim's parts are in guest memory. */
    record Loaded(long entry, long syscallEntry, long thunks, long thunksEnd) {}

    private static final Optional<SyscallShim> ON_CLASS_PATH = load();

    private final ElfImage image;

    private SyscallShim(ElfImage image) {
        this.image = image;
    }

    /** The shim the class path carries, if any. */
    static Optional<SyscallShim> onClassPath() {
        return ON_CLASS_PATH;
    }

    private static Optional<SyscallShim> load() {
        try (InputStream in = SyscallShim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return Optional.empty();
            return Optional.of(new SyscallShim(ElfLoader.parse(in.readAllBytes())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the syscall shim " + RESOURCE, e);
        } catch (ElfLoadException e) {
            throw new IllegalStateException("the syscall shim " + RESOURCE + " is not a valid ELF: " + e.getMessage(), e);
        }
    }

    /**
     * Copies the shim into its region and reads its header back. The shim is built with the
     * monitor, not given by the guest; a header that does not describe the region is a build
     * error, reported as such.
     */
    Loaded loadInto(GuestMemory memory) throws ElfLoadException {
        image.loadInto(memory, GuestLayout.SHIM_BASE, GuestLayout.SHIM_END);
        long header = image.entry() + HEADER_OFFSET;
        if (memory.readU64(header) != MAGIC || memory.readU64(header + 8) != VERSION) {
            throw new IllegalStateException("the syscall shim's header is missing or of another version");
        }
        Loaded loaded = new Loaded(image.entry(), memory.readU64(header + 16), memory.readU64(header + 24), memory.readU64(header + 32));
        if (!inRegion(loaded.syscallEntry()) || !inRegion(loaded.thunks()) || loaded.thunksEnd() > GuestLayout.SHIM_END
                || loaded.thunks() >= loaded.thunksEnd()) {
            throw new IllegalStateException("the syscall shim's header points outside its region: " + loaded);
        }
        return loaded;
    }

    private static boolean inRegion(long address) {
        return address >= GuestLayout.SHIM_BASE && address < GuestLayout.SHIM_END;
    }
}

package io.torovj.loader;

/**
 * An executable the monitor will not run, with the reason as a value a caller can test and a
 * message that is one line, lower case, meant to follow the file name in a CLI error:
 * {@code torovj: hello.elf: not an ELF file (bad magic)}.
 */
public final class ElfLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the file was refused; each names a distinct fix for the user. */
    public enum Reason {
        /** The file could not be read (missing, a directory, no permission, I/O error). */
        UNREADABLE,
        /** No ELF magic at offset 0. */
        NOT_ELF,
        /** ELFCLASS32 or another class; only ELFCLASS64 runs. */
        WRONG_CLASS,
        /** Big-endian or unknown data encoding; only ELFDATA2LSB runs. */
        WRONG_ENDIANNESS,
        /** e_ident[EI_VERSION] or e_version is not EV_CURRENT. */
        WRONG_VERSION,
        /** e_machine is not EM_X86_64. */
        WRONG_MACHINE,
        /** ET_DYN: a position-independent executable (or a shared library). */
        PIE,
        /** Neither ET_EXEC nor ET_DYN (a relocatable object, a core file, ...). */
        NOT_EXECUTABLE,
        /** Has PT_INTERP or PT_DYNAMIC: needs a dynamic linker the VM does not have. */
        DYNAMIC,
        /** The file ends before the ELF header or before bytes its headers name. */
        TRUNCATED,
        /** The program header table is malformed or has no loadable segment. */
        BAD_PROGRAM_HEADERS,
        /** A PT_LOAD segment is malformed or overlaps another. */
        BAD_SEGMENT,
        /** The entry point is not inside an executable PT_LOAD segment. */
        BAD_ENTRY,
        /** Well formed, but uses a feature the monitor does not implement (e.g. PT_TLS). */
        UNSUPPORTED,
        /** The image does not fit in the guest memory or address range it was given. */
        DOES_NOT_FIT
    }

    private final Reason reason;

    /** @param message one line, no file name, no trailing period */
    public ElfLoadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @param message one line, no file name, no trailing period */
    public ElfLoadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the file was refused. */
    public Reason reason() {
        return reason;
    }
}

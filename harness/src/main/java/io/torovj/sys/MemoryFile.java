package io.torovj.sys;

import io.torovj.linux.MmapFlags;

/**
 * An anonymous in-memory file (memfd) of a fixed size, for a guest's stdio when no terminal or
 * pipe is wanted: a served function's request body as its stdin, its stdout and stderr. The file
 * is sized once and then sealed against growing and shrinking, so a guest writing without end
 * gets an error from write(2) at the size instead of filling the monitor's memory; the pages
 * cost only what is written. Not thread-safe; one owner.
 */
public final class MemoryFile implements AutoCloseable {
    private static final int MFD_ALLOW_SEALING = 2;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_SHRINK = 0x2, F_SEAL_GROW = 0x4;
    private static final int SEEK_SET = 0, SEEK_CUR = 1;
    private static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    /** Bytes copied per libc call between Java arrays and the file. */
    private static final int CHUNK = 64 << 10;

    private final int fd;
    private long size;
    private NativeBuffer scratch;
    private boolean closed;

    private MemoryFile(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * A new close-on-exec memfd of exactly {@code size} bytes (zeros), its size sealed. Throws
     * IllegalStateException if the host refuses (out of fds or memory).
     */
    public static MemoryFile create(String name, long size) {
        if (size < 0) throw new IllegalArgumentException("size must be >= 0: " + size);
        LibC c = LibC.INSTANCE;
        int fd = c.memfd_create(name, MmapFlags.MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) throw new IllegalStateException("memfd_create failed: errno " + LibC.errno());
        if (c.ftruncate(fd, size) != 0) {
            int errno = LibC.errno();
            c.close(fd);
            throw new IllegalStateException("sizing a memfd failed: errno " + errno);
        }
        MemoryFile f = new MemoryFile(fd, size);
        try {
            f.seal();
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /**
     * A new close-on-exec memfd, empty and not yet sealed: {@link #fill} gives it its content
     * and its final size later (a pooled VM's stdin is made before its request arrives).
     */
    public static MemoryFile unsized(String name) {
        int fd = LibC.INSTANCE.memfd_create(name, MmapFlags.MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0) throw new IllegalStateException("memfd_create failed: errno " + LibC.errno());
        return new MemoryFile(fd, -1);
    }

    /**
     * Writes {@code content} at the start of an {@link #unsized} file, rewinds the offset and
     * seals the size at {@code content.length}: a guest reading the fd sees the bytes, then end
     * of file, and cannot grow the file by writing to it.
     */
    public void fill(byte[] content) {
        if (size >= 0) throw new IllegalStateException("the file is already sized");
        writeAtStart(content);
        seal();
        size = content.length;
    }

    /**
     * Makes a filled file unsized and empty again for its next {@link #fill} (a pooled VM's
     * stdin, between two invocations): a fresh memfd takes this one's place under the same fd
     * number (dup3), so that the fd the guest's table lends stays valid, and the previous
     * invocation's bytes go with their file. Done at the reset, off the invocation's path.
     */
    public void renew() {
        if (size < 0) return;
        MemoryFile next = unsized("torovj-stdin");
        try {
            if (FileCalls.INSTANCE.dup3(next.fd, fd, io.torovj.linux.OpenFlags.O_CLOEXEC) != fd) {
                throw new IllegalStateException("dup3 onto a memfd failed: errno " + LibC.errno());
            }
            size = -1;
        } finally {
            next.close();
        }
    }

    /**
     * A pooled VM's next stdout or stderr: every byte back to zero (the pages given back) and
     * the offset at 0, so that the next guest can neither see nor seek to the last one's output.
     */
    public void clear() {
        if (size > 0 && FileCalls.INSTANCE.fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, size) != 0) {
            throw new IllegalStateException("punching a memfd failed: errno " + LibC.errno());
        }
        if (FileCalls.INSTANCE.lseek(fd, 0, SEEK_SET) != 0) throw new IllegalStateException("lseek on a memfd failed: errno " + LibC.errno());
    }

    /** The host fd, to lend to a guest as one of its stdio fds. */
    public int fd() { return fd; }

    /** The sealed size in bytes (-1 before an unsized file is filled). */
    public long size() { return size; }

    /**
     * What was written through the fd from offset 0 to the current offset (a guest's output:
     * its writes advance the shared offset), at most the size; the offset stays.
     */
    public byte[] writtenBytes() {
        long end = FileCalls.INSTANCE.lseek(fd, 0, SEEK_CUR);
        if (end < 0) throw new IllegalStateException("lseek on a memfd failed: errno " + LibC.errno());
        byte[] out = new byte[(int) Math.min(end, size)];
        NativeBuffer buf = scratch();
        for (int done = 0; done < out.length;) {
            int n = (int) FileCalls.INSTANCE.pread(fd, buf.address(), Math.min(CHUNK, out.length - done), done);
            if (n <= 0) throw new IllegalStateException("pread on a memfd failed: errno " + LibC.errno());
            buf.get(0, out, done, n);
            done += n;
        }
        return out;
    }

    private void writeAtStart(byte[] content) {
        LibC c = LibC.INSTANCE;
        NativeBuffer buf = scratch();
        for (int done = 0; done < content.length;) {
            int len = Math.min(CHUNK, content.length - done);
            buf.put(0, content, done, len);
            long n = c.write(fd, buf.address(), len);
            if (n <= 0) throw new IllegalStateException("write to a memfd failed: errno " + LibC.errno());
            done += (int) n;
        }
        if (FileCalls.INSTANCE.lseek(fd, 0, SEEK_SET) != 0) throw new IllegalStateException("lseek on a memfd failed: errno " + LibC.errno());
    }

    private void seal() {
        if (LibC.INSTANCE.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
            throw new IllegalStateException("sealing a memfd failed: errno " + LibC.errno());
        }
    }

    private NativeBuffer scratch() {
        if (scratch == null) scratch = new NativeBuffer(CHUNK);
        return scratch;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        LibC.INSTANCE.close(fd);
    }
}

package io.torovj.sys;

import jnr.ffi.LibraryLoader;

/**
 * The host C library's file calls beyond {@link LibC}'s open, read, write, fstat, fcntl and
 * close: positioned I/O, seeks, directory entries made and removed, modes, fsync, descriptors
 * duplicated onto others, holes punched, pipes. Apart from {@link LibC} so that their bindings
 * are generated only when a VM first needs one (a program's file syscalls, a pooled VM's memory
 * image, the process platform): jnr-ffi generates every method of an interface when it loads it,
 * ~1 ms each in a one-shot {@code torovj run}, and HelloWorld needs none of these. errno after
 * a call: {@link LibC#errno()}, the same thread-local value for every jnr-ffi library. Public only
 * because jnr-ffi implements it from a class loader of its own. Plain for jnr-ffi, as {@link LibC}
 * says why: no annotations, paths as {@link LibC#cString} bytes.
 */
public interface FileCalls {

    FileCalls INSTANCE = LibraryLoader.create(FileCalls.class).load(LibC.LIBRARY);

    int openat(int dirfd, long path, int flags, int mode);
    long pread(int fd, long buf, long count, long offset);
    long pwrite(int fd, long buf, long count, long offset);
    long lseek(int fd, long offset, int whence);
    int fsync(int fd);
    int unlinkat(int dirfd, long path, int flags);
    int mkdirat(int dirfd, long path, int mode);
    int chmod(byte[] path, int mode);
    int dup3(int oldfd, int newfd, int flags);
    int fallocate(int fd, int mode, long offset, long len);
    int pipe2(long fds, int flags);
}

package io.torovj.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The host C library's file calls beyond {@link LibC}'s open, read, write, fstat, fcntl and
 * close: positioned I/O, seeks, directory entries made and removed, modes, fsync, descriptors
 * duplicated onto others, holes punched, pipes. Apart from {@link LibC} so that their bindings
 * are generated only when a VM first needs one (a program's file syscalls, a pooled VM's memory
 * image, the process platform): jnr-ffi generates every method of an interface when it loads it,
 * ~1.5 ms each in a one-shot {@code torovj run}, and HelloWorld needs none of these. errno after
 * a call: {@link LibC#errno()}, the same thread-local value for every jnr-ffi library. Public only
 * because jnr-ffi implements it from a class loader of its own.
 */
public interface FileCalls {

    FileCalls INSTANCE = LibraryLoader.create(FileCalls.class).load("c");

    @SaveError int openat(int dirfd, long path, int flags, int mode);
    @SaveError long pread(int fd, long buf, long count, long offset);
    @SaveError long pwrite(int fd, long buf, long count, long offset);
    @SaveError long lseek(int fd, long offset, int whence);
    @SaveError int fsync(int fd);
    @SaveError int unlinkat(int dirfd, long path, int flags);
    @SaveError int mkdirat(int dirfd, long path, int mode);
    @SaveError int chmod(String path, int mode);
    @SaveError int dup3(int oldfd, int newfd, int flags);
    @SaveError int fallocate(int fd, int mode, long offset, long len);
    @SaveError int pipe2(long fds, int flags);
}

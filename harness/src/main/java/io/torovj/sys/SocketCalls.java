package io.torovj.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/**
 * The host C library's socket calls, apart from {@link LibC} so that their bindings are generated
 * only when a program first uses a socket (the interface is initialised, and loaded through
 * jnr-ffi, on the first read of {@link #INSTANCE}). errno after a call: {@link LibC#errno()}, the
 * same thread-local value for every jnr-ffi library. Public only because jnr-ffi implements it from
 * a class loader of its own; only {@link HostSockets} calls these.
 */
public interface SocketCalls {

    SocketCalls INSTANCE = LibraryLoader.create(SocketCalls.class).load("c");

    @SaveError int socket(int domain, int type, int protocol);
    @SaveError int bind(int fd, long addr, int len);
    @SaveError int listen(int fd, int backlog);
    @SaveError int accept4(int fd, long addr, long lenPtr, int flags);
    @SaveError int connect(int fd, long addr, int len);
    @SaveError int setsockopt(int fd, int level, int name, long value, int len);
    @SaveError int getsockopt(int fd, int level, int name, long value, long lenPtr);
    @SaveError int shutdown(int fd, int how);
}

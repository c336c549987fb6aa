package io.torovj.sys;

import jnr.ffi.LibraryLoader;

/**
 * The host C library's socket calls, apart from {@link LibC} so that their bindings are generated
 * only when a program first uses a socket (the interface is initialised, and loaded through
 * jnr-ffi, on the first read of {@link #INSTANCE}). errno after a call: {@link LibC#errno()}, the
 * same thread-local value for every jnr-ffi library. Public only because jnr-ffi implements it from
 * a class loader of its own; only {@link HostSockets} calls these. No annotations: see {@link LibC}.
 */
public interface SocketCalls {

    SocketCalls INSTANCE = LibraryLoader.create(SocketCalls.class).load(LibC.LIBRARY);

    int socket(int domain, int type, int protocol);
    int bind(int fd, long addr, int len);
    int listen(int fd, int backlog);
    int accept4(int fd, long addr, long lenPtr, int flags);
    int connect(int fd, long addr, int len);
    int setsockopt(int fd, int level, int name, long value, int len);
    int getsockopt(int fd, int level, int name, long value, long lenPtr);
    int shutdown(int fd, int how);
}

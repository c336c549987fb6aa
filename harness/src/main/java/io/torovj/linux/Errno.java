package io.torovj.linux;

/** Linux errno values the monitor returns (negated) to the guest. */
public final class Errno {
    private Errno() {}
    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12,
            EACCES = 13, EFAULT = 14, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24,
            ENOSPC = 28, ESPIPE = 29, EROFS = 30, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38,
            ENODEV = 19, EXDEV = 18, ELOOP = 40, EAFNOSUPPORT = 97, EADDRINUSE = 98, ENOTSOCK = 88,
            ENOPROTOOPT = 92, EOPNOTSUPP = 95, ENXIO = 6, EBUSY = 16, EPIPE = 32, ETIMEDOUT = 110, EINPROGRESS = 115,
            ESRCH = 3, ENOTTY = 25, EPROTONOSUPPORT = 93;
}

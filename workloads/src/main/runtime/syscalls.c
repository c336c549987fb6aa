/*
 * syscalls.c - raw sys_* calls and libc-style wrappers, all funnelled
 * through torovj_syscall6 (VM: the transport; native: `syscall`).
 */
#include "runtime.h"

int errno;

/* Linux returns -4095..-1 for errors. */
static inline long ret_errno(long r)
{
    if ((unsigned long)r > -4096UL) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

#define S6 torovj_syscall6
#define L(x) ((long)(x))

/* ---- raw ---- */
long sys_read(int fd, void *buf, size_t n) { return S6(SYS_read, fd, L(buf), L(n), 0, 0, 0); }
long sys_write(int fd, const void *buf, size_t n) { return S6(SYS_write, fd, L(buf), L(n), 0, 0, 0); }
long sys_openat(int dirfd, const char *path, int flags, mode_t mode) { return S6(SYS_openat, dirfd, L(path), flags, L(mode), 0, 0); }
long sys_close(int fd) { return S6(SYS_close, fd, 0, 0, 0, 0, 0); }
long sys_lseek(int fd, off_t off, int whence) { return S6(SYS_lseek, fd, off, whence, 0, 0, 0); }
long sys_fstat(int fd, struct stat *st) { return S6(SYS_fstat, fd, L(st), 0, 0, 0, 0); }
long sys_fsync(int fd) { return S6(SYS_fsync, fd, 0, 0, 0, 0, 0); }
long sys_unlink(const char *path) { return S6(SYS_unlink, L(path), 0, 0, 0, 0, 0); }
long sys_unlinkat(int dirfd, const char *path, int flags) { return S6(SYS_unlinkat, dirfd, L(path), flags, 0, 0, 0); }
long sys_getpid(void) { return S6(SYS_getpid, 0, 0, 0, 0, 0, 0); }
long sys_getppid(void) { return S6(SYS_getppid, 0, 0, 0, 0, 0, 0); }
long sys_clock_gettime(clockid_t clk, struct timespec *ts) { return S6(SYS_clock_gettime, clk, L(ts), 0, 0, 0, 0); }
long sys_brk(void *addr) { return S6(SYS_brk, L(addr), 0, 0, 0, 0, 0); }
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) { return S6(SYS_mmap, L(addr), L(len), prot, flags, fd, off); }
long sys_munmap(void *addr, size_t len) { return S6(SYS_munmap, L(addr), L(len), 0, 0, 0, 0); }
long sys_socket(int domain, int type, int protocol) { return S6(SYS_socket, domain, type, protocol, 0, 0, 0); }
long sys_bind(int fd, const struct sockaddr *sa, socklen_t len) { return S6(SYS_bind, fd, L(sa), L(len), 0, 0, 0); }
long sys_listen(int fd, int backlog) { return S6(SYS_listen, fd, backlog, 0, 0, 0, 0); }
long sys_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags) { return S6(SYS_accept4, fd, L(sa), L(len), flags, 0, 0); }
long sys_connect(int fd, const struct sockaddr *sa, socklen_t len) { return S6(SYS_connect, fd, L(sa), L(len), 0, 0, 0); }
long sys_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len) { return S6(SYS_sendto, fd, L(buf), L(n), flags, L(sa), L(len)); }
long sys_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *len) { return S6(SYS_recvfrom, fd, L(buf), L(n), flags, L(sa), L(len)); }
long sys_setsockopt(int fd, int level, int name, const void *val, socklen_t len) { return S6(SYS_setsockopt, fd, level, name, L(val), L(len), 0); }
long sys_shutdown(int fd, int how) { return S6(SYS_shutdown, fd, how, 0, 0, 0, 0); }
long sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len) { return S6(SYS_getsockopt, fd, level, name, L(val), L(len), 0); }
long sys_epoll_create1(int flags) { return S6(SYS_epoll_create1, flags, 0, 0, 0, 0, 0); }
long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) { return S6(SYS_epoll_ctl, epfd, op, fd, L(ev), 0, 0); }
long sys_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout) { return S6(SYS_epoll_wait, epfd, L(evs), max, timeout, 0, 0); }
long sys_exit_group(int status) { return S6(SYS_exit_group, status, 0, 0, 0, 0, 0); }

/* ---- libc-style ---- */
ssize_t read(int fd, void *buf, size_t n) { return ret_errno(sys_read(fd, buf, n)); }
ssize_t write(int fd, const void *buf, size_t n) { return ret_errno(sys_write(fd, buf, n)); }

int openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;

    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return (int)ret_errno(sys_openat(dirfd, path, flags, mode));
}

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;

    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return (int)ret_errno(sys_openat(AT_FDCWD, path, flags, mode));
}

int close(int fd) { return (int)ret_errno(sys_close(fd)); }
off_t lseek(int fd, off_t off, int whence) { return ret_errno(sys_lseek(fd, off, whence)); }
int fstat(int fd, struct stat *st) { return (int)ret_errno(sys_fstat(fd, st)); }
int fsync(int fd) { return (int)ret_errno(sys_fsync(fd)); }
int unlink(const char *path) { return (int)ret_errno(sys_unlink(path)); }
int unlinkat(int dirfd, const char *path, int flags) { return (int)ret_errno(sys_unlinkat(dirfd, path, flags)); }
pid_t getpid(void) { return (pid_t)ret_errno(sys_getpid()); }
pid_t getppid(void) { return (pid_t)ret_errno(sys_getppid()); }
int clock_gettime(clockid_t clk, struct timespec *ts) { return (int)ret_errno(sys_clock_gettime(clk, ts)); }

int brk(void *addr)
{
    /* The kernel returns the (possibly unchanged) break, never -errno. */
    long r = sys_brk(addr);

    if ((unsigned long)r > -4096UL || (unsigned long)r < (unsigned long)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    long r = sys_mmap(addr, len, prot, flags, fd, off);

    if ((unsigned long)r > -4096UL) {
        errno = (int)-r;
        return MAP_FAILED;
    }
    return (void *)r;
}

int munmap(void *addr, size_t len) { return (int)ret_errno(sys_munmap(addr, len)); }
int socket(int domain, int type, int protocol) { return (int)ret_errno(sys_socket(domain, type, protocol)); }
int bind(int fd, const struct sockaddr *sa, socklen_t len) { return (int)ret_errno(sys_bind(fd, sa, len)); }
int listen(int fd, int backlog) { return (int)ret_errno(sys_listen(fd, backlog)); }
int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags) { return (int)ret_errno(sys_accept4(fd, sa, len, flags)); }
int accept(int fd, struct sockaddr *sa, socklen_t *len) { return accept4(fd, sa, len, 0); }
int connect(int fd, const struct sockaddr *sa, socklen_t len) { return (int)ret_errno(sys_connect(fd, sa, len)); }
ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len) { return ret_errno(sys_sendto(fd, buf, n, flags, sa, len)); }
ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *len) { return ret_errno(sys_recvfrom(fd, buf, n, flags, sa, len)); }
ssize_t send(int fd, const void *buf, size_t n, int flags) { return sendto(fd, buf, n, flags, NULL, 0); }
ssize_t recv(int fd, void *buf, size_t n, int flags) { return recvfrom(fd, buf, n, flags, NULL, NULL); }
int setsockopt(int fd, int level, int name, const void *val, socklen_t len) { return (int)ret_errno(sys_setsockopt(fd, level, name, val, len)); }
int shutdown(int fd, int how) { return (int)ret_errno(sys_shutdown(fd, how)); }
int getsockopt(int fd, int level, int name, void *val, socklen_t *len) { return (int)ret_errno(sys_getsockopt(fd, level, name, val, len)); }
int epoll_create1(int flags) { return (int)ret_errno(sys_epoll_create1(flags)); }
int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) { return (int)ret_errno(sys_epoll_ctl(epfd, op, fd, ev)); }
int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout) { return (int)ret_errno(sys_epoll_wait(epfd, evs, max, timeout)); }

/* The monitor stops the VM on exit_group and never resumes the guest; if
 * control ever comes back, fault so the monitor reports where. */
void exit_group(int status)
{
    sys_exit_group(status);
    for (;;)
        __asm__ volatile("ud2" ::: "memory");
}

void _exit(int status)
{
    exit_group(status);
}

void exit(int status)
{
    exit_group(__torovj_runtime_fini(status));
}

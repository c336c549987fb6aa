/*
 * torovj.h - public API of the ToroV/J guest runtime.
 *
 * Workloads are compiled once and linked twice: against the VM runtime
 * (every syscall is forwarded to the Java monitor through a transport) and
 * against the native runtime (a real `syscall` instruction). Everything a
 * workload needs is declared here: Linux x86-64 syscall numbers and
 * constants, raw sys_* calls (return -errno), libc-style wrappers (return -1
 * and set errno), a small string/stdlib/printf subset and latency recording.
 *
 * No kernel or libc headers are used; only the compiler's freestanding ones.
 */
#ifndef TOROVJ_H
#define TOROVJ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "torovj_abi.h"

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

typedef long          ssize_t;
typedef long          off_t;
typedef long          time_t;
typedef int           pid_t;
typedef unsigned int  mode_t;
typedef unsigned int  socklen_t;
typedef int           clockid_t;
typedef unsigned short sa_family_t;

struct timespec {
    time_t tv_sec;
    long   tv_nsec;
};

/* struct stat as the x86-64 kernel fills it (144 bytes). */
struct stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    int32_t  __pad0;
    uint64_t st_rdev;
    int64_t  st_size;
    int64_t  st_blksize;
    int64_t  st_blocks;
    int64_t  st_atime_sec;
    int64_t  st_atime_nsec;
    int64_t  st_mtime_sec;
    int64_t  st_mtime_nsec;
    int64_t  st_ctime_sec;
    int64_t  st_ctime_nsec;
    int64_t  __unused[3];
};

struct sockaddr {
    sa_family_t sa_family;
    char        sa_data[14];
};

struct in_addr {
    uint32_t s_addr;            /* network byte order */
};

struct sockaddr_in {
    sa_family_t    sin_family;
    uint16_t       sin_port;    /* network byte order */
    struct in_addr sin_addr;
    unsigned char  sin_zero[8];
};

/* ------------------------------------------------------------------ */
/* Linux x86-64 syscall numbers                                        */
/* ------------------------------------------------------------------ */

#define SYS_read            0
#define SYS_write           1
#define SYS_open            2
#define SYS_close           3
#define SYS_stat            4
#define SYS_fstat           5
#define SYS_lstat           6
#define SYS_poll            7
#define SYS_lseek           8
#define SYS_mmap            9
#define SYS_mprotect        10
#define SYS_munmap          11
#define SYS_brk             12
#define SYS_rt_sigaction    13
#define SYS_rt_sigprocmask  14
#define SYS_ioctl           16
#define SYS_pread64         17
#define SYS_pwrite64        18
#define SYS_readv           19
#define SYS_writev          20
#define SYS_access          21
#define SYS_pipe            22
#define SYS_sched_yield     24
#define SYS_madvise         28
#define SYS_dup             32
#define SYS_dup2            33
#define SYS_nanosleep       35
#define SYS_getpid          39
#define SYS_sendfile        40
#define SYS_socket          41
#define SYS_connect         42
#define SYS_accept          43
#define SYS_sendto          44
#define SYS_recvfrom        45
#define SYS_sendmsg         46
#define SYS_recvmsg         47
#define SYS_shutdown        48
#define SYS_bind            49
#define SYS_listen          50
#define SYS_getsockname     51
#define SYS_getpeername     52
#define SYS_socketpair      53
#define SYS_setsockopt      54
#define SYS_getsockopt      55
#define SYS_clone           56
#define SYS_fork            57
#define SYS_vfork           58
#define SYS_execve          59
#define SYS_exit            60
#define SYS_wait4           61
#define SYS_kill            62
#define SYS_uname           63
#define SYS_fcntl           72
#define SYS_fsync           74
#define SYS_fdatasync       75
#define SYS_truncate        76
#define SYS_ftruncate       77
#define SYS_getdents        78
#define SYS_getcwd          79
#define SYS_chdir           80
#define SYS_rename          82
#define SYS_mkdir           83
#define SYS_rmdir           84
#define SYS_unlink          87
#define SYS_readlink        89
#define SYS_gettimeofday    96
#define SYS_getuid          102
#define SYS_getgid          104
#define SYS_geteuid         107
#define SYS_getegid         108
#define SYS_getppid         110
#define SYS_arch_prctl      158
#define SYS_gettid          186
#define SYS_time            201
#define SYS_futex           202
#define SYS_getdents64      217
#define SYS_clock_gettime   228
#define SYS_clock_nanosleep 230
#define SYS_exit_group      231
#define SYS_openat          257
#define SYS_mkdirat         258
#define SYS_newfstatat      262
#define SYS_unlinkat        263
#define SYS_epoll_wait      232
#define SYS_epoll_ctl       233
#define SYS_accept4         288
#define SYS_epoll_create1   291
#define SYS_pipe2           293
#define SYS_getrandom       318

/* ------------------------------------------------------------------ */
/* Constants                                                           */
/* ------------------------------------------------------------------ */

#define STDIN_FILENO  0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
/* There is no FILE*: fprintf() takes a file descriptor. */
#define stdin  0
#define stdout 1
#define stderr 2

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 0200000
#define O_CLOEXEC   02000000

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFIFO  0010000

#define AT_FDCWD     (-100)
#define AT_REMOVEDIR 0x200

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define PROT_NONE  0x0
#define PROT_READ  0x1
#define PROT_WRITE 0x2
#define PROT_EXEC  0x4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_POPULATE  0x8000
#define MAP_FAILED    ((void *)-1)

#define AF_UNIX  1
#define AF_INET  2
#define PF_INET  AF_INET
#define SOCK_STREAM   1
#define SOCK_DGRAM    2
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC  02000000
#define SOL_SOCKET    1
#define SO_REUSEADDR  2
#define SO_RCVBUF     8
#define SO_SNDBUF     7
#define IPPROTO_TCP   6
#define TCP_NODELAY   1
#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2
#define MSG_NOSIGNAL 0x4000
#define SO_TYPE       3
#define SO_ERROR      4

/* epoll(7): x86-64's struct epoll_event is packed (12 bytes). */
#define EPOLL_CLOEXEC 02000000
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLLIN    0x001
#define EPOLLOUT   0x004
#define EPOLLERR   0x008
#define EPOLLHUP   0x010
#define EPOLLRDHUP 0x2000
#define EPOLLET    (1u << 31)
typedef union epoll_data {
    void    *ptr;
    int      fd;
    uint32_t u32;
    uint64_t u64;
} epoll_data_t;
struct epoll_event {
    uint32_t     events;
    epoll_data_t data;
} __attribute__((packed));
#define INADDR_ANY      0x00000000u
#define INADDR_LOOPBACK 0x7f000001u

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1

/* auxv types (only the ones the runtime looks at) */
#define AT_NULL   0
#define AT_PAGESZ 6
#define AT_RANDOM 25

#define TOROVJ_PAGE_SIZE 4096

/* errno values */
#define EPERM   1
#define ENOENT  2
#define ESRCH   3
#define EINTR   4
#define EIO     5
#define ENXIO   6
#define E2BIG   7
#define EBADF   9
#define ECHILD  10
#define EAGAIN  11
#define ENOMEM  12
#define EACCES  13
#define EFAULT  14
#define EBUSY   16
#define EEXIST  17
#define ENOTDIR 20
#define EISDIR  21
#define EINVAL  22
#define ENFILE  23
#define EMFILE  24
#define ENOSPC  28
#define ESPIPE  29
#define EROFS   30
#define EPIPE   32
#define ERANGE  34
#define ENAMETOOLONG 36
#define ENOSYS  38
#define ENOTSOCK     88
#define EADDRINUSE   98
#define ECONNRESET   104
#define ENOTCONN     107
#define ETIMEDOUT    110
#define ECONNREFUSED 111

/* ------------------------------------------------------------------ */
/* Syscalls                                                            */
/* ------------------------------------------------------------------ */

/* The one entry point for every syscall: returns the raw Linux result
 * (>= 0 on success, -errno on failure). Implemented by the VM runtime
 * (forwards through the transport chosen at boot) and by the native
 * runtime (`syscall` instruction). */
long torovj_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

static inline long torovj_syscall0(long nr) { return torovj_syscall6(nr, 0, 0, 0, 0, 0, 0); }
static inline long torovj_syscall1(long nr, long a0) { return torovj_syscall6(nr, a0, 0, 0, 0, 0, 0); }
static inline long torovj_syscall2(long nr, long a0, long a1) { return torovj_syscall6(nr, a0, a1, 0, 0, 0, 0); }
static inline long torovj_syscall3(long nr, long a0, long a1, long a2) { return torovj_syscall6(nr, a0, a1, a2, 0, 0, 0); }
static inline long torovj_syscall4(long nr, long a0, long a1, long a2, long a3) { return torovj_syscall6(nr, a0, a1, a2, a3, 0, 0); }
static inline long torovj_syscall5(long nr, long a0, long a1, long a2, long a3, long a4) { return torovj_syscall6(nr, a0, a1, a2, a3, a4, 0); }

/* Raw calls: return the Linux result unchanged (-errno on failure). */
long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
long sys_openat(int dirfd, const char *path, int flags, mode_t mode);
long sys_close(int fd);
long sys_lseek(int fd, off_t off, int whence);
long sys_fstat(int fd, struct stat *st);
long sys_fsync(int fd);
long sys_unlink(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_getpid(void);
long sys_getppid(void);
long sys_clock_gettime(clockid_t clk, struct timespec *ts);
long sys_brk(void *addr);
long sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
long sys_munmap(void *addr, size_t len);
long sys_socket(int domain, int type, int protocol);
long sys_bind(int fd, const struct sockaddr *sa, socklen_t len);
long sys_listen(int fd, int backlog);
long sys_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
long sys_connect(int fd, const struct sockaddr *sa, socklen_t len);
long sys_sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len);
long sys_recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *len);
long sys_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
long sys_shutdown(int fd, int how);
long sys_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
long sys_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);
long sys_exit_group(int status);

/* libc-style wrappers: -1 (MAP_FAILED for mmap) and errno on failure. */
extern int errno;
extern char **environ;

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int     openat(int dirfd, const char *path, int flags, ...);
int     open(const char *path, int flags, ...);      /* openat(AT_FDCWD, ...) */
int     close(int fd);
off_t   lseek(int fd, off_t off, int whence);
int     fstat(int fd, struct stat *st);
int     fsync(int fd);
int     unlink(const char *path);                    /* SYS_unlink */
int     unlinkat(int dirfd, const char *path, int flags);
pid_t   getpid(void);
pid_t   getppid(void);
int     clock_gettime(clockid_t clk, struct timespec *ts);
int     brk(void *addr);                             /* 0 or -1/ENOMEM */
void   *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int     munmap(void *addr, size_t len);
int     socket(int domain, int type, int protocol);
int     bind(int fd, const struct sockaddr *sa, socklen_t len);
int     listen(int fd, int backlog);
int     accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags);
int     accept(int fd, struct sockaddr *sa, socklen_t *len);   /* accept4(..., 0) */
int     connect(int fd, const struct sockaddr *sa, socklen_t len);
ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *sa, socklen_t len);
ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *sa, socklen_t *len);
ssize_t send(int fd, const void *buf, size_t n, int flags);    /* sendto(..., NULL, 0) */
ssize_t recv(int fd, void *buf, size_t n, int flags);          /* recvfrom(..., NULL, NULL) */
int     setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int     shutdown(int fd, int how);
int     getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int     epoll_create1(int flags);
int     epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int     epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);

/* exit() runs the runtime's exit hook (native: latency file) then
 * exit_group; _exit() and exit_group() do not. None of them return. */
__attribute__((noreturn)) void exit(int status);
__attribute__((noreturn)) void _exit(int status);
__attribute__((noreturn)) void exit_group(int status);

/* ------------------------------------------------------------------ */
/* string / stdlib                                                     */
/* ------------------------------------------------------------------ */

void  *memcpy(void *dst, const void *src, size_t n);
void  *memmove(void *dst, const void *src, size_t n);
void  *memset(void *dst, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strchr(const char *s, int c);
char  *strrchr(const char *s, int c);
char  *strcpy(char *dst, const char *src);

unsigned long      strtoul(const char *s, char **end, int base);
long               strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
long long          strtoll(const char *s, char **end, int base);
int                atoi(const char *s);
long               atol(const char *s);
char              *getenv(const char *name);
const char        *strerror(int err);

static inline uint16_t torovj_htons(uint16_t v) { return (uint16_t)((v << 8) | (v >> 8)); }
static inline uint32_t torovj_htonl(uint32_t v) { return __builtin_bswap32(v); }
#define htons(v) torovj_htons(v)
/* The IPv4 address addr:port (both in host byte order), for bind or connect. */
static inline struct sockaddr_in torovj_sockaddr_in(uint32_t addr, uint16_t port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = torovj_htons(port);
    sa.sin_addr.s_addr = torovj_htonl(addr);
    return sa;
}
#define ntohs(v) torovj_htons(v)
#define htonl(v) torovj_htonl(v)
#define ntohl(v) torovj_htonl(v)

/* ------------------------------------------------------------------ */
/* printf family                                                       */
/* ------------------------------------------------------------------ */
/* Conversions: d i u x X o p s c %, flags - 0 + space #, width and
 * precision (digits or *), length hh h l ll z j t. Output to a file
 * descriptor is buffered within one call and written with as few write()s
 * as possible (one, unless the output exceeds 1 KiB). */

#define TOROVJ_PRINTF(f, a) __attribute__((format(printf, f, a)))

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) TOROVJ_PRINTF(3, 4);
int vdprintf(int fd, const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...) TOROVJ_PRINTF(2, 3);
int fprintf(int fd, const char *fmt, ...) TOROVJ_PRINTF(2, 3);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) TOROVJ_PRINTF(1, 2);
int puts(const char *s);
int putchar(int c);

/* ------------------------------------------------------------------ */
/* Runtime information and latency recording                           */
/* ------------------------------------------------------------------ */

/* The boot info the monitor handed over, or NULL when running natively. */
const struct torovj_boot_info *torovj_boot_info(void);
/* Name of the active transport ("pio", "mmio", "ring", ...) or "native". */
const char *torovj_transport_name(void);

/* TSC read, ordered after all earlier instructions (lfence; rdtsc). */
static inline uint64_t torovj_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Record one latency sample (TSC cycles). VM: appended to the monitor's
 * struct torovj_latency_buffer (if any). Native: kept in memory and written
 * at exit() to $TOROVJ_LATENCY_FILE (same binary layout) if set. */
void torovj_lat_record(uint64_t cycles);

#endif

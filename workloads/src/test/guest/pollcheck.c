/*
 * pollcheck PORT [VARIANT]: poll(2) and ppoll(2) on a connected loopback TCP
 * pair (the guest listens on 127.0.0.1:PORT and connects to itself), one line
 * per check on stdout: "pollcheck: <check>: <result>". The checks:
 * nothing ready with timeout 0, data ready, a timeout that passes, a fd not
 * open (POLLNVAL), a negative fd (skipped), bad pointers (EFAULT), too many
 * fds (EINVAL), ppoll's timespec and signal mask, and the peer's close.
 *
 * VARIANT "block-poll" or "block-ppoll": instead, print
 * "pollcheck: blocking" to stderr and wait forever for data that never comes
 * (timeout -1 / a NULL timespec): only the monitor's stop can end it.
 */
#include "torovj.h"

#define SYS_ppoll 271
#define POLLIN   0x001
#define POLLOUT  0x004
#define POLLNVAL 0x020

struct pollfd {
    int   fd;
    short events;
    short revents;
};

static long sys_poll(struct pollfd *fds, unsigned long n, int timeout)
{
    return torovj_syscall3(SYS_poll, (long)fds, (long)n, timeout);
}

static long sys_ppoll(struct pollfd *fds, unsigned long n, const struct timespec *ts, const void *mask, unsigned long size)
{
    return torovj_syscall5(SYS_ppoll, (long)fds, (long)n, (long)ts, (long)mask, (long)size);
}

static long millis_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static int die(const char *what)
{
    fprintf(stderr, "pollcheck: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pollcheck PORT [block-poll|block-ppoll]\n");
        return 2;
    }
    long port = strtol(argv[1], NULL, 0);
    const char *variant = argc > 2 ? argv[2] : "";

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        return die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = torovj_sockaddr_in(INADDR_LOOPBACK, (uint16_t)port);
    if (bind(ls, (const struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0)
        return die("bind/listen");
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (const struct sockaddr *)&sa, sizeof sa) < 0)
        return die("connect");
    int s = accept4(ls, NULL, NULL, 0);
    if (s < 0)
        return die("accept4");

    struct pollfd p[3];
    if (strcmp(variant, "block-poll") == 0 || strcmp(variant, "block-ppoll") == 0) {
        p[0].fd = s;
        p[0].events = POLLIN;
        fprintf(stderr, "pollcheck: blocking\n");
        long r = variant[7] == 'p' ? sys_ppoll(p, 1, NULL, NULL, 0) : sys_poll(p, 1, -1);
        printf("pollcheck: %s returned %ld\n", variant, r);
        return 1;
    }

    p[0].fd = s; p[0].events = POLLIN; p[0].revents = 0x7fff;
    long r = sys_poll(p, 1, 0);
    printf("pollcheck: empty, timeout 0: %ld revents=%d\n", r, p[0].revents);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = sys_poll(p, 1, 50);
    printf("pollcheck: empty, timeout 50 ms: %ld revents=%d waited>=50ms=%d\n", r, p[0].revents, millis_since(&t0) >= 50);

    if (sys_sendto(c, "hello", 5, 0, NULL, 0) != 5)
        return die("send");
    p[0].fd = s; p[0].events = POLLIN; p[0].revents = 0;
    p[1].fd = c; p[1].events = POLLOUT; p[1].revents = 0;
    r = sys_poll(p, 2, 5000);
    printf("pollcheck: data: %ld revents=%d,%d\n", r, p[0].revents, p[1].revents);

    p[0].fd = 99; p[0].events = POLLIN; p[0].revents = 0;
    p[1].fd = -1; p[1].events = POLLIN; p[1].revents = 0x7fff;
    p[2].fd = s; p[2].events = POLLIN; p[2].revents = 0;
    r = sys_poll(p, 3, -1);     /* returns at once: POLLNVAL is an event */
    printf("pollcheck: bad fd: %ld revents=%d,%d,%d\n", r, p[0].revents, p[1].revents, p[2].revents);

    printf("pollcheck: null array: %ld\n", sys_poll((struct pollfd *)0x10, 1, 0));
    printf("pollcheck: array past the end: %ld\n", sys_poll((struct pollfd *)-8L, 1, 0));
    printf("pollcheck: no fds, timeout 0: %ld\n", sys_poll(NULL, 0, 0));
    printf("pollcheck: too many fds: %ld\n", sys_poll(p, 1UL << 24, 0));

    struct timespec zero = {0, 0}, bad = {0, 1000000000L}, short_wait = {0, 20000000L};
    unsigned long mask = 0;
    p[0].fd = s; p[0].events = POLLIN; p[0].revents = 0;
    r = sys_ppoll(p, 1, &zero, NULL, 8);
    printf("pollcheck: ppoll data: %ld revents=%d\n", r, p[0].revents);
    printf("pollcheck: ppoll bad timespec: %ld\n", sys_ppoll(p, 1, &bad, NULL, 8));
    printf("pollcheck: ppoll timespec pointer null page: %ld\n", sys_ppoll(p, 1, (struct timespec *)0x10, NULL, 8));
    printf("pollcheck: ppoll signal mask: %ld\n", sys_ppoll(p, 1, &zero, &mask, 8));

    char buf[16];
    if (sys_recvfrom(s, buf, sizeof buf, 0, NULL, NULL) != 5)
        return die("recv");
    r = sys_ppoll(p, 1, &short_wait, NULL, 8);
    printf("pollcheck: ppoll drained, 20 ms: %ld revents=%d\n", r, p[0].revents);

    close(c);
    r = sys_poll(p, 1, 5000);
    printf("pollcheck: peer closed: %ld pollin=%d\n", r, (p[0].revents & POLLIN) != 0);
    close(s);
    close(ls);
    return 0;
}

/*
 * echo PORT [M=100]: TCP echo server on 127.0.0.1:PORT for one client.
 * Accepts one connection and sends back whatever it receives until the peer
 * closes or M messages (recv calls that returned data) were echoed; each
 * recv and each send is timed and recorded.
 * stdout: "echo: <bytes> bytes" (total bytes echoed; deterministic for a
 * given client). A "listening" note goes to stderr once the socket listens.
 */
#include "torovj.h"

static char buf[4096];

static int fail(const char *what, int err, int fd1, int fd2)
{
    fprintf(stderr, "echo: %s: %s\n", what, strerror(err));
    if (fd1 >= 0)
        close(fd1);
    if (fd2 >= 0)
        close(fd2);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: echo PORT [M=100]\n");
        return 2;
    }
    long port = strtol(argv[1], NULL, 0);
    long m = argc > 2 ? strtol(argv[2], NULL, 0) : 100;
    if (port <= 0 || port > 65535 || m <= 0) {
        fprintf(stderr, "usage: echo PORT(1..65535) [M>0]\n");
        return 2;
    }

    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        return fail("socket", errno, -1, -1);
    int one = 1;
    if (setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail("setsockopt SO_REUSEADDR", errno, ls, -1);

    struct sockaddr_in sa = torovj_sockaddr_in(INADDR_LOOPBACK, (uint16_t)port);
    if (bind(ls, (const struct sockaddr *)&sa, sizeof sa) < 0)
        return fail("bind 127.0.0.1", errno, ls, -1);
    if (listen(ls, 1) < 0)
        return fail("listen", errno, ls, -1);
    fprintf(stderr, "echo: listening on 127.0.0.1:%ld\n", port);

    int cs = accept4(ls, NULL, NULL, 0);
    if (cs < 0)
        return fail("accept4", errno, ls, -1);

    unsigned long bytes = 0;
    long messages = 0;
    while (messages < m) {
        uint64_t t0 = torovj_rdtsc();
        long r = sys_recvfrom(cs, buf, sizeof buf, 0, NULL, NULL);
        uint64_t t1 = torovj_rdtsc();
        torovj_lat_record(t1 - t0);
        if (r == -EINTR)
            continue;
        if (r < 0)
            return fail("recvfrom", (int)-r, cs, ls);
        if (r == 0)
            break;                      /* peer closed */
        messages++;
        for (long done = 0; done < r;) {
            t0 = torovj_rdtsc();
            long s = sys_sendto(cs, buf + done, (size_t)(r - done), MSG_NOSIGNAL, NULL, 0);
            t1 = torovj_rdtsc();
            torovj_lat_record(t1 - t0);
            if (s == -EINTR)
                continue;
            if (s <= 0)
                return fail("sendto", s < 0 ? (int)-s : EIO, cs, ls);
            done += s;
        }
        bytes += (unsigned long)r;
    }
    if (close(cs) < 0)
        return fail("close (connection)", errno, ls, -1);
    if (close(ls) < 0)
        return fail("close (listener)", errno, -1, -1);
    printf("echo: %lu bytes\n", bytes);
    return 0;
}

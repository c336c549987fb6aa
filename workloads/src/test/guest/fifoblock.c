/*
 * fifoblock VARIANT [PATH | N]: makes a host call that blocks until someone
 * else acts, for the monitor's limits to end (BlockingHostCallTest), or moves
 * data through a FIFO or pipe to check that the blocking semantics hold.
 * Progress goes to stderr ("fifoblock: VARIANT: blocking", then
 * "fifoblock: VARIANT: returned R" if the call ever returns).
 *
 *   read-rdwr PATH     open the FIFO O_RDWR (never blocks) and read it
 *   open-rdonly PATH   open the FIFO O_RDONLY: blocks until a writer opens it
 *   open-wronly PATH   open the FIFO O_WRONLY: blocks until a reader opens it
 *   write-stdout       write 64 KiB blocks to stdout forever (a pipe nobody reads)
 *   read-stdin         read stdin (a pipe nobody writes)
 *   cat-fifo PATH      open the FIFO O_RDONLY, copy it to stdout until EOF
 *   feed-fifo PATH     open the FIFO O_WRONLY, write "fifo data\n", close
 *   write-stdout-n N   write N bytes (N <= 1 MiB) to stdout with one write call;
 *                      stderr: "fifoblock: write-stdout-n: wrote R"
 */
#include "torovj.h"

static char buf[1 << 20];

static int blocked(const char *variant, long r)
{
    fprintf(2, "fifoblock: %s: returned %ld\n", variant, r);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(2, "usage: fifoblock VARIANT [PATH | N]\n");
        return 2;
    }
    const char *v = argv[1];
    const char *path = argc > 2 ? argv[2] : "";

    if (strcmp(v, "read-rdwr") == 0) {
        int fd = open(path, O_RDWR);
        if (fd < 0) {
            fprintf(2, "fifoblock: open %s: %s\n", path, strerror(errno));
            return 1;
        }
        fprintf(2, "fifoblock: %s: blocking\n", v);
        return blocked(v, sys_read(fd, buf, 16));
    }
    if (strcmp(v, "open-rdonly") == 0 || strcmp(v, "open-wronly") == 0) {
        fprintf(2, "fifoblock: %s: blocking\n", v);
        return blocked(v, sys_openat(AT_FDCWD, path, v[5] == 'r' ? O_RDONLY : O_WRONLY, 0));
    }
    if (strcmp(v, "write-stdout") == 0) {
        fprintf(2, "fifoblock: %s: blocking\n", v);
        for (;;) {
            long r = sys_write(1, buf, 65536);
            if (r <= 0)
                return blocked(v, r);
        }
    }
    if (strcmp(v, "read-stdin") == 0) {
        fprintf(2, "fifoblock: %s: blocking\n", v);
        return blocked(v, sys_read(0, buf, 16));
    }
    if (strcmp(v, "cat-fifo") == 0) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) {
            fprintf(2, "fifoblock: open %s: %s\n", path, strerror(errno));
            return 1;
        }
        for (;;) {
            long n = sys_read(fd, buf, sizeof buf);
            if (n == 0)
                break;
            if (n < 0) {
                fprintf(2, "fifoblock: read: %s\n", strerror((int)-n));
                return 1;
            }
            if (sys_write(1, buf, (size_t)n) != n)
                return 1;
        }
        return close(fd) == 0 ? 0 : 1;
    }
    if (strcmp(v, "feed-fifo") == 0) {
        int fd = open(path, O_WRONLY);
        if (fd < 0) {
            fprintf(2, "fifoblock: open %s: %s\n", path, strerror(errno));
            return 1;
        }
        static const char msg[] = "fifo data\n";
        if (sys_write(fd, msg, sizeof msg - 1) != (long)(sizeof msg - 1))
            return 1;
        return close(fd) == 0 ? 0 : 1;
    }
    if (strcmp(v, "write-stdout-n") == 0) {
        long n = strtol(path, NULL, 0);
        if (n <= 0 || n > (long)sizeof buf)
            return 2;
        for (long i = 0; i < n; i++)
            buf[i] = (char)('a' + i % 26);
        long r = sys_write(1, buf, (size_t)n);
        fprintf(2, "fifoblock: write-stdout-n: wrote %ld\n", r);
        return r == n ? 0 : 1;
    }
    fprintf(2, "fifoblock: unknown variant %s\n", v);
    return 2;
}

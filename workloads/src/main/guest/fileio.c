/*
 * fileio [B=65536] [DIR=.]: creates DIR/torovj-fileio.tmp, writes B bytes of
 * a deterministic pattern in chunks of up to 4096 (each write timed and
 * recorded), fsyncs, seeks back, reads and verifies every byte, checks EOF,
 * closes and unlinks. stdout: "fileio: B bytes verified".
 */
#include "torovj.h"

#define CHUNK 4096

static unsigned char wbuf[CHUNK];
static unsigned char rbuf[CHUNK];
static char path[4096];

static unsigned char pattern(uint64_t off)
{
    return (unsigned char)(off * 131u + (off >> 9) * 7u + 17u);
}

static int fail(int fd, const char *what)
{
    fprintf(stderr, "fileio: %s %s: %s\n", what, path, strerror(errno));
    if (fd >= 0)
        close(fd);
    unlink(path);
    return 1;
}

int main(int argc, char **argv)
{
    long b = argc > 1 ? strtol(argv[1], NULL, 0) : 65536;
    const char *dir = argc > 2 ? argv[2] : ".";

    if (b < 0) {
        fprintf(stderr, "usage: fileio [B>=0] [DIR]\n");
        return 2;
    }
    int plen = snprintf(path, sizeof path, "%s/torovj-fileio.tmp", dir);
    if (plen < 0 || (size_t)plen >= sizeof path) {
        fprintf(stderr, "fileio: directory name too long\n");
        return 2;
    }

    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) {
        fprintf(stderr, "fileio: open %s: %s\n", path, strerror(errno));
        return 1;
    }

    uint64_t off = 0;
    while (off < (uint64_t)b) {
        size_t n = (uint64_t)b - off < CHUNK ? (size_t)((uint64_t)b - off) : CHUNK;
        for (size_t i = 0; i < n; i++)
            wbuf[i] = pattern(off + i);
        size_t done = 0;
        while (done < n) {
            uint64_t t0 = torovj_rdtsc();
            ssize_t r = write(fd, wbuf + done, n - done);
            uint64_t t1 = torovj_rdtsc();
            torovj_lat_record(t1 - t0);
            if (r < 0)
                return fail(fd, "write");
            if (r == 0) {
                errno = EIO;
                return fail(fd, "write (no progress)");
            }
            done += (size_t)r;
        }
        off += n;
    }
    if (fsync(fd) < 0)
        return fail(fd, "fsync");
    off_t pos = lseek(fd, 0, SEEK_SET);
    if (pos < 0)
        return fail(fd, "lseek");
    if (pos != 0) {
        errno = EINVAL;
        return fail(fd, "lseek (not at 0)");
    }

    off = 0;
    for (;;) {
        ssize_t r = read(fd, rbuf, CHUNK);
        if (r < 0)
            return fail(fd, "read");
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++) {
            if (off + (uint64_t)i >= (uint64_t)b) {
                fprintf(stderr, "fileio: %s is longer than %ld bytes\n", path, b);
                close(fd);
                unlink(path);
                return 1;
            }
            if (rbuf[i] != pattern(off + (uint64_t)i)) {
                fprintf(stderr, "fileio: mismatch at offset %lu: got 0x%02x, expected 0x%02x\n",
                        (unsigned long)(off + (uint64_t)i), rbuf[i], pattern(off + (uint64_t)i));
                close(fd);
                unlink(path);
                return 1;
            }
        }
        off += (uint64_t)r;
    }
    if (off != (uint64_t)b) {
        fprintf(stderr, "fileio: read back %lu bytes, expected %ld\n", (unsigned long)off, b);
        close(fd);
        unlink(path);
        return 1;
    }
    if (close(fd) < 0)
        return fail(-1, "close");
    if (unlink(path) < 0) {
        fprintf(stderr, "fileio: unlink %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("fileio: %ld bytes verified\n", b);
    return 0;
}

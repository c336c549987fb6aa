/*
 * pathedge DIR: path calls whose answer Linux fixes and a monitor could get
 * wrong - trailing slashes on files and directories, "." and ".." as the last
 * component - under DIR (absolute; the test makes the same tree in DIR for the
 * VM and natively: d/f a file, d/sub/ and e/ empty directories, d/lf -> f,
 * d/ls -> sub), one line per call: "call path -> 0" for success (an fd is
 * closed at once) or "-> -errno". Then creates DIR/suid with mode 06777 (the
 * test checks the bits the file got) and DIR/sticky with 01777.
 */
#include "torovj.h"

static char dir[2048];

static const char *at(const char *rel)
{
    static char buf[4096];
    size_t n = strlen(dir);
    memcpy(buf, dir, n);
    buf[n] = '/';
    strcpy(buf + n + 1, rel);
    return buf;
}

static void op(const char *rel, int flags)
{
    long r = sys_openat(AT_FDCWD, at(rel), flags, 0644);
    if (r >= 0) {
        sys_close((int)r);
        r = 0;
    }
    printf("open(%s, 0%o) -> %ld\n", rel, flags, r);
}

static void rm(const char *rel, int flags)
{
    printf("unlinkat(%s, 0x%x) -> %ld\n", rel, flags, sys_unlinkat(AT_FDCWD, at(rel), flags));
}

int main(int argc, char **argv)
{
    if (argc < 2 || argv[1][0] != '/' || strlen(argv[1]) >= sizeof dir) {
        fprintf(2, "usage: pathedge DIR (absolute)\n");
        return 2;
    }
    strcpy(dir, argv[1]);

    op("d/f/", O_RDONLY);
    op("d/f/", O_WRONLY);
    op("d/f/", O_CREAT | O_WRONLY);
    op("d/new/", O_CREAT | O_WRONLY);
    op("d/sub/", O_RDONLY);
    op("d/sub/", O_CREAT | O_RDONLY);
    op("d/lf/", O_RDONLY);
    op("d/ls/", O_RDONLY);
    rm("d/f/", 0);
    rm("d/f//", 0);
    rm("d/sub/", 0);
    rm("d/nx/", 0);
    rm("d/lf/", 0);
    rm("d/ls/", 0);
    rm("d/.", 0);
    rm("d/..", 0);
    rm("d/f/", AT_REMOVEDIR);
    rm("d/ls/", AT_REMOVEDIR);
    rm("d/.", AT_REMOVEDIR);
    rm("d/..", AT_REMOVEDIR);
    rm("d/sub/", AT_REMOVEDIR);
    rm("e//", AT_REMOVEDIR);
    rm("d/f", 0);
    rm("d/lf", 0);
    rm("d/ls", 0);

    long fd = sys_openat(AT_FDCWD, at("suid"), O_CREAT | O_WRONLY, 06777);
    long fd2 = sys_openat(AT_FDCWD, at("sticky"), O_CREAT | O_WRONLY, 01777);
    printf("create suid -> %s, sticky -> %s\n", fd >= 0 ? "ok" : "failed", fd2 >= 0 ? "ok" : "failed");
    return fd >= 0 && fd2 >= 0 ? 0 : 1;
}

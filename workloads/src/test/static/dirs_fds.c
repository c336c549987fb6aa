/*
 * Directories, stat by path, renames, positioned I/O, duplicated fds and F_SETFL through a
 * libc, as an unmodified static program uses them (UnmodifiedBinaryTest builds it with
 * gcc -static and musl-gcc -static, runs it natively and as a VM in a fresh directory each,
 * and compares what it prints). Prints nothing that differs between two runs (no inode
 * numbers, times or host sizes).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
    char *names[32];
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) { printf("opendir %s: %s\n", dir, strerror(errno)); return; }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 32) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("%s:", dir);
    for (int i = 0; i < n; i++) {
        char path[256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (lstat(path, &st) != 0) printf(" %s(lstat %s)", names[i], strerror(errno));
        else printf(" %s(%s,%o,%lld)", names[i], S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other",
                    (unsigned) (st.st_mode & 0777), S_ISREG(st.st_mode) ? (long long) st.st_size : -1LL);
        free(names[i]);
    }
    printf("\n");
}

static void put(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) { printf("fopen %s: %s\n", path, strerror(errno)); exit(1); }
    fputs(text, f);
    fclose(f);
}

int main(void) {
    umask(022);
    if (mkdir("t", 0777) != 0) printf("mkdir: %s\n", strerror(errno));
    if (mkdir("t", 0777) != 0) printf("mkdir again: %s\n", strerror(errno));
    if (mkdir("t/sub", 0700) != 0) printf("mkdir t/sub: %s\n", strerror(errno));
    put("t/a", "alpha\n");
    put("t/b", "bravo bravo\n");
    list("t");

    int fd = open("t/a", O_RDWR);
    char buf[16] = {0};
    printf("pread %zd '%.3s'\n", pread(fd, buf, 3, 1), buf);
    printf("pwrite %zd\n", pwrite(fd, "A", 1, 0));
    printf("offset after both %lld\n", (long long) lseek(fd, 0, SEEK_CUR));
    ssize_t r = pread(fd, buf, 1, -1);
    printf("pread at -1: %zd %s\n", r, strerror(errno));
    int copy = dup(fd);
    int fixed = dup2(fd, 9);
    printf("dup %s, dup2 %d\n", copy > fd ? "above" : "below", fixed);
    printf("F_SETFL O_APPEND %d\n", fcntl(copy, F_SETFL, fcntl(copy, F_GETFL) | O_APPEND));
    printf("F_GETFL has O_APPEND %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    printf("write %zd\n", write(fixed, "end\n", 4));
    printf("F_DUPFD %d\n", fcntl(fd, F_DUPFD, 20));
    close(fd);
    close(copy);
    close(fixed);

    if (rename("t/a", "t/sub/c") != 0) printf("rename: %s\n", strerror(errno));
    if (unlink("t/b") != 0) printf("unlink: %s\n", strerror(errno));
    if (rmdir("t") != 0) printf("rmdir t: %s\n", strerror(errno));
    if (access("t/sub/c", R_OK | W_OK) != 0) printf("access: %s\n", strerror(errno));
    if (access("t/nope", F_OK) != 0) printf("access t/nope: %s\n", strerror(errno));
    if (chmod("t/sub/c", 0640) != 0) printf("chmod: %s\n", strerror(errno));
    struct stat st;
    if (stat("t/sub/../sub/c", &st) == 0) printf("stat c: %lld bytes, mode %o\n", (long long) st.st_size, (unsigned) (st.st_mode & 07777));
    if (stat("t/nope", &st) != 0) printf("stat t/nope: %s\n", strerror(errno));
    list("t");
    list("t/sub");
    FILE *f = fopen("t/sub/c", "r");
    while (f && fgets(buf, sizeof buf, f)) printf("c: %s", buf);
    if (f) fclose(f);

    struct sysinfo si;
    int rc = sysinfo(&si);
    printf("sysinfo %d, some RAM %d, procs %d\n", rc, si.totalram * si.mem_unit > 0, si.procs >= 1);
    return 0;
}

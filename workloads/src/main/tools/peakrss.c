/*
 * peakrss OUTFILE PROGRAM [ARGS...]: runs PROGRAM as a child (stdin, stdout,
 * stderr inherited), waits for it and writes to OUTFILE one line:
 *   <exit status> <peak RSS in KiB> <user CPU us> <system CPU us>
 * The benchmark uses it to measure the native baseline's memory and CPU
 * exactly (wait4's rusage), which a JVM cannot do for its children.
 * A host tool (glibc), not a guest program.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peakrss OUTFILE PROGRAM [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peakrss: fork");
        return 70;
    }
    if (pid == 0) {
        execv(argv[2], argv + 2);
        perror("peakrss: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("peakrss: wait4");
        return 70;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror("peakrss: output file");
        return 70;
    }
    fprintf(out, "%d %ld %ld %ld\n", code, ru.ru_maxrss,
            ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
            ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec);
    fclose(out);
    return code;
}

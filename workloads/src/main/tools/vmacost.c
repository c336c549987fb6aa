/*
 * vmacost [VMAS ...]: what KVM_CREATE_VM and closing an empty VM cost against the number of
 * mappings (VMAs) of the process that creates them. A host tool (glibc), for the notes of the
 * floor issue: KVM registers an MMU notifier for every new VM, and the kernel's registration
 * takes every VMA's locks in turn (mm_take_all_locks), so a VM's creation costs time in
 * proportion to the creating process's mappings. A JVM has hundreds (the monitor's 200-350,
 * each live VM adds its RAM, kvm_run and thread stacks); a C VMM a few dozen.
 *
 * For each VMAS (default 0 500 2000 8000), in a fresh child process: about that many extra VMAs
 * (8 KiB mappings, each half read-only: two VMAs that never merge with their neighbours), then 200 VMs created and closed
 * one after the other, with one more VM holding a vCPU for the whole run (as the monitor's
 * KvmPlatform does, so that no VM flips KVM's static keys). One line per VMAS:
 *     vmas <mappings in /proc/self/maps> create-p50-ns <n> close-p50-ns <n>
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { VMS = 200 };

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static int mappings(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;) lines += c == '\n';
    fclose(f);
    return lines;
}

static int measure(int extra) {
    for (int i = 0; i < extra / 2; i++) {      /* two VMAs each: read-only, then read-write */
        char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ) != 0) {
            fprintf(stderr, "vmacost: mapping %d: %s\n", i, strerror(errno));
            return 1;
        }
        p[4096] = 1;
    }
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        fprintf(stderr, "vmacost: /dev/kvm: %s\n", strerror(errno));
        return 1;
    }
    int standby = ioctl(kvm, KVM_CREATE_VM, 0);
    if (standby < 0 || ioctl(standby, KVM_CREATE_VCPU, 0) < 0) {
        fprintf(stderr, "vmacost: the standby VM: %s\n", strerror(errno));
        return 1;
    }
    static long create[VMS], destroy[VMS];
    for (int i = 0; i < VMS; i++) {
        long t0 = now_ns();
        int vm = ioctl(kvm, KVM_CREATE_VM, 0);
        long t1 = now_ns();
        if (vm < 0) {
            fprintf(stderr, "vmacost: KVM_CREATE_VM: %s\n", strerror(errno));
            return 1;
        }
        close(vm);
        create[i] = t1 - t0;
        destroy[i] = now_ns() - t1;
    }
    qsort(create, VMS, sizeof create[0], by_value);
    qsort(destroy, VMS, sizeof destroy[0], by_value);
    printf("vmas %d create-p50-ns %ld close-p50-ns %ld\n", mappings(), create[VMS / 2], destroy[VMS / 2]);
    return 0;
}

int main(int argc, char **argv) {
    static const char *defaults[] = {"0", "500", "2000", "8000"};
    const char **counts = argc > 1 ? (const char **)argv + 1 : defaults;
    int n = argc > 1 ? argc - 1 : 4;
    for (int i = 0; i < n; i++) {
        char *end;
        long extra = strtol(counts[i], &end, 10);
        if (*end != '\0' || extra < 0 || extra > 60000) {
            fprintf(stderr, "vmacost: not a mapping count (0..60000): %s\n", counts[i]);
            return 2;
        }
        fflush(stdout);
        pid_t child = fork();
        if (child < 0) {
            fprintf(stderr, "vmacost: fork: %s\n", strerror(errno));
            return 1;
        }
        if (child == 0) {
            int rc = measure((int)extra);
            fflush(stdout);
            _exit(rc);
        }
        int status;
        if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
    }
    return 0;
}

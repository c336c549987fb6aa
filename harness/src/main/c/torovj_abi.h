/*
 * torovj_abi.h - the contract between the ToroV/J monitor (Java, harness/) and
 * the guest runtime (C, workloads/src/main/runtime/) plus the transports' guest halves
 * (C, mechanisms/src/main/guest/).
 *
 * The guest runs identity-mapped: a guest-physical address (gpa) is also the
 * guest-virtual address. Every structure here lives in guest RAM. The Java side
 * mirrors each constant and offset in io.torovj.abi.GuestAbi, and a layout test
 * compiles this header with gcc and compares every one.
 */
#ifndef TOROVJ_ABI_H
#define TOROVJ_ABI_H

#include <stdint.h>

#define TOROVJ_BOOT_MAGIC   0x00314a564f524f54ULL /* "TOROVJ1\0" little-endian */
#define TOROVJ_ABI_VERSION  1u

/* auxv entry type whose value is the gpa of struct torovj_boot_info.
 * Absent when the program runs natively (no monitor). */
#define TOROVJ_AT_BOOT_INFO 0x7430

#define TOROVJ_TRANSPORT_NAME_MAX 16

/* Doorbells that do nothing, for measuring the bare cost of an exit (the
 * "floor" of the exit-based transports): an OUT to this port, or a store to
 * this guest-physical address (page 1 of the unbacked device window). */
#define TOROVJ_NULL_PORT 0x00F2
#define TOROVJ_NULL_MMIO 0x3FE01000ULL

struct torovj_boot_info {
    uint64_t magic;                                 /*  0: TOROVJ_BOOT_MAGIC */
    uint32_t abi_version;                           /*  8: TOROVJ_ABI_VERSION */
    uint32_t vcpu_count;                            /* 12: 1 for now */
    char     transport[TOROVJ_TRANSPORT_NAME_MAX];  /* 16: NUL-terminated, e.g. "pio" */
    uint64_t request_block;                         /* 32: gpa of vCPU 0's struct torovj_request */
    uint64_t transport_area;                        /* 40: gpa of the transport's shared area (0 if none) */
    uint64_t transport_area_size;                   /* 48: bytes */
    uint64_t doorbell_mmio;                         /* 56: gpa of an MMIO doorbell (0 if none) */
    uint32_t doorbell_port;                         /* 64: I/O port of a doorbell (0 if none) */
    uint32_t reserved0;                             /* 68 */
    uint64_t latency_buffer;                        /* 72: gpa of struct torovj_latency_buffer (0 if none) */
};                                                  /* 80 bytes */

/* One per vCPU, 64-byte aligned. The transport's guest half fills nr and
 * args, rings its doorbell; the monitor executes and writes ret (a Linux
 * return value: >= 0 success, -errno on failure). */
struct torovj_request {
    uint64_t nr;        /*  0: Linux x86-64 syscall number */
    uint64_t args[6];   /*  8 */
    int64_t  ret;       /* 56 */
};                      /* 64 bytes */

/* Per-call latency samples, written by the guest runtime (rdtsc deltas in
 * TSC cycles), read by the monitor when the guest exits. */
struct torovj_latency_buffer {
    uint64_t capacity;  /*  0: samples[] length, written by the monitor */
    uint64_t count;     /*  8: samples recorded; may exceed capacity (the excess is dropped) */
    uint64_t samples[]; /* 16 */
};

#endif

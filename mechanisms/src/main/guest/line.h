/*
 * line.h - shared-memory layout of the "line" transport (one cache line each
 * way), for its guest half (line.c) and for test guests that drive the lines
 * themselves. Protocol and rationale: line.c.
 *
 * io.torovj.mechanisms.LineTransport (Java, the monitor side) mirrors every
 * offset below; change both together.
 */
#ifndef TOROVJ_LINE_H
#define TOROVJ_LINE_H

#include <stdint.h>

#include "torovj_abi.h"

#define LINE_OFF_REQ_SEQ   0
#define LINE_OFF_REQ_NR    8
#define LINE_OFF_REQ_ARGS  16
#define LINE_OFF_RESP_SEQ  64
#define LINE_OFF_RESP_RET  72
#define LINE_AREA_BYTES    128

struct line_request {
    uint64_t seq;
    uint64_t nr;
    uint64_t args[6];
} __attribute__((aligned(64)));

struct line_response {
    uint64_t seq;
    int64_t  ret;
    uint64_t unused[6];
} __attribute__((aligned(64)));

struct line_area {
    struct line_request req;
    struct line_response resp;
};

_Static_assert(__builtin_offsetof(struct line_area, req.seq) == LINE_OFF_REQ_SEQ, "request seq");
_Static_assert(__builtin_offsetof(struct line_area, req.nr) == LINE_OFF_REQ_NR, "request nr");
_Static_assert(__builtin_offsetof(struct line_area, req.args) == LINE_OFF_REQ_ARGS, "request args");
_Static_assert(__builtin_offsetof(struct line_area, resp.seq) == LINE_OFF_RESP_SEQ, "response seq");
_Static_assert(__builtin_offsetof(struct line_area, resp.ret) == LINE_OFF_RESP_RET, "response ret");
_Static_assert(sizeof(struct line_area) == LINE_AREA_BYTES, "area size");

/* The area the monitor laid out, or NULL if boot_info's cannot be one
 * (not 64-aligned, too small). */
static inline struct line_area *line_area_of(const struct torovj_boot_info *bi)
{
    uintptr_t base = (uintptr_t)bi->transport_area;

    if (base == 0 || (base & 63) != 0 || bi->transport_area_size < LINE_AREA_BYTES)
        return 0;
    return (struct line_area *)base;
}

#endif

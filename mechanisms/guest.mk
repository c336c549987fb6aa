# guest.mk - how every guest object is compiled: the transports' guest halves
# (mechanisms/Makefile) and the runtime and programs they are linked with
# (workloads/Makefile) include this one file, so the two builds cannot drift.
#
# Defines CC (gcc unless given), GUEST_ABI_INC (torovj_abi.h and
# torovj_transport.h), GUEST_CFLAGS, GUEST_LDFLAGS, GUEST_DEPFLAGS.
# Extra flags only through EXTRA_CFLAGS / EXTRA_LDFLAGS (environment
# CFLAGS/LDFLAGS are ignored on purpose: the guest flags must not pick up e.g.
# -march=native from a CI).

ifeq ($(origin CC),default)
CC := gcc
endif

GUEST_MK_DIR  := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
GUEST_ABI_INC := $(patsubst %/,%,$(dir $(GUEST_MK_DIR)))/harness/src/main/c

# -fno-tree-loop-distribute-patterns: never turn a copy/fill loop into a
# call to memcpy/memset (which would recurse inside string.c).
GUEST_CFLAGS := -O2 -g -static -nostdlib -ffreestanding -fno-pie -fno-stack-protector \
                -fno-builtin -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
                -std=gnu11 -Wall -Wextra -Werror
GUEST_LDFLAGS := -static -nostdlib -no-pie -Wl,-z,noexecstack
GUEST_DEPFLAGS = -MMD -MP -MF $(@:.o=.d)

EXTRA_CFLAGS  ?=
EXTRA_LDFLAGS ?=

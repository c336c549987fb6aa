/* runtime.h - internal interface between the common runtime code and its
 * two variants (runtime_vm.c, runtime_native.c). Not for workloads. */
#ifndef TOROVJ_RUNTIME_H
#define TOROVJ_RUNTIME_H

#include "torovj.h"

/* Called by __torovj_start before main with the process's auxv (the
 * (type, value) pairs after envp, ending with AT_NULL). */
void __torovj_runtime_init(const unsigned long *auxv);

/* Called by exit() before exit_group; returns the status to exit with
 * (native: 1 instead of 0 if the latency file could not be written). */
int __torovj_runtime_fini(int status);

#endif

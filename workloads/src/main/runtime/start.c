/* start.c - C part of process start-up, shared by both runtimes. */
#include "runtime.h"

char **environ;

extern int main(int argc, char **argv, char **envp);

__attribute__((noreturn, used)) void __torovj_start(unsigned long *sp);

void __torovj_start(unsigned long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    char **p = envp;

    while (*p)
        p++;
    environ = envp;

    __torovj_runtime_init((const unsigned long *)(p + 1));
    exit(main(argc, argv, envp));
}

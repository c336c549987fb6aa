/*
 * args: prints argc, each argv[i] and $TOROVJ_TEST (if set), one per line:
 *   argc=<n>
 *   argv[<i>]=<arg>
 *   TOROVJ_TEST=<value>
 */
#include "torovj.h"

int main(int argc, char **argv, char **envp)
{
    const char *t = getenv("TOROVJ_TEST");

    if (envp != environ) {
        fprintf(stderr, "args: envp does not match environ\n");
        return 1;
    }
    if (printf("argc=%d\n", argc) < 0)
        return 1;
    for (int i = 0; i < argc; i++)
        if (printf("argv[%d]=%s\n", i, argv[i]) < 0)
            return 1;
    if (argv[argc] != NULL) {
        fprintf(stderr, "args: argv[argc] is not NULL\n");
        return 1;
    }
    if (t && printf("TOROVJ_TEST=%s\n", t) < 0)
        return 1;
    return 0;
}

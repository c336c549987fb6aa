/* helloworld: prints "Hello, World!" and exits 0. */
#include "torovj.h"

int main(void)
{
    static const char msg[] = "Hello, World!\n";

    if (write(STDOUT_FILENO, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1))
        return 1;
    return 0;
}

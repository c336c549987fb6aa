/*
 * denied: raw getpid, expected to be refused by the monitor's policy with
 * -EPERM (-1). stdout: "denied: getpid=<ret>"; exit 0 iff ret == -1.
 */
#include "torovj.h"

int main(void)
{
    long r = sys_getpid();

    printf("denied: getpid=%ld\n", r);
    return r == -EPERM ? 0 : 1;
}

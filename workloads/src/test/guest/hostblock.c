/*
 * hostblock: makes a host call that never returns on its own (recvfrom on
 * an unbound UDP socket, blocking). Only the monitor's limits can end it.
 */
#include "torovj.h"

int main(void)
{
    char buf[16];
    int s = socket(AF_INET, SOCK_DGRAM, 0);

    printf("hostblock: socket %d, blocking in recvfrom\n", s);
    long r = sys_recvfrom(s, buf, sizeof buf, 0, NULL, NULL);
    printf("hostblock: recvfrom returned %ld\n", r);
    return 0;
}

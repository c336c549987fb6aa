/*
 * netescape PORT: tries to get a socket onto 0.0.0.0 (reachable from other
 * hosts) through the kernel's implicit binds, which the policy's bind check
 * never sees. PORT must be free and allowed for bind and connect.
 *   1. listen() on a TCP socket never bound: the kernel would bind it to
 *      0.0.0.0 and an ephemeral port. Expected: -EPERM.
 *   2. sendto() from a UDP socket never bound: the kernel would bind it to
 *      0.0.0.0 and an ephemeral port X. The receiver learns X from the
 *      datagram's source; a bind to 127.0.0.2:X then succeeds only if the
 *      sender sits on 127.0.0.1:X rather than 0.0.0.0:X.
 * stdout: "netescape: listen=R1 udp-source-port-free-on-127.0.0.2=R2"
 * (R2 = 0 when the sender was confined to 127.0.0.1). Exit 0 iff both are
 * as expected.
 */
#include "torovj.h"

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;

    if (port < 1024 || port > 65535) {
        fprintf(stderr, "usage: netescape PORT (1024..65535)\n");
        return 2;
    }
    long listen_unbound = sys_listen((int)sys_socket(AF_INET, SOCK_STREAM, 0), 4);

    int rx = (int)sys_socket(AF_INET, SOCK_DGRAM, 0);
    int tx = (int)sys_socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = torovj_sockaddr_in(0x7f000001, (uint16_t)port), from;
    socklen_t from_len = sizeof from;
    char buf[8];
    long rb = sys_bind(rx, (struct sockaddr *)&to, sizeof to);
    long rs = sys_sendto(tx, "ping", 4, 0, (struct sockaddr *)&to, sizeof to);
    long rr = sys_recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &from_len);
    if (rx < 0 || tx < 0 || rb != 0 || rs != 4 || rr != 4) {
        printf("netescape: setup failed: socket %d %d bind %ld sendto %ld recvfrom %ld\n", rx, tx, rb, rs, rr);
        return 1;
    }
    struct sockaddr_in other = torovj_sockaddr_in(0x7f000002, ntohs(from.sin_port));
    long probe = sys_bind((int)sys_socket(AF_INET, SOCK_DGRAM, 0), (struct sockaddr *)&other, sizeof other);

    printf("netescape: listen=%ld udp-source-port-free-on-127.0.0.2=%ld\n", listen_unbound, probe);
    return listen_unbound == -EPERM && probe == 0 ? 0 : 1;
}

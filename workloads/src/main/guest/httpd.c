/*
 * httpd PORT [MAX_REQUESTS=0 [IDLE_MS=10000]]: a small HTTP/1.1 server on
 * 127.0.0.1:PORT. One thread, one epoll loop, non-blocking sockets.
 *
 *   GET /          200, a fixed 19-byte body ("Hello from ToroV/J\n")
 *   GET /bytes/N   200, N bytes (0 <= N <= 16 MiB) of "abc...z" repeated
 *   HEAD           as GET, without the body
 *   other paths    404; other methods 405; a malformed request 400, then
 *                  the connection is closed
 *
 * Keep-alive (HTTP/1.1's default; "Connection: close" and HTTP/1.0 without
 * "Connection: keep-alive" close after the response), pipelined requests
 * (answered in order), partial reads and writes (a connection whose answer
 * does not fit the socket waits for EPOLLOUT and is not read meanwhile). A
 * peer that half-closes gets the answers to what it sent, then the close;
 * a connection idle for IDLE_MS is closed. Responses carry no date: the
 * bytes are the same natively and in a VM.
 *
 * Stopping: with MAX_REQUESTS > 0 it exits 0 once it has answered that many
 * requests and written every answer out. With MAX_REQUESTS = 0 it serves
 * until killed or, if its stdin is a pipe or a socket, until stdin reaches
 * end of file (how the bench stops it: it closes the pipe).
 * stdout at exit: "httpd: R requests, C connections" (R counts every answer, 400s too).
 * stderr: "httpd: listening on 127.0.0.1:PORT" once it listens.
 */
#include "torovj.h"

#define MAX_CONNS   64
#define IN_CAP      4096
#define OUT_CAP     8192
#define MAX_BODY    (16L << 20)
#define MAX_EVENTS  64
#define PATTERN_LEN 26
#define CHUNK       16384

/* epoll data of the two fds that are not connections */
#define TAG_LISTENER ((uint64_t)-1)
#define TAG_STDIN    ((uint64_t)-2)

static const char HELLO[] = "Hello from ToroV/J\n";

struct conn {
    int fd;                 /* -1: free slot */
    int closing;            /* close once the output is written */
    int peer_done;          /* the peer shut its sending side */
    int want_out;           /* registered for EPOLLOUT (not EPOLLIN) */
    size_t in_len;
    size_t out_off, out_len;
    long body_left;         /* streamed body bytes still to send (large /bytes/N) */
    long body_pos;          /* their position in the pattern */
    uint64_t last_active;   /* coarse clock, ms */
    char in[IN_CAP];
    char out[OUT_CAP];
};

static struct conn conns[MAX_CONNS];
static char pattern[CHUNK + PATTERN_LEN];
static int ep = -1;
static unsigned long served, accepted;
static long max_requests;
static long idle_ms = 10000;
static uint64_t now_ms;
static uint64_t clock_tsc;

static int die(const char *what, int err)
{
    fprintf(stderr, "httpd: %s: %s\n", what, strerror(err));
    return 1;
}

/* The coarse clock: clock_gettime only when the TSC says ~2^26 cycles passed
 * (some tens of ms), so that a busy loop pays no extra system call per turn. */
static void tick(int force)
{
    uint64_t t = torovj_rdtsc();
    if (!force && t - clock_tsc < (1ull << 26))
        return;
    clock_tsc = t;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        now_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Case-insensitive equality of [s, s+n) and the lower-case word w. */
static int word_is(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n != k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)s[i]) != w[i])
            return 0;
    return 1;
}

static int is_token_char(int c)
{
    return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static void conn_close(struct conn *c)
{
    close(c->fd);                 /* also drops its epoll registration */
    c->fd = -1;
}

static int watch(struct conn *c, uint32_t events)
{
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = (uint64_t)(c - conns);
    return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Appends a response head (and a small body) to c's output. */
static void respond(struct conn *c, int status, const char *reason, int head_only, long body_len,
                    const char *body, const char *connection)
{
    int n = snprintf(c->out + c->out_len, OUT_CAP - c->out_len,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %ld\r\n%s%s\r\n",
                     status, reason, body_len, status == 405 ? "Allow: GET, HEAD\r\n" : "", connection);
    c->out_len += (size_t)n;
    if (head_only || body_len == 0)
        return;
    if (body && c->out_len + (size_t)body_len <= OUT_CAP) {
        memcpy(c->out + c->out_len, body, (size_t)body_len);
        c->out_len += (size_t)body_len;
    } else if (!body && c->out_len + (size_t)body_len <= OUT_CAP) {
        for (long i = 0; i < body_len; i++)
            c->out[c->out_len++] = (char)('a' + i % PATTERN_LEN);
    } else {
        c->body_left = body_len;
        c->body_pos = 0;
    }
}

static void bad_request(struct conn *c)
{
    static const char msg[] = "bad request\n";
    respond(c, 400, "Bad Request", 0, (long)sizeof msg - 1, msg, "Connection: close\r\n");
    c->closing = 1;
    c->in_len = 0;
    served++;                         /* answered, if only with a 400 */
}

/*
 * Parses one complete request at the start of c->in, if there is one, and
 * queues its answer. Returns the bytes it used, 0 if the request is not
 * complete yet, -1 if it was malformed (a 400 is queued).
 */
static long handle_one(struct conn *c)
{
    char *buf = c->in;
    size_t len = c->in_len, end = 0;
    for (size_t i = 3; i < len; i++) {
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            end = i + 1;
            break;
        }
    }
    if (!end)
        return len >= IN_CAP ? -1 : 0;   /* a head larger than the buffer is refused */

    /* request line: METHOD SP TARGET SP HTTP/1.x CRLF */
    char *p = buf, *line_end = buf;
    while (*line_end != '\r')
        line_end++;
    char *m = p;
    while (p < line_end && is_token_char((unsigned char)*p))
        p++;
    size_t mlen = (size_t)(p - m);
    if (mlen == 0 || p >= line_end || *p != ' ')
        return -1;
    char *target = ++p;
    while (p < line_end && *p != ' ')
        p++;
    size_t tlen = (size_t)(p - target);
    if (tlen == 0 || target[0] != '/' || p >= line_end)
        return -1;
    for (size_t i = 0; i < tlen; i++)
        if ((unsigned char)target[i] <= 32 || (unsigned char)target[i] >= 127)
            return -1;
    p++;
    if (line_end - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
        return -1;
    int http10 = p[7] == '0';

    /* headers: Name: value CRLF, until the empty line */
    int keep_alive = !http10, close_asked = 0;
    long content_length = 0;
    char *h = line_end + 2;
    while (h < buf + end - 2) {
        char *he = h;
        while (*he != '\r')
            he++;
        if (he[1] != '\n')
            return -1;
        char *colon = h;
        while (colon < he && is_token_char((unsigned char)*colon))
            colon++;
        if (colon == h || colon >= he || *colon != ':')
            return -1;
        char *v = colon + 1;
        while (v < he && (*v == ' ' || *v == '\t'))
            v++;
        char *ve = he;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t nlen = (size_t)(colon - h), vlen = (size_t)(ve - v);
        for (size_t i = 0; i < vlen; i++)           /* no control characters (a bare LF, ...) in a value */
            if (((unsigned char)v[i] < 32 && v[i] != '\t') || v[i] == 127)
                return -1;
        if (word_is(h, nlen, "connection")) {
            if (word_is(v, vlen, "close"))
                close_asked = 1;
            else if (word_is(v, vlen, "keep-alive"))
                keep_alive = 1;
        } else if (word_is(h, nlen, "content-length")) {
            if (vlen == 0)
                return -1;
            content_length = 0;
            for (size_t i = 0; i < vlen; i++) {
                if (v[i] < '0' || v[i] > '9' || content_length > IN_CAP)
                    return -1;
                content_length = content_length * 10 + (v[i] - '0');
            }
        } else if (word_is(h, nlen, "transfer-encoding")) {
            return -1;                    /* chunked bodies are not supported */
        }
        h = he + 2;
    }
    if (content_length > (long)(IN_CAP - end))
        return -1;
    if ((size_t)content_length > len - end)
        return 0;                         /* the body is still coming */
    size_t used = end + (size_t)content_length;   /* a request body is read and ignored */

    if (close_asked)
        keep_alive = 0;
    const char *connection = !keep_alive ? "Connection: close\r\n" : http10 ? "Connection: keep-alive\r\n" : "";
    int get = mlen == 3 && memcmp(m, "GET", 3) == 0;      /* methods are case-sensitive */
    int head = mlen == 4 && memcmp(m, "HEAD", 4) == 0;
    if (!get && !head) {
        static const char msg[] = "method not allowed\n";
        respond(c, 405, "Method Not Allowed", 0, (long)sizeof msg - 1, msg, connection);
    } else if (tlen == 1) {
        respond(c, 200, "OK", head, (long)sizeof HELLO - 1, HELLO, connection);
    } else if (tlen > 7 && memcmp(target, "/bytes/", 7) == 0) {
        long n = 0;
        size_t i = 7;
        for (; i < tlen && target[i] >= '0' && target[i] <= '9' && n <= MAX_BODY; i++)
            n = n * 10 + (target[i] - '0');
        if (i != tlen || n > MAX_BODY)
            return -1;
        respond(c, 200, "OK", head, n, NULL, connection);
    } else {
        static const char msg[] = "not found\n";
        respond(c, 404, "Not Found", 0, (long)sizeof msg - 1, msg, connection);
    }
    served++;
    if (!keep_alive)
        c->closing = 1;
    return (long)used;
}

/*
 * Answers every complete request buffered on c while its output has room and
 * no body is streaming. Returns 1 if it stopped for want of output room (so
 * more may be answered once the output is written), else 0.
 */
static int handle_requests(struct conn *c)
{
    while (!c->closing && c->in_len > 0 && (max_requests == 0 || served < (unsigned long)max_requests)) {
        if (c->body_left > 0 || c->out_len + 512 > OUT_CAP)
            return 1;
        long used = handle_one(c);
        if (used == 0)
            break;
        if (used < 0) {
            bad_request(c);
            break;
        }
        memmove(c->in, c->in + used, c->in_len - (size_t)used);
        c->in_len -= (size_t)used;
    }
    return 0;
}

/* Writes what c has queued: 1 if all of it went out, 0 if the socket is full, -1 if the peer is gone. */
static int flush(struct conn *c)
{
    for (;;) {
        const char *src;
        size_t n;
        if (c->out_off < c->out_len) {
            src = c->out + c->out_off;
            n = c->out_len - c->out_off;
        } else if (c->body_left > 0) {
            src = pattern + c->body_pos % PATTERN_LEN;
            n = c->body_left < CHUNK ? (size_t)c->body_left : CHUNK;
        } else {
            c->out_off = c->out_len = 0;
            return 1;
        }
        ssize_t w = send(c->fd, src, n, MSG_NOSIGNAL);
        if (w < 0)
            return errno == EAGAIN ? 0 : -1;
        if (c->out_off < c->out_len) {
            c->out_off += (size_t)w;
        } else {
            c->body_left -= w;
            c->body_pos += w;
        }
    }
}

/* Answers what can be answered on c and writes it; closes c when it is done. */
static void progress(struct conn *c)
{
    c->last_active = now_ms;
    int more;
    do {
        more = handle_requests(c);
        int f = flush(c);
        if (f < 0) {
            conn_close(c);
            return;
        }
        if (f == 0) {                  /* socket full: wait for room, read nothing meanwhile */
            if (!c->want_out && watch(c, EPOLLOUT) == 0)
                c->want_out = 1;
            return;
        }
    } while (more);
    /* all written; a peer that is done sending has had every complete request answered */
    if (c->closing || c->peer_done) {
        conn_close(c);
        return;
    }
    if (c->want_out && watch(c, EPOLLIN | EPOLLRDHUP) == 0)
        c->want_out = 0;
}

static void on_readable(struct conn *c)
{
    if (c->in_len < IN_CAP) {
        ssize_t r = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
        if (r < 0) {
            if (errno != EAGAIN) {
                conn_close(c);
                return;
            }
        } else if (r == 0) {
            c->peer_done = 1;
        } else {
            c->in_len += (size_t)r;
        }
    }
    progress(c);
}

static void accept_all(int ls)
{
    for (;;) {
        int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;                    /* EAGAIN: no more for now (or an aborted connection) */
        int slot = -1;
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {                /* full: refuse by closing */
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = &conns[slot];
        c->fd = fd;
        c->closing = c->peer_done = c->want_out = 0;
        c->in_len = c->out_off = c->out_len = 0;
        c->body_left = c->body_pos = 0;
        c->last_active = now_ms;
        struct epoll_event ev;
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = (uint64_t)slot;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            conn_close(c);
            continue;
        }
        accepted++;
    }
}

/* True once MAX_REQUESTS were answered and every answer is written out. */
static int finished(void)
{
    if (max_requests == 0 || served < (unsigned long)max_requests)
        return 0;
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd >= 0 && (conns[i].out_len > conns[i].out_off || conns[i].body_left > 0))
            return 0;
    return 1;
}

static void close_idle(void)
{
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd >= 0 && now_ms - conns[i].last_active >= (uint64_t)idle_ms)
            conn_close(&conns[i]);
}

/* True if stdin is a pipe or a socket (what the stop on end of file watches). */
static int stdin_is_stream(void)
{
    struct stat st;
    if (fstat(0, &st) < 0)
        return 0;
    unsigned type = st.st_mode & S_IFMT;
    return type == S_IFIFO || type == S_IFSOCK;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: httpd PORT [MAX_REQUESTS=0 [IDLE_MS=10000]]\n");
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port <= 0 || port > 65535) {
        fprintf(stderr, "httpd: PORT must be 1..65535: %s\n", argv[1]);
        return 2;
    }
    if (argc > 2) {
        max_requests = strtol(argv[2], &end, 10);
        if (*end || max_requests < 0) {
            fprintf(stderr, "httpd: MAX_REQUESTS must be >= 0: %s\n", argv[2]);
            return 2;
        }
    }
    if (argc > 3) {
        idle_ms = strtol(argv[3], &end, 10);
        if (*end || idle_ms <= 0) {
            fprintf(stderr, "httpd: IDLE_MS must be > 0: %s\n", argv[3]);
            return 2;
        }
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    for (int i = 0; i < (int)sizeof pattern; i++)
        pattern[i] = (char)('a' + i % PATTERN_LEN);

    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ls < 0)
        return die("socket", errno);
    int one = 1;
    if (setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return die("setsockopt SO_REUSEADDR", errno);
    struct sockaddr_in sa = torovj_sockaddr_in(INADDR_LOOPBACK, (uint16_t)port);
    if (bind(ls, (const struct sockaddr *)&sa, sizeof sa) < 0)
        return die("bind 127.0.0.1", errno);
    if (listen(ls, 128) < 0)
        return die("listen", errno);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return die("epoll_create1", errno);
    struct epoll_event ev;
    ev.events = EPOLLIN;
    ev.data.u64 = TAG_LISTENER;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) < 0)
        return die("epoll_ctl listener", errno);
    if (max_requests == 0 && stdin_is_stream()) {
        ev.events = EPOLLIN;
        ev.data.u64 = TAG_STDIN;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0)
            return die("epoll_ctl stdin", errno);
    }
    fprintf(stderr, "httpd: listening on 127.0.0.1:%ld\n", port);
    tick(1);

    static struct epoll_event events[MAX_EVENTS];
    int stop = 0;
    while (!stop && !finished()) {
        /* wake at least every second to close idle connections */
        int n = epoll_wait(ep, events, MAX_EVENTS, 1000);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return die("epoll_wait", errno);
        }
        tick(n == 0);
        for (int i = 0; i < n; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag == TAG_LISTENER) {
                accept_all(ls);
            } else if (tag == TAG_STDIN) {
                char sink[256];
                ssize_t r = read(0, sink, sizeof sink);
                if (r <= 0 && !(r < 0 && errno == EAGAIN))
                    stop = 1;
            } else if (tag < MAX_CONNS && conns[tag].fd >= 0) {
                struct conn *c = &conns[tag];
                if (c->want_out)
                    progress(c);
                else
                    on_readable(c);
            }
        }
        close_idle();
    }
    for (int i = 0; i < MAX_CONNS; i++)
        if (conns[i].fd >= 0)
            conn_close(&conns[i]);
    close(ep);
    close(ls);
    printf("httpd: %lu requests, %lu connections\n", served, accepted);
    return 0;
}

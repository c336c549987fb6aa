/*
 * printf.c - the printf family. One formatter writes into a "sink": either a
 * caller's buffer (snprintf) or a 1 KiB stack buffer flushed to a file
 * descriptor (printf/dprintf), so a call normally costs exactly one write().
 */
#include "torovj.h"

#define FD_BUF_SIZE 1024

struct sink {
    char  *buf;     /* destination */
    size_t cap;     /* bytes usable in buf (snprintf: size - 1) */
    size_t used;    /* bytes in buf */
    size_t total;   /* bytes produced so far (the return value) */
    int    fd;      /* -1: string sink */
    int    err;     /* a write failed */
};

static void sink_flush(struct sink *s)
{
    size_t off = 0;

    while (off < s->used && !s->err) {
        long r = sys_write(s->fd, s->buf + off, s->used - off);
        if (r == -EINTR)
            continue;
        if (r <= 0) {
            errno = r < 0 ? (int)-r : EIO;
            s->err = 1;
            break;
        }
        off += (size_t)r;
    }
    s->used = 0;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
    s->total += n;
    while (n) {
        size_t room = s->cap - s->used;
        if (room == 0) {
            if (s->fd < 0)
                return;     /* snprintf: truncate, keep counting */
            sink_flush(s);
            room = s->cap;
        }
        size_t k = n < room ? n : room;
        memcpy(s->buf + s->used, p, k);
        s->used += k;
        p += k;
        n -= k;
    }
}

static void sink_pad(struct sink *s, char c, size_t n)
{
    char chunk[32];

    memset(chunk, c, sizeof chunk);
    while (n) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        sink_put(s, chunk, k);
        n -= k;
    }
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

/* Writes an integer: prefix (sign / 0x), precision zeros, digits, with
 * width padding. prec < 0 means "no precision". */
static void put_int(struct sink *s, unsigned long long v, int neg, unsigned base,
                    int upper, int flags, int width, int prec, int is_ptr)
{
    char digits[24];
    char prefix[3];
    size_t nd = 0, np = 0, zeros = 0, len;
    const char *xd = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    if (!(prec == 0 && v == 0)) {
        do {
            digits[nd++] = xd[v % base];
            v /= base;
        } while (v);
    }
    if (neg)
        prefix[np++] = '-';
    else if (flags & F_PLUS)
        prefix[np++] = '+';
    else if (flags & F_SPACE)
        prefix[np++] = ' ';
    if (base == 16 && (is_ptr || ((flags & F_ALT) && nd > 0 && !(nd == 1 && digits[0] == '0')))) {
        prefix[np++] = '0';
        prefix[np++] = upper ? 'X' : 'x';
    }
    if (base == 8 && (flags & F_ALT) && (nd == 0 || digits[nd - 1] != '0') && (prec < 0 || (size_t)prec <= nd))
        digits[nd++] = '0';

    if (prec >= 0 && (size_t)prec > nd)
        zeros = (size_t)prec - nd;
    len = np + zeros + nd;
    if (width > 0 && (size_t)width > len) {
        size_t pad = (size_t)width - len;
        if (flags & F_LEFT) {
            /* padded after the number */
        } else if ((flags & F_ZERO) && prec < 0) {
            zeros += pad;
            pad = 0;
        } else {
            sink_pad(s, ' ', pad);
            pad = 0;
        }
        sink_put(s, prefix, np);
        sink_pad(s, '0', zeros);
        while (nd)
            sink_put(s, &digits[--nd], 1);
        if (pad)
            sink_pad(s, ' ', pad);
        return;
    }
    sink_put(s, prefix, np);
    sink_pad(s, '0', zeros);
    while (nd)
        sink_put(s, &digits[--nd], 1);
}

static void put_str(struct sink *s, const char *str, int flags, int width, int prec)
{
    size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
    size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;

    if (!(flags & F_LEFT))
        sink_pad(s, ' ', pad);
    sink_put(s, str, n);
    if (flags & F_LEFT)
        sink_pad(s, ' ', pad);
}

enum { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static void format(struct sink *s, const char *fmt, va_list ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char *lit = fmt;
            while (*fmt && *fmt != '%')
                fmt++;
            sink_put(s, lit, (size_t)(fmt - lit));
            continue;
        }
        const char *spec = fmt++;
        int flags = 0, width = 0, prec = -1, len = LEN_INT;

        for (;; fmt++) {
            if (*fmt == '-') flags |= F_LEFT;
            else if (*fmt == '0') flags |= F_ZERO;
            else if (*fmt == '+') flags |= F_PLUS;
            else if (*fmt == ' ') flags |= F_SPACE;
            else if (*fmt == '#') flags |= F_ALT;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= F_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        switch (*fmt) {
        case 'h':
            len = fmt[1] == 'h' ? LEN_CHAR : LEN_SHORT;
            fmt += fmt[1] == 'h' ? 2 : 1;
            break;
        case 'l':
            len = fmt[1] == 'l' ? LEN_LLONG : LEN_LONG;
            fmt += fmt[1] == 'l' ? 2 : 1;
            break;
        case 'z': case 'j': case 't':
            len = LEN_SIZE;     /* all 64-bit on x86-64 */
            fmt++;
            break;
        default:
            break;
        }

        char c = *fmt;
        if (c)
            fmt++;
        switch (c) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case LEN_CHAR:  v = (signed char)va_arg(ap, int); break;
            case LEN_SHORT: v = (short)va_arg(ap, int); break;
            case LEN_INT:   v = va_arg(ap, int); break;
            case LEN_LLONG: v = va_arg(ap, long long); break;
            default:        v = va_arg(ap, long); break;
            }
            unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            put_int(s, m, v < 0, 10, 0, flags, width, prec, 0);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            switch (len) {
            case LEN_CHAR:  v = (unsigned char)va_arg(ap, unsigned); break;
            case LEN_SHORT: v = (unsigned short)va_arg(ap, unsigned); break;
            case LEN_INT:   v = va_arg(ap, unsigned); break;
            case LEN_LLONG: v = va_arg(ap, unsigned long long); break;
            default:        v = va_arg(ap, unsigned long); break;
            }
            unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
            put_int(s, v, 0, base, c == 'X', flags & ~(F_PLUS | F_SPACE), width, prec, 0);
            break;
        }
        case 'p': {
            void *p = va_arg(ap, void *);
            if (p)
                put_int(s, (uintptr_t)p, 0, 16, 0, flags & ~(F_PLUS | F_SPACE), width, prec, 1);
            else
                put_str(s, "(nil)", flags, width, -1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            put_str(s, str ? str : "(null)", flags, width, prec);
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            size_t pad = width > 1 ? (size_t)width - 1 : 0;
            if (!(flags & F_LEFT))
                sink_pad(s, ' ', pad);
            sink_put(s, &ch, 1);
            if (flags & F_LEFT)
                sink_pad(s, ' ', pad);
            break;
        }
        case '%':
            sink_put(s, "%", 1);
            break;
        default:
            /* unknown conversion (or end of string): print it verbatim */
            sink_put(s, spec, (size_t)(fmt - spec));
            break;
        }
    }
}

static int clamp_int(size_t n)
{
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = { buf, size ? size - 1 : 0, 0, 0, -1, 0 };

    format(&s, fmt, ap);
    if (size)
        buf[s.used] = '\0';
    return clamp_int(s.total);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    char buf[FD_BUF_SIZE];
    struct sink s = { buf, sizeof buf, 0, 0, fd, 0 };

    format(&s, fmt, ap);
    sink_flush(&s);
    return s.err ? -1 : clamp_int(s.total);
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

int fprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

int vprintf(const char *fmt, va_list ap)
{
    return vdprintf(STDOUT_FILENO, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(STDOUT_FILENO, fmt, ap);
    va_end(ap);
    return r;
}

int puts(const char *s)
{
    return printf("%s\n", s) < 0 ? -1 : 1;
}

int putchar(int c)
{
    unsigned char ch = (unsigned char)c;

    return write(STDOUT_FILENO, &ch, 1) == 1 ? ch : -1;
}

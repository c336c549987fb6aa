/*
 * printf_test: checks snprintf against known strings (glibc's output for the
 * same format), plus truncation and return values, and a few strto* cases.
 * stdout: "printf_test: <passed>/<total> passed"; exit 0 iff all passed.
 * Mismatches are listed on stderr.
 */
#include "torovj.h"

static int total, passed;

static void check(const char *expect, const char *got, int ret, const char *what)
{
    total++;
    if (strcmp(expect, got) == 0 && ret == (int)strlen(expect)) {
        passed++;
        return;
    }
    fprintf(stderr, "FAIL %s: expected \"%s\" (%d), got \"%s\" (%d)\n", what, expect,
            (int)strlen(expect), got, ret);
}

#define T(expect, ...)                                              \
    do {                                                            \
        char b_[128];                                               \
        int r_ = snprintf(b_, sizeof b_, __VA_ARGS__);              \
        check(expect, b_, r_, #__VA_ARGS__);                        \
    } while (0)

static void check_num(int ok, const char *what)
{
    total++;
    if (ok)
        passed++;
    else
        fprintf(stderr, "FAIL %s\n", what);
}

int main(void)
{
    const char *null_str;

    /* hidden from gcc's format checker, which rejects a literal NULL for %s */
    __asm__("" : "=r"(null_str) : "0"(0L));
    T("42", "%d", 42);
    T("-42", "%i", -42);
    T("-2147483648", "%d", (int)0x80000000);
    T("4294967295", "%u", 4294967295u);
    T("-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
    T("18446744073709551615", "%lu", 18446744073709551615UL);
    T("-1234567890123", "%lld", -1234567890123LL);
    T("12345678901234567890", "%llu", 12345678901234567890ULL);
    T("123456", "%zu", (size_t)123456);
    T("-77", "%zd", (ssize_t)-77);
    T("deadbeef", "%x", 0xdeadbeefu);
    T("DEADBEEF", "%X", 0xdeadbeefu);
    T("ffffffffffffffff", "%lx", ~0UL);
    T("123456789abcdef0", "%llx", 0x123456789abcdef0ULL);
    T("0x1000", "%p", (void *)0x1000);
    T("(nil)", "%p", (void *)0);
    T("hello", "%s", "hello");
    T("(null)", "%s", null_str);
    T("x", "%c", 'x');
    T("100%", "%d%%", 100);
    T("   42", "%5d", 42);
    T("42   |", "%-5d|", 42);
    T("00042", "%05d", 42);
    T("-0042", "%05d", -42);
    T("0000ff", "%06x", 255u);
    T("  abc", "%5s", "abc");
    T("abc  |", "%-5s|", "abc");
    T("he", "%.2s", "hello");
    T("   he", "%5.2s", "hello");
    T("he   |", "%-5.2s|", "hello");
    T("    x", "%5c", 'x');
    T("x    |", "%-5c|", 'x');
    T("  007", "%5.3d", 7);
    T("", "%.0d", 0);
    T("+5", "%+d", 5);
    T(" 5", "% d", 5);
    T("0x1f", "%#x", 31u);
    T("0", "%#x", 0u);
    T("017", "%#o", 15u);
    T("   -12", "%*d", 6, -12);
    T("-12   |", "%*d|", -6, -12);
    T("hel", "%.*s", 3, "hello");
    T("255 1 -1", "%hhu %hu %hhd", 511, 65537, 255);
    T("a1b2c", "a%db%dc", 1, 2);
    T("[x=        0x2a]", "[x=%12p]", (void *)42);
    T("12:ab:-3:str:Q:%", "%d:%x:%ld:%s:%c:%%", 12, 0xabu, -3L, "str", 'Q');

    /* truncation: return value is the untruncated length, output NUL-terminated */
    {
        char b[8];
        memset(b, 'Z', sizeof b);
        int r = snprintf(b, sizeof b, "%s", "0123456789");
        check("0123456", b, r == 10 ? 7 : -1, "truncate to 8");
        r = snprintf(NULL, 0, "%d-%s", 12345, "ab");
        check_num(r == 8, "snprintf(NULL, 0) length");
        b[0] = 'Z';
        r = snprintf(b, 1, "abc");
        check_num(r == 3 && b[0] == '\0', "snprintf size 1");
    }
    /* a long line through the fd path must come out whole (> 1 KiB buffer) */
    {
        char big[1500];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        int r = snprintf(NULL, 0, "%s%s", big, "y");
        check_num(r == 1500, "long output length");
    }
    /* strto* */
    check_num(strtol("-123", NULL, 10) == -123, "strtol -123");
    check_num(strtoul("0x3ff00000", NULL, 0) == 0x3ff00000UL, "strtoul 0x3ff00000 base 0");
    check_num(strtoul("0755", NULL, 0) == 0755, "strtoul octal");
    check_num(atoi("  65536") == 65536, "atoi 65536");
    {
        char *end;
        long v = strtol("12abc", &end, 10);
        check_num(v == 12 && *end == 'a', "strtol end pointer");
    }

    printf("printf_test: %d/%d passed\n", passed, total);
    return passed == total ? 0 : 1;
}

/* Number parsing for command lines and module strings. */
#include <keel/errno.h>
#include <keel/lib.h>

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;          /* larger than any base: not a digit */
}

/* Shift for a K/M/G suffix (either case), or -1 if c is none of them. */
static int suffix_shift(char c)
{
    switch (c) {
    case 'k': case 'K': return 10;
    case 'm': case 'M': return 20;
    case 'g': case 'G': return 30;
    default:            return -1;
    }
}

int parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out)
{
    unsigned int base = 10;
    size_t i = 0;
    int shift = 0;
    uint64_t v = 0;

    if (allow_suffix && len > 0) {
        int sh = suffix_shift(s[len - 1]);

        if (sh >= 0) {
            shift = sh;
            len--;
        }
    }
    if (len == 0)
        return -EINVAL;

    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
        if (len == 2)
            return -EINVAL;     /* "0x" alone */
    } else if (len >= 2 && s[0] == '0') {
        base = 8;
        i = 1;
    }

    for (; i < len; i++) {
        unsigned int d = (unsigned int)digit_value(s[i]);

        if (d >= base)
            return -EINVAL;
        if (v > (UINT64_MAX - d) / base)
            return -ERANGE;
        v = v * base + d;
    }

    if (shift && v > (UINT64_MAX >> shift))
        return -ERANGE;
    *out = v << shift;
    return 0;
}

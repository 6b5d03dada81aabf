/*
 * vsnprintf for the guests: %d %i %u %x %X %p %s %c %%, with flags '-' '0'
 * '#', a width (or *), a precision for %s, and the h, l, ll, z, j length
 * modifiers.  Returns the length the whole output would have had.
 */
#include "guest.h"

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

/* n / base, leaving the remainder in *rem.  Shift-and-subtract, so the
 * 32-bit build needs no libgcc for 64-bit division. */
static uint64_t divmod(uint64_t n, unsigned int base, unsigned int *rem)
{
#ifdef __x86_64__
    *rem = n % base;
    return n / base;
#else
    uint64_t q = 0, r = 0;

    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1);
        if (r >= base) {
            r -= base;
            q |= 1ull << bit;
        }
    }
    *rem = (unsigned int)r;
    return q;
#endif
}

struct spec {
    bool left, zero, alt, upper;
    int width;
};

static void number(struct out *o, uint64_t n, bool neg, unsigned int base,
                   const struct spec *sp)
{
    const char *digits = sp->upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int len = 0;

    do {
        unsigned int d;
        n = divmod(n, base, &d);
        tmp[len++] = digits[d];
    } while (n);

    const char *prefix = neg ? "-" : (sp->alt && base == 16) ? "0x" : "";
    int plen = strlen(prefix);
    int fill = sp->width - len - plen;

    if (!sp->left && !sp->zero)
        pad(o, ' ', fill);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    if (!sp->left && sp->zero)
        pad(o, '0', fill);
    while (len)
        put(o, tmp[--len]);
    if (sp->left)
        pad(o, ' ', fill);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        struct spec sp = { 0 };
        int prec = -1, lng = 0;

        for (;; fmt++) {
            if (fmt[1] == '-')
                sp.left = true;
            else if (fmt[1] == '0')
                sp.zero = true;
            else if (fmt[1] == '#')
                sp.alt = true;
            else
                break;
        }
        fmt++;
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            sp.width = sp.width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            prec = 0;
            fmt++;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                fmt++;
            }
            while (*fmt >= '0' && *fmt <= '9')
                prec = prec * 10 + (*fmt++ - '0');
        }
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'z' || *fmt == 'j')
                lng = 2;
            else if (*fmt != 'h')
                break;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, long long)
                      : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
            number(&o, mag, v < 0, 10, &sp);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = lng >= 2 ? va_arg(ap, unsigned long long)
                       : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            sp.upper = *fmt == 'X';
            number(&o, v, false, *fmt == 'u' ? 10 : 16, &sp);
            break;
        }
        case 'p':
            sp.alt = true;
            number(&o, (uintptr_t)va_arg(ap, void *), false, 16, &sp);
            break;
        case 'c':
            pad(&o, ' ', sp.left ? 0 : sp.width - 1);
            put(&o, (char)va_arg(ap, int));
            pad(&o, ' ', sp.left ? sp.width - 1 : 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
            pad(&o, ' ', sp.left ? 0 : sp.width - len);
            for (int i = 0; i < len; i++)
                put(&o, s[i]);
            pad(&o, ' ', sp.left ? sp.width - len : 0);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        case '\0':
            fmt--;              /* a lone '%' at the end: stop at the NUL */
            break;
        default:                /* unknown: show it as written */
            put(&o, '%');
            put(&o, *fmt);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

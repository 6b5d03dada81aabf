/*
 * A small vsnprintf for the hypervisor.
 *
 * Conversions: %d %i %u %o %x %X %p %s %c %%.  Flags '-', '0', '+', ' '
 * and '#', a field width, a precision (minimum digits for integers, maximum
 * characters for %s), both of which may be '*', and the length modifiers
 * hh h l ll z j t.  Everything gcc's format checking accepts for these
 * conversions works, so that a well-checked format never goes astray.
 * %p prints "0x" and 16 hex digits, so addresses line up in logs.  An
 * unknown conversion is copied to the output as it stands, so a bad format
 * shows up in the log instead of silently eating arguments.
 */
#include <keel/lib.h>

struct outbuf {
    char *buf;
    size_t size;
    size_t len;         /* characters produced so far, written or not */
};

static void out_char(struct outbuf *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct outbuf *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

struct spec {
    bool left;          /* '-' */
    bool zero;          /* '0' */
    bool plus;          /* '+' */
    bool space;         /* ' ' */
    bool alt;           /* '#' */
    int width;          /* 0: none */
    int prec;           /* -1: none */
    char length;        /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z', 'j', 't' */
};

/* Emit s[0..n) padded to the field width. */
static void out_field(struct outbuf *o, const struct spec *sp,
                      const char *s, size_t n)
{
    int pad = sp->width > (int)n ? sp->width - (int)n : 0;

    if (!sp->left)
        out_repeat(o, ' ', pad);
    for (size_t i = 0; i < n; i++)
        out_char(o, s[i]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

/* Emit a number: sign or prefix, zero padding, digits, field padding. */
static void out_number(struct outbuf *o, const struct spec *sp, uint64_t v,
                       const char *prefix, unsigned int base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;

    /* "%.0d" of zero prints no digits, as in C. */
    if (v != 0 || sp->prec != 0) {
        do {
            tmp[n++] = digits[v % base];
            v /= base;
        } while (v);
    }

    int plen = (int)strlen(prefix);
    int zeros = sp->prec > n ? sp->prec - n : 0;
    int total = plen + zeros + n;
    int pad = sp->width > total ? sp->width - total : 0;

    /* As in C, '0' is ignored with '-' or with a precision. */
    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += pad;
        pad = 0;
    }

    if (!sp->left)
        out_repeat(o, ' ', pad);
    while (*prefix)
        out_char(o, *prefix++);
    out_repeat(o, '0', zeros);
    while (n > 0)
        out_char(o, tmp[--n]);
    if (sp->left)
        out_repeat(o, ' ', pad);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case 'H': return (signed char)va_arg(*ap, int);
    case 'h': return (short)va_arg(*ap, int);
    case 'l': return va_arg(*ap, long);
    case 'L': return va_arg(*ap, long long);
    case 'z': return (int64_t)va_arg(*ap, size_t);   /* ssize_t has size_t's size */
    case 'j': return va_arg(*ap, intmax_t);
    case 't': return va_arg(*ap, ptrdiff_t);
    default:  return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case 'H': return (unsigned char)va_arg(*ap, unsigned int);
    case 'h': return (unsigned short)va_arg(*ap, unsigned int);
    case 'l': return va_arg(*ap, unsigned long);
    case 'L': return va_arg(*ap, unsigned long long);
    case 'z': return va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, uintmax_t);
    case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
    default:  return va_arg(*ap, unsigned int);
    }
}

static int parse_int(const char **fmt)
{
    int v = 0;

    while (**fmt >= '0' && **fmt <= '9') {
        if (v < 100000)             /* cap absurd widths instead of overflowing */
            v = v * 10 + (**fmt - '0');
        (*fmt)++;
    }
    return v;
}

/* Parse flags, width, precision and length; *fmt points after the '%'. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){ .prec = -1 };

    for (;; (*fmt)++) {
        if (**fmt == '-')
            sp->left = true;
        else if (**fmt == '0')
            sp->zero = true;
        else if (**fmt == '+')
            sp->plus = true;
        else if (**fmt == ' ')
            sp->space = true;
        else if (**fmt == '#')
            sp->alt = true;
        else
            break;
    }

    if (**fmt == '*') {
        int w = va_arg(*ap, int);

        (*fmt)++;
        if (w < 0) {            /* a negative '*' width means '-' */
            sp->left = true;
            w = w == INT32_MIN ? 0 : -w;
        }
        sp->width = w;
    } else {
        sp->width = parse_int(fmt);
    }

    if (**fmt == '.') {
        (*fmt)++;
        if (**fmt == '*') {
            int p = va_arg(*ap, int);

            (*fmt)++;
            sp->prec = p < 0 ? -1 : p;  /* negative: as if omitted */
        } else {
            sp->prec = parse_int(fmt);
        }
    }

    switch (**fmt) {
    case 'h':
        (*fmt)++;
        sp->length = 'h';
        if (**fmt == 'h') {
            (*fmt)++;
            sp->length = 'H';
        }
        break;
    case 'l':
        (*fmt)++;
        sp->length = 'l';
        if (**fmt == 'l') {
            (*fmt)++;
            sp->length = 'L';
        }
        break;
    case 'z': case 'j': case 't':
        sp->length = *(*fmt)++;
        break;
    }
}

static void out_string(struct outbuf *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    /* With a precision, s need not be NUL-terminated: never read past it. */
    size_t n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);

    out_field(o, sp, s, n);
}

/* Handle one conversion; *fmt points at the conversion character. */
static void convert(struct outbuf *o, const char **fmt, const char *start,
                    const struct spec *sp, va_list *ap)
{
    char c = **fmt;

    switch (c) {
    case 'd':
    case 'i': {
        int64_t v = arg_signed(sp, ap);
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        const char *sign = v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "";

        out_number(o, sp, mag, sign, 10, false);
        break;
    }
    case 'u':
        out_number(o, sp, arg_unsigned(sp, ap), "", 10, false);
        break;
    case 'o': {
        uint64_t v = arg_unsigned(sp, ap);
        struct spec p = *sp;
        const char *prefix = "";

        /* '#': the first digit must be a 0 (and "%#.0o" of 0 prints "0"). */
        if (sp->alt) {
            int digits = 1;

            for (uint64_t t = v; t >= 8; t /= 8)
                digits++;
            if (v == 0 && p.prec == 0)
                p.prec = 1;
            else if (v != 0 && p.prec <= digits)
                prefix = "0";
        }
        out_number(o, &p, v, prefix, 8, false);
        break;
    }
    case 'x':
    case 'X': {
        uint64_t v = arg_unsigned(sp, ap);
        const char *prefix = sp->alt && v ? (c == 'X' ? "0X" : "0x") : "";

        out_number(o, sp, v, prefix, 16, c == 'X');
        break;
    }
    case 'p': {
        struct spec p = *sp;

        p.prec = 16;
        out_number(o, &p, (uintptr_t)va_arg(*ap, void *), "0x", 16, false);
        break;
    }
    case 's':
        out_string(o, sp, va_arg(*ap, const char *));
        break;
    case 'c': {
        char ch = (char)va_arg(*ap, int);

        out_field(o, sp, &ch, 1);
        break;
    }
    case '%':
        out_char(o, '%');
        break;
    default:
        /* Unknown: print the directive as written (the NUL case stops early). */
        while (start < *fmt)
            out_char(o, *start++);
        if (c)
            out_char(o, c);
        else
            return;
        break;
    }
    (*fmt)++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct outbuf o = { .buf = buf, .size = size, .len = 0 };
    va_list args;

    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }

        const char *start = fmt++;
        struct spec sp;

        parse_spec(&fmt, &sp, &args);
        convert(&o, &fmt, start, &sp, &args);
    }
    va_end(args);

    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

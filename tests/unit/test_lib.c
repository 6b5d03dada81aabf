/*
 * Unit tests for hypervisor/lib: string functions, vsnprintf, parse_u64
 * and sort.  lib_rename.h (force-included) makes every memcpy, snprintf,
 * ... below the hypervisor's keel_* version; host_snprintf is libc's, the
 * reference the printf tests compare with.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/lib.h>
#include "include/harness.h"

/* ---- string functions -------------------------------------------------- */

#define GUARD 0x5a

static void fill_pattern(unsigned char *p, size_t n, unsigned int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static void test_memset(void **state)
{
    unsigned char buf[96];

    /* Every alignment and length across the word-at-a-time path. */
    for (size_t off = 0; off < 8; off++) {
        for (size_t len = 0; len < 80; len++) {
            for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = GUARD;
            assert_ptr_equal(memset(buf + off, 0x1c3, len), buf + off);
            for (size_t i = 0; i < sizeof(buf); i++) {
                bool inside = i >= off && i < off + len;

                assert_int_equal(buf[i], inside ? 0xc3 : GUARD);
            }
        }
    }
}

static void test_memcpy(void **state)
{
    unsigned char src[96], dst[96];

    fill_pattern(src, sizeof(src), 3);
    for (size_t so = 0; so < 8; so++) {
        for (size_t doff = 0; doff < 8; doff++) {
            for (size_t len = 0; len < 80; len++) {
                for (size_t i = 0; i < sizeof(dst); i++)
                    dst[i] = GUARD;
                assert_ptr_equal(memcpy(dst + doff, src + so, len), dst + doff);
                for (size_t i = 0; i < sizeof(dst); i++) {
                    if (i >= doff && i < doff + len)
                        assert_int_equal(dst[i], src[so + i - doff]);
                    else
                        assert_int_equal(dst[i], GUARD);
                }
            }
        }
    }
}

static void test_memmove_overlap(void **state)
{
    unsigned char buf[128], want[128];

    /* Overlap in both directions, aligned and not, against a byte-wise
     * copy through a separate buffer. */
    for (size_t src = 0; src < 24; src++) {
        for (size_t dst = 0; dst < 24; dst++) {
            for (size_t len = 0; len < 90; len += 7) {
                unsigned char tmp[128];

                fill_pattern(buf, sizeof(buf), (unsigned int)(src * 31 + dst));
                for (size_t i = 0; i < sizeof(buf); i++)
                    want[i] = buf[i];
                for (size_t i = 0; i < len; i++)
                    tmp[i] = want[src + i];
                for (size_t i = 0; i < len; i++)
                    want[dst + i] = tmp[i];

                assert_ptr_equal(memmove(buf + dst, buf + src, len), buf + dst);
                assert_memory_equal(buf, want, sizeof(buf));
            }
        }
    }
}

static void test_memcmp(void **state)
{
    unsigned char a[] = { 1, 2, 3, 0x80 };
    unsigned char b[] = { 1, 2, 3, 0x7f };

    assert_int_equal(memcmp(a, b, 3), 0);
    assert_true(memcmp(a, b, 4) > 0);      /* bytes compare as unsigned */
    assert_true(memcmp(b, a, 4) < 0);
    assert_int_equal(memcmp(a, b, 0), 0);
    assert_int_equal(memcmp("abc", "abd", 2), 0);
    assert_true(memcmp("abc", "abd", 3) < 0);
}

static void test_strlen_strnlen(void **state)
{
    char *exact = malloc(4);      /* no NUL: strnlen must stop at max */

    assert_int_equal(strlen(""), 0);
    assert_int_equal(strlen("hello"), 5);
    assert_int_equal(strnlen("hello", 3), 3);
    assert_int_equal(strnlen("hello", 5), 5);
    assert_int_equal(strnlen("hello", 50), 5);
    assert_int_equal(strnlen("hello", 0), 0);
    memcpy(exact, "abcd", 4);
    assert_int_equal(strnlen(exact, 4), 4);
    free(exact);
}

static void test_strcmp_strncmp(void **state)
{
    assert_int_equal(strcmp("abc", "abc"), 0);
    assert_true(strcmp("abc", "abd") < 0);
    assert_true(strcmp("abd", "abc") > 0);
    assert_true(strcmp("ab", "abc") < 0);
    assert_true(strcmp("abc", "ab") > 0);
    assert_true(strcmp("\xe9", "a") > 0);  /* unsigned comparison */
    assert_int_equal(strcmp("", ""), 0);

    assert_int_equal(strncmp("abcX", "abcY", 3), 0);
    assert_true(strncmp("abcX", "abcY", 4) < 0);
    assert_int_equal(strncmp("abc", "xyz", 0), 0);
    /* Stops at the NUL even when n is larger. */
    assert_int_equal(strncmp("ab\0x", "ab\0y", 10), 0);
    assert_true(strncmp("ab", "abc", 10) < 0);
}

static void test_strchr(void **state)
{
    const char *s = "hello\xe9world";

    assert_ptr_equal(strchr(s, 'l'), s + 2);
    assert_ptr_equal(strchr(s, 'h'), s);
    assert_ptr_equal(strchr(s, 'd'), s + 10);
    assert_null(strchr(s, 'z'));
    assert_ptr_equal(strchr(s, '\0'), s + 11);
    assert_ptr_equal(strchr(s, 0xe9), s + 5);
}

static void test_strlcpy(void **state)
{
    char buf[8];

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(strlcpy(buf, "abc", sizeof(buf)), 3);
    assert_string_equal(buf, "abc");

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(strlcpy(buf, "0123456789", sizeof(buf)), 10);
    assert_string_equal(buf, "0123456");

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(strlcpy(buf, "abc", 0), 3);
    assert_int_equal(buf[0], 'X');         /* size 0: nothing written */

    assert_int_equal(strlcpy(buf, "abc", 1), 3);
    assert_string_equal(buf, "");

    assert_int_equal(strlcpy(buf, "1234567", sizeof(buf)), 7);
    assert_string_equal(buf, "1234567");
}

/* ---- vsnprintf ----------------------------------------------------------- */

/* Keep the formats away from -Wformat: gcc warns about what they test. */
static int fmt_unchecked(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

#define UNCHECKED_AS(want, ...) do {                                        \
        char b_[256];                                                       \
        int n_ = fmt_unchecked(b_, sizeof(b_), __VA_ARGS__);                \
        assert_string_equal(b_, want);                                      \
        assert_int_equal(n_, (int)strlen(want));                            \
    } while (0)

/* Format with both keel's and libc's snprintf and compare text and length. */
#define SAME_AS_LIBC(...) do {                                              \
        char k_[256], h_[256];                                              \
        int kn_ = snprintf(k_, sizeof(k_), __VA_ARGS__);                    \
        int hn_ = host_snprintf(h_, sizeof(h_), __VA_ARGS__);               \
        assert_string_equal(k_, h_);                                        \
        assert_int_equal(kn_, hn_);                                         \
    } while (0)

#define FORMATS_AS(want, ...) do {                                          \
        char b_[256];                                                       \
        int n_ = snprintf(b_, sizeof(b_), __VA_ARGS__);                     \
        assert_string_equal(b_, want);                                      \
        assert_int_equal(n_, (int)strlen(want));                            \
    } while (0)

static void test_printf_integers(void **state)
{
    SAME_AS_LIBC("%d", 0);
    SAME_AS_LIBC("%d %d", -1, 1);
    SAME_AS_LIBC("%d", INT_MAX);
    SAME_AS_LIBC("%d", INT_MIN);
    SAME_AS_LIBC("%i", -12345);
    SAME_AS_LIBC("%u", UINT_MAX);
    SAME_AS_LIBC("%x", 0xdeadbeefu);
    SAME_AS_LIBC("%X", 0xdeadbeefu);
    SAME_AS_LIBC("%x", 0u);
    SAME_AS_LIBC("[%5d]", 42);
    SAME_AS_LIBC("[%-5d]", 42);
    SAME_AS_LIBC("[%05d]", 42);
    SAME_AS_LIBC("[%05d]", -42);
    SAME_AS_LIBC("[%08x]", 0xbeefu);
    SAME_AS_LIBC("[%2d]", 12345);
    SAME_AS_LIBC("[%.5d]", 42);
    SAME_AS_LIBC("[%8.5d]", -42);
    SAME_AS_LIBC("[%.0d]", 0);
    SAME_AS_LIBC("[%5.0d]", 0);
    SAME_AS_LIBC("[%.0u]", 7u);
    SAME_AS_LIBC("[%*d]", 6, 7);
    SAME_AS_LIBC("[%*d]", -6, 7);
    SAME_AS_LIBC("[%-*d]", 6, 7);
    SAME_AS_LIBC("[%.*d]", 4, 7);
    SAME_AS_LIBC("[%.*d]", -4, 7);
    /* '0' loses to '-' and to a precision, as in C. */
    UNCHECKED_AS("[-42  ]", "[%-05d]", -42);
    UNCHECKED_AS("[   00042]", "[%08.5d]", 42);
}

static void test_printf_flags(void **state)
{
    SAME_AS_LIBC("[%+d] [%+d] [%+d]", 5, -5, 0);
    SAME_AS_LIBC("[% d] [% d]", 5, -5);
    SAME_AS_LIBC("[%+5d] [%-+5d] [%+05d]", 5, 5, 5);
    SAME_AS_LIBC("[% 05d]", 42);
    SAME_AS_LIBC("[%#x] [%#X] [%#x]", 255u, 255u, 0u);
    SAME_AS_LIBC("[%#10x] [%#-10x] [%#010x]", 0xabcu, 0xabcu, 0xabcu);
    SAME_AS_LIBC("[%#.6x]", 0xabcu);
    SAME_AS_LIBC("[%#lx]", 0xffff800000000000UL);
    SAME_AS_LIBC("[%o] [%o] [%lo]", 8u, 0u, ULONG_MAX);
    SAME_AS_LIBC("[%#o] [%#o] [%#.0o] [%#.4o] [%#.2o]", 8u, 0u, 0u, 8u, 8u);
    SAME_AS_LIBC("[%#08o] [%#-8o]", 8u, 8u);
    SAME_AS_LIBC("[%.0o] [%5.3o]", 0u, 9u);
    /* After every flag the arguments still line up. */
    SAME_AS_LIBC("%#x %+d % d %#o %s", 1u, 2, 3, 4u, "end");
}

static void test_printf_lengths(void **state)
{
    SAME_AS_LIBC("%hhd", 200);             /* converted to signed char */
    SAME_AS_LIBC("%hhu", 300);
    SAME_AS_LIBC("%hhx", 0x1ff);
    SAME_AS_LIBC("%hd", 70000);
    SAME_AS_LIBC("%hu", -1);
    SAME_AS_LIBC("%ld", LONG_MIN);
    SAME_AS_LIBC("%lu", ULONG_MAX);
    SAME_AS_LIBC("%lx", ULONG_MAX);
    SAME_AS_LIBC("%lld", LLONG_MIN);
    SAME_AS_LIBC("%llu", ULLONG_MAX);
    SAME_AS_LIBC("%llX", 0x0123456789abcdefULL);
    SAME_AS_LIBC("%zu", SIZE_MAX);
    SAME_AS_LIBC("%zx", (size_t)0x1234);
    SAME_AS_LIBC("%jd", INTMAX_MIN);
    SAME_AS_LIBC("%ju", UINTMAX_MAX);
    SAME_AS_LIBC("%td", (ptrdiff_t)-5);
    SAME_AS_LIBC("%tx", (ptrdiff_t)0x7f);
    SAME_AS_LIBC("%d %lld %hhu %s", 1, 2LL, 3, "four");
}

static void test_printf_strings(void **state)
{
    const char abc[3] = { 'a', 'b', 'c' };     /* no NUL */

    SAME_AS_LIBC("%s", "hello");
    SAME_AS_LIBC("[%10s]", "hello");
    SAME_AS_LIBC("[%-10s]", "hello");
    SAME_AS_LIBC("[%.3s]", "hello");
    SAME_AS_LIBC("[%.10s]", "hello");
    SAME_AS_LIBC("[%8.2s]", "hello");
    SAME_AS_LIBC("[%.*s]", 2, "hello");
    SAME_AS_LIBC("[%.*s]", -1, "hello");
    SAME_AS_LIBC("[%*s]", -7, "hi");
    SAME_AS_LIBC("[%s]", "");
    SAME_AS_LIBC("%c%c%c", 'a', 'b', 'c');
    SAME_AS_LIBC("[%3c]", 'x');
    SAME_AS_LIBC("[%-3c]", 'x');
    SAME_AS_LIBC("100%% sure");
    /* A precision bounds the read: abc has no terminator (ASan watches). */
    FORMATS_AS("[abc]", "[%.3s]", abc);
    FORMATS_AS("[ab]", "[%.*s]", 2, abc);
    UNCHECKED_AS("(null)", "%s", (char *)NULL);
    UNCHECKED_AS("[  (null)]", "[%8s]", (char *)NULL);
    UNCHECKED_AS("[(nu]", "[%.3s]", (char *)NULL);
}

static void test_printf_pointer(void **state)
{
    FORMATS_AS("0x0000000000001234", "%p", (void *)0x1234);
    FORMATS_AS("0x0000000000000000", "%p", NULL);
    FORMATS_AS("0xffff800000000000", "%p", (void *)0xffff800000000000ULL);
    FORMATS_AS("[  0x00000000000000ff]", "[%20p]", (void *)0xff);
    FORMATS_AS("[0x00000000000000ff  ]", "[%-20p]", (void *)0xff);
}

static void test_printf_truncation(void **state)
{
    char buf[16];

    /* size 0: nothing written (buf may be NULL), the full length returned. */
    assert_int_equal(snprintf(NULL, 0, "hello %d", 12345), 11);

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 1, "hello"), 5);
    assert_string_equal(buf, "");
    assert_int_equal(buf[1], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 5, "hello world"), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 6, "hello"), 5);    /* exactly fits */
    assert_string_equal(buf, "hello");
    assert_int_equal(buf[6], 'X');

    memset(buf, 'X', sizeof(buf));
    assert_int_equal(snprintf(buf, 4, "%08x", 0xabcu), 8);
    assert_string_equal(buf, "000");
    assert_int_equal(buf[4], 'X');

    /* A width far larger than the buffer still counts every character. */
    assert_int_equal(snprintf(buf, sizeof(buf), "%5000d", 1), 5000);
    assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static void test_printf_unknown_conversion(void **state)
{
    char buf[64];
    const char *q = "%q|%5k|abc%";

    assert_int_equal(fmt_unchecked(buf, sizeof(buf), q), 11);
    assert_string_equal(buf, "%q|%5k|abc%");

    /* The argument list is not consumed by an unknown conversion. */
    fmt_unchecked(buf, sizeof(buf), "%w %d", 42);
    assert_string_equal(buf, "%w 42");

    fmt_unchecked(buf, sizeof(buf), "tail %-5");
    assert_string_equal(buf, "tail %-5");
}

/* ---- parse_u64 --------------------------------------------------------- */

struct num_case {
    const char *s;
    bool suffix;
    int rc;
    uint64_t v;
};

static void test_parse_u64(void **state)
{
    static const struct num_case cases[] = {
        { "0", false, 0, 0 },
        { "123", false, 0, 123 },
        { "0x1f", false, 0, 0x1f },
        { "0X1F", false, 0, 0x1f },
        { "0xDeadBeef", false, 0, 0xdeadbeef },
        { "017", false, 0, 15 },
        { "00", false, 0, 0 },
        { "08", false, -EINVAL, 0 },
        { "", false, -EINVAL, 0 },
        { "0x", false, -EINVAL, 0 },
        { "12a", false, -EINVAL, 0 },
        { "-1", false, -EINVAL, 0 },
        { "+1", false, -EINVAL, 0 },
        { " 1", false, -EINVAL, 0 },
        { "1 ", false, -EINVAL, 0 },
        { "0xg", false, -EINVAL, 0 },
        { "18446744073709551615", false, 0, UINT64_MAX },
        { "18446744073709551616", false, -ERANGE, 0 },
        { "99999999999999999999", false, -ERANGE, 0 },
        { "0xffffffffffffffff", false, 0, UINT64_MAX },
        { "0x10000000000000000", false, -ERANGE, 0 },
        { "01777777777777777777777", false, 0, UINT64_MAX },
        { "4K", true, 0, 4096 },
        { "4k", true, 0, 4096 },
        { "2M", true, 0, 2 << 20 },
        { "3g", true, 0, 3ULL << 30 },
        { "0x10M", true, 0, 16ULL << 20 },
        { "4K", false, -EINVAL, 0 },
        { "K", true, -EINVAL, 0 },
        { "4KK", true, -EINVAL, 0 },
        { "4T", true, -EINVAL, 0 },
        { "17179869183G", true, 0, 17179869183ULL << 30 },
        { "17179869184G", true, -ERANGE, 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct num_case *c = &cases[i];
        uint64_t v = 0x1234;
        int rc = parse_u64(c->s, strlen(c->s), c->suffix, &v);

        if (rc != c->rc)
            fail_msg("parse_u64(\"%s\") = %d, want %d", c->s, rc, c->rc);
        if (rc == 0 && v != c->v)
            fail_msg("parse_u64(\"%s\") gave %llu, want %llu", c->s,
                     (unsigned long long)v, (unsigned long long)c->v);
        if (rc != 0 && v != 0x1234)
            fail_msg("parse_u64(\"%s\") changed the output on error", c->s);
    }
}

static void test_parse_u64_len(void **state)
{
    char *exact = malloc(3);        /* "123" without a terminator */
    uint64_t v;

    memcpy(exact, "123", 3);
    assert_int_equal(parse_u64(exact, 3, true, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(parse_u64("456789", 2, false, &v), 0);
    assert_int_equal(v, 45);
    assert_int_equal(parse_u64("12\0" "3", 4, false, &v), -EINVAL);
    free(exact);
}

/* ---- sort ---------------------------------------------------------------- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

struct rec3 {
    unsigned char key, a, b;
};

static int cmp_rec3(const void *a, const void *b)
{
    const struct rec3 *x = a, *y = b;

    return (int)x->key - (int)y->key;
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void test_sort_ints(void **state)
{
    int a[300], ref[300];

    for (size_t n = 0; n <= 300; n += (n < 20 ? 1 : 37)) {
        for (int pattern = 0; pattern < 4; pattern++) {
            for (size_t i = 0; i < n; i++) {
                switch (pattern) {
                case 0: a[i] = (int)(rng() % 50) - 25; break;     /* many equal keys */
                case 1: a[i] = (int)i; break;                     /* sorted */
                case 2: a[i] = (int)(n - i); break;               /* reversed */
                default: a[i] = (int)rng(); break;
                }
                ref[i] = a[i];
            }
            qsort(ref, n, sizeof(int), cmp_int);
            sort(a, n, sizeof(int), cmp_int);
            if (n)
                assert_memory_equal(a, ref, n * sizeof(int));
        }
    }
}

static void test_sort_odd_element_size(void **state)
{
    struct rec3 r[64];
    unsigned int sum = 0, after = 0;

    for (size_t i = 0; i < 64; i++) {
        r[i].key = (unsigned char)rng();
        r[i].a = (unsigned char)i;
        r[i].b = (unsigned char)(r[i].key ^ r[i].a);
        sum += r[i].a;
    }
    sort(r, 64, sizeof(r[0]), cmp_rec3);
    for (size_t i = 0; i < 64; i++) {
        if (i > 0)
            assert_true(r[i - 1].key <= r[i].key);
        /* Records move whole: every payload still matches its key. */
        assert_int_equal(r[i].b, r[i].key ^ r[i].a);
        after += r[i].a;
    }
    assert_int_equal(after, sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memset),
        cmocka_unit_test(test_memcpy),
        cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_strlen_strnlen),
        cmocka_unit_test(test_strcmp_strncmp),
        cmocka_unit_test(test_strchr),
        cmocka_unit_test(test_strlcpy),
        cmocka_unit_test(test_printf_integers),
        cmocka_unit_test(test_printf_flags),
        cmocka_unit_test(test_printf_lengths),
        cmocka_unit_test(test_printf_strings),
        cmocka_unit_test(test_printf_pointer),
        cmocka_unit_test(test_printf_truncation),
        cmocka_unit_test(test_printf_unknown_conversion),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_u64_len),
        cmocka_unit_test(test_sort_ints),
        cmocka_unit_test(test_sort_odd_element_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

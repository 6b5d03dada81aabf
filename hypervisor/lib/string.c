/*
 * Freestanding string and memory functions.
 *
 * The compiler may emit calls to memset/memcpy/memmove/memcmp on its own
 * (struct copies, zeroing), so these must exist and must not recurse into
 * themselves: they are written as plain loops, copying a word at a time
 * when both pointers allow it.
 */
#include <keel/lib.h>

/* A uint64_t that may alias any other type (word-at-a-time copies). */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)

static inline bool word_aligned(const void *p)
{
    return ((uintptr_t)p & (WORD_SIZE - 1)) == 0;
}

void *memset(void *s, int c, size_t n)
{
    unsigned char *p = s;
    unsigned char b = (unsigned char)c;

    while (n && !word_aligned(p)) {
        *p++ = b;
        n--;
    }
    if (n >= WORD_SIZE) {
        word_t w = b * 0x0101010101010101ULL;
        for (; n >= WORD_SIZE; n -= WORD_SIZE, p += WORD_SIZE)
            *(word_t *)p = w;
    }
    while (n--)
        *p++ = b;
    return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (word_aligned(d) && word_aligned(s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE)
            *(word_t *)d = *(const word_t *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* A forward copy is safe unless dst starts inside [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n)
        return memcpy(dst, src, n);

    d += n;
    s += n;
    if (word_aligned(d) && word_aligned(s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE) {
            d -= WORD_SIZE;
            s -= WORD_SIZE;
            *(word_t *)d = *(const word_t *)s;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n; n--, p++, q++) {
        if (*p != *q)
            return *p < *q ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, SIZE_MAX);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

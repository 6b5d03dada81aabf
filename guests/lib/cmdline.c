/*
 * The guest command line (start_info cmdline, Keel's text after "--"):
 * space-separated words, key=value or bare.
 */
#include "guest.h"

/* The word starting at s ends at the next space or NUL. */
static size_t word_len(const char *s)
{
    size_t n = 0;

    while (s[n] && s[n] != ' ')
        n++;
    return n;
}

/* The first word named key (bare or key=...); NULL if none. */
static const char *find_word(const char *key)
{
    size_t klen = strlen(key);

    for (const char *s = boot.cmdline; *s;) {
        while (*s == ' ')
            s++;
        size_t n = word_len(s);
        if (n >= klen && !strncmp(s, key, klen) && (n == klen || s[klen] == '='))
            return s;
        s += n;
    }
    return NULL;
}

bool cmdline_has(const char *word)
{
    return find_word(word) != NULL;
}

bool cmdline_get(const char *key, char *val, size_t len)
{
    const char *w = find_word(key);
    size_t klen = strlen(key);

    if (!w || w[klen] != '=' || len == 0)
        return false;
    const char *v = w + klen + 1;
    size_t n = word_len(v);
    if (n >= len)
        n = len - 1;
    memcpy(val, v, n);
    val[n] = '\0';
    return true;
}

uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
    char v[24];
    uint64_t n = 0;
    unsigned int base = 10;
    const char *p = v;

    if (!cmdline_get(key, v, sizeof(v)) || !v[0])
        return dflt;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (; *p; p++) {
        unsigned int d;

        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return dflt;        /* not a number: the default, not half of one */
        n = n * base + d;
    }
    return n;
}

/*
 * glibc gained strlcpy in 2.38 (Debian 12 has 2.36); the hypervisor's own
 * is in lib/string.c, which cannot be linked next to libc.  For host
 * builds of code that uses it.
 */
#include <string.h>

#include <keel/lib.h>

#if !defined(__GLIBC__) || __GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38)
size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}
#endif

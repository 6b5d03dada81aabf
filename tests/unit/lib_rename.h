/*
 * Force-included (gcc -include) into test_lib and every source linked into
 * it: the hypervisor's string and printf functions are built as keel_*, so
 * that they can be tested on the host beside libc's own.
 *
 * libc's headers are included first, under the real names, so that their
 * declarations stay libc's; everything after this file that says memcpy,
 * snprintf, ... (the lib sources, the test, the harness) means keel_*.
 * host_snprintf() reaches libc's printf, as the reference to compare with.
 */
#ifndef UNIT_LIB_RENAME_H
#define UNIT_LIB_RENAME_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline __attribute__((format(printf, 3, 4), unused))
int host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

#define memset    keel_memset
#define memcpy    keel_memcpy
#define memmove   keel_memmove
#define memcmp    keel_memcmp
#define strlen    keel_strlen
#define strnlen   keel_strnlen
#define strcmp    keel_strcmp
#define strncmp   keel_strncmp
#define strchr    keel_strchr
#define strlcpy   keel_strlcpy
#define vsnprintf keel_vsnprintf
#define snprintf  keel_snprintf

/* Declares the keel_* functions for the files that use them without
 * including it themselves (the harness). */
#include <keel/lib.h>

#endif

/* Freestanding C library subset (hypervisor/lib/). */
#ifndef KEEL_LIB_H
#define KEEL_LIB_H

#include <keel/compiler.h>
#include <keel/types.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parse an unsigned number: decimal, 0x hex or 0 octal, with an optional
 * K/M/G suffix when allow_suffix is set.  Returns 0 and stores the value, or
 * -EINVAL (not a number, trailing junk) / -ERANGE (overflow).
 */
int parse_u64(const char *s, size_t len, bool allow_suffix, uint64_t *out);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* In-place heap sort (no allocation); cmp returns <0, 0, >0. */
void sort(void *base, size_t n, size_t size,
          int (*cmp)(const void *, const void *));

#endif

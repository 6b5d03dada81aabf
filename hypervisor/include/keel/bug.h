/* Assertions for broken invariants. */
#ifndef KEEL_BUG_H
#define KEEL_BUG_H

#include <keel/compiler.h>

void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)
#define ASSERT(c) BUG_ON(!(c))

#endif

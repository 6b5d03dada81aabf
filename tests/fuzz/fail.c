/* How every target reports a broken invariant: a message, then abort()
 * (a crash to libFuzzer, which keeps the input). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/include/harness.h"
#include "fuzz.h"

void fz_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "\nFUZZ INVARIANT BROKEN: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n--- hypervisor log of this input ---\n%s\n", harness_log());
    abort();
}

/*
 * Test reports.  A guest test ends with exactly one line "TEST PASS" or
 * "TEST FAIL: why" (Keel shows it as "(NAME) TEST PASS"), then powers off;
 * the boot scenarios match that line.
 */
#include <public/sched.h>

#include "guest.h"

static unsigned int checks, failures;
static char first_failure[160];

noreturn void test_pass(void)
{
    printf("TEST PASS\n");
    guest_shutdown(SHUTDOWN_poweroff);
}

static noreturn void fail_and_shutdown(unsigned int reason, const char *fmt, va_list ap)
{
    char why[256];

    vsnprintf(why, sizeof(why), fmt, ap);
    printf("TEST FAIL: %s\n", why);
    guest_shutdown(reason);
}

noreturn void test_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_and_shutdown(SHUTDOWN_poweroff, fmt, ap);
}

noreturn void guest_crash(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_and_shutdown(SHUTDOWN_crash, fmt, ap);
}

static bool record(bool ok, const char *what)
{
    checks++;
    if (ok) {
        printf("ok: %s\n", what);
        return true;
    }
    failures++;
    printf("MISMATCH: %s\n", what);
    if (failures == 1)
        strncpy_z(first_failure, what, sizeof(first_failure));
    return false;
}

bool check(bool ok, const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return record(ok, what);
}

bool check_ret(long got, long want, const char *fmt, ...)
{
    char what[200], desc[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    if (got == want)
        snprintf(what, sizeof(what), "%s = %ld", desc, got);
    else
        snprintf(what, sizeof(what), "%s = %ld, want %ld", desc, got, want);
    return record(got == want, what);
}

void require_ret(long got, long want, const char *fmt, ...)
{
    char desc[160];
    va_list ap;

    if (got == want)
        return;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    test_fail("%s = %ld, want %ld", desc, got, want);
}

noreturn void test_finish(void)
{
    if (failures)
        test_fail("%u of %u checks failed; first: %s", failures, checks, first_failure);
    test_pass();
}

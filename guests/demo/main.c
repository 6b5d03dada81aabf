/*
 * demo: what `make run` shows.  Prints a numbered line every ms=
 * milliseconds (default 400), ticks= times (default 10), so that two demo
 * domains side by side visibly interleave on the console, then powers off.
 */
#include "guest.h"
#include <public/sched.h>

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    unsigned int ticks = cmdline_u64("ticks", 10);
    uint64_t ms = cmdline_u64("ms", 400);
    char msg[64];

    if (!cmdline_get("msg", msg, sizeof(msg)))
        strncpy_z(msg, "hello from a Keel domain", sizeof(msg));
    for (unsigned int i = 1; i <= ticks; i++) {
        printf("%s (%u/%u)\n", msg, i, ticks);
        delay_ms(ms);
    }
    printf("done, powering off\n");
    guest_shutdown(SHUTDOWN_poweroff);
}

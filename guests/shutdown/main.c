/*
 * shutdown: boots, says so, and shuts down with the reason its command line
 * names: reason=poweroff|reboot|suspend|crash|watchdog|soft_reset or a
 * number (default poweroff).  No TEST line: the scenarios judge Keel's
 * "shutdown reason=R" lines and what follows them (restart, destroy).
 */
#include "guest.h"
#include <public/sched.h>

static unsigned int parse_reason(const char *s)
{
    for (unsigned int r = 0; r <= SHUTDOWN_MAX; r++)
        if (!strcmp(s, shutdown_reason_name(r)))
            return r;
    return cmdline_u64("reason", SHUTDOWN_poweroff);   /* a number, or poweroff */
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    char name[16] = "poweroff";

    cmdline_get("reason", name, sizeof(name));
    unsigned int reason = parse_reason(name);
    printf("shutdown: booted; asking for shutdown reason=%s (%u)\n",
           shutdown_reason_name(reason), reason);
    guest_shutdown(reason);
}

/*
 * Leaving: SCHEDOP_shutdown with a reason.
 */
#include <public/sched.h>

#include "guest.h"

/* QEMU's isa-debug-exit (the boot tests' machine has one at 0xf4): only
 * used in bare mode, where there is no hypervisor to ask. */
#define DEBUG_EXIT_PORT 0xf4

const char *shutdown_reason_name(unsigned int reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff",
        [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend",
        [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog",
        [SHUTDOWN_soft_reset] = "soft_reset",
    };

    return reason < ARRAY_SIZE(names) ? names[reason] : "unknown";
}

noreturn void guest_shutdown(unsigned int reason)
{
    if (xen.present) {
        struct sched_shutdown s = { .reason = reason };
        long rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);

        /* Only SHUTDOWN_suspend may come back (resumed or cancelled). */
        e9_printf("SCHEDOP_shutdown(%s) returned %ld; halting\n",
                  shutdown_reason_name(reason), rc);
    } else {
        e9_printf("no hypervisor: shutdown reason=%s; isa-debug-exit\n",
                  shutdown_reason_name(reason));
        outl(DEBUG_EXIT_PORT, reason);
    }
    halt_forever();
}

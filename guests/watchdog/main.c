/*
 * watchdog: SCHEDOP_watchdog as Linux's xen_wdt uses it.  Checks Xen's
 * answers (ids 1 and 2, -ENOSPC for a third, -EINVAL for an id out of
 * range or not in use, a timeout of 0 frees an id), pets watchdog 1 (2 s)
 * every 500 ms for 4 s, so it must not fire, then stops petting: it
 * prints "watchdog: stuck" and spins with interrupts off for good, so
 * that only the hypervisor can end it (the watchdog fires: reason
 * watchdog) and only the hypervisor's preemption lets other domains on
 * the same CPU run meanwhile.
 */
#include "guest.h"
#include <public/sched.h>

#define TIMEOUT_S   2
#define PET_MS      500
#define PETS        8

static long watchdog(uint32_t id, uint32_t timeout)
{
    struct sched_watchdog w = { .id = id, .timeout = timeout };
    return HYPERVISOR_sched_op(SCHEDOP_watchdog, &w);
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;

    check_ret(watchdog(3, TIMEOUT_S), -XEN_EINVAL, "id 3 (only 1 and 2 exist)");
    check_ret(watchdog(1, TIMEOUT_S), -XEN_EINVAL, "pet id 1 before it exists");
    check_ret(watchdog(0, TIMEOUT_S), 1, "new watchdog");
    check_ret(watchdog(0, 600), 2, "second watchdog");
    check_ret(watchdog(0, 600), -XEN_ENOSPC, "third watchdog");
    check_ret(watchdog(2, 0), 0, "stop watchdog 2");
    check_ret(watchdog(2, 600), -XEN_EINVAL, "pet a stopped watchdog");
    check_ret(HYPERVISOR_sched_op(SCHEDOP_watchdog, (void *)8), -XEN_EFAULT, "bad pointer");

    for (unsigned int i = 1; i <= PETS; i++) {
        delay_ms(PET_MS);
        check_ret(watchdog(1, TIMEOUT_S), 0, "pet %u", i);
    }
    printf("watchdog: petted for %u ms, still alive\n", PETS * PET_MS);
    printf("watchdog: stuck\n");
    asm volatile("cli; 1: jmp 1b");
    __builtin_unreachable();
}

/* Domain watchdogs: SCHEDOP_watchdog (common/watchdog.c). */
#ifndef KEEL_WATCHDOG_H
#define KEEL_WATCHDOG_H

#include <keel/timer.h>
#include <keel/types.h>

#define WATCHDOG_TIMERS 2           /* per domain, as Xen's NR_DOMAIN_WATCHDOG_TIMERS */

struct domain;

struct domain_watchdog {
    struct timer timer;
    struct domain *domain;
    uint32_t timeout;               /* seconds, as last armed */
    bool in_use;
};

void watchdog_domain_init(struct domain *d);
void watchdog_domain_destroy(struct domain *d);     /* waits for a running callback */
/* SCHEDOP_watchdog: a new id, 0, or -EINVAL / -ENOSPC (see watchdog.c). */
long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout);
/* Debug key 'q': the watchdogs in use. */
void watchdog_dump(struct domain *d);

#endif

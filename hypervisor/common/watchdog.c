/*
 * Domain watchdogs (SCHEDOP_watchdog, as Linux's xen_wdt uses them): up to
 * WATCHDOG_TIMERS per domain, each a timer the guest must keep re-arming
 * ("petting").  One that expires shuts the domain down with reason
 * watchdog, which the on_crash action handles.  Xen 4.17's semantics:
 *   id 0          a new watchdog firing in `timeout` s: returns its id
 *                 (1 .. WATCHDOG_TIMERS), or -ENOSPC when all are in use;
 *   id N, t > 0   re-arm watchdog N for t s from now;
 *   id N, t = 0   stop it and free the id;
 *   an id that is not in use -EINVAL, an id above WATCHDOG_TIMERS -EINVAL.
 * The timers run on CPU 0 (any CPU would do: they only shut the domain down).
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/time.h>
#include <keel/watchdog.h>

static void watchdog_expired(void *data)
{
    struct domain_watchdog *w = data;
    struct domain *d = w->domain;

    if (d->state != DOMAIN_RUNNING)
        return;
    pr_info("d%u %s: watchdog %u fired (not petted for %u s)\n", d->domain_id, d->name,
            (unsigned int)(w - d->watchdogs) + 1, w->timeout);
    domain_shutdown(d, SHUTDOWN_WATCHDOG);
}

void watchdog_domain_init(struct domain *d)
{
    spin_lock_init(&d->watchdog_lock);
    for (unsigned int i = 0; i < WATCHDOG_TIMERS; i++) {
        d->watchdogs[i] = (struct domain_watchdog){ .domain = d };
        init_timer(&d->watchdogs[i].timer, watchdog_expired, &d->watchdogs[i], 0);
    }
}

void watchdog_domain_destroy(struct domain *d)
{
    for (unsigned int i = 0; i < WATCHDOG_TIMERS; i++)
        kill_timer(&d->watchdogs[i].timer);
}

static void arm(struct domain_watchdog *w, uint32_t timeout)
{
    w->timeout = timeout;
    set_timer(&w->timer, NOW() + SECONDS((s_time_t)timeout));
}

long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
    unsigned long flags;
    long rc = 0;

    if (id > WATCHDOG_TIMERS)
        return -EINVAL;
    spin_lock_irqsave(&d->watchdog_lock, flags);
    if (id == 0) {
        rc = -ENOSPC;
        for (unsigned int i = 0; i < WATCHDOG_TIMERS; i++) {
            if (!d->watchdogs[i].in_use) {
                d->watchdogs[i].in_use = true;
                arm(&d->watchdogs[i], timeout);
                rc = i + 1;
                break;
            }
        }
    } else {
        struct domain_watchdog *w = &d->watchdogs[id - 1];
        if (!w->in_use) {
            rc = -EINVAL;
        } else if (timeout == 0) {
            stop_timer(&w->timer);
            w->in_use = false;
        } else {
            arm(w, timeout);
        }
    }
    spin_unlock_irqrestore(&d->watchdog_lock, flags);
    return rc;
}

void watchdog_dump(struct domain *d)
{
    s_time_t now = NOW();

    for (unsigned int i = 0; i < WATCHDOG_TIMERS; i++) {
        const struct domain_watchdog *w = &d->watchdogs[i];
        if (w->in_use)
            printk("    watchdog %u: %u s, fires in %ld ms\n", i + 1, w->timeout,
                   (long)((w->timer.expires - now) / 1000000));
    }
}

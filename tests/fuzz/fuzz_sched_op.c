/*
 * sched_op (hypercall 29): yield, block, poll (port lists of every size,
 * bad ports, pending and masked ports, timeouts that fire when time
 * passes), shutdown and shutdown_code with every reason, remote_shutdown
 * of other domains, watchdogs (ids in and out of range, timeouts of 0 and
 * more), and the sub-ops Keel does not have.  Scheduling
 * itself is faked (fake_sched.c: blocking sets a flag); a blocked vCPU
 * makes no calls until an event or its timeout wakes it.  Beyond the
 * world's checks: a domain shut down says why, with the reason asked for;
 * a poll that returns at once (an error, a port already pending) leaves
 * no timeout armed (Xen sets it only when the vCPU really waits: a stale
 * one would end a later poll that has no timeout).
 */
#include <string.h>

#include <keel/errno.h>
#include <keel/watchdog.h>
#include <public/sched.h>
#include "fuzz.h"

#define MAX_PORTS 8

static const int errs[] = { EFAULT, EINVAL, ESRCH, EPERM, ENOSYS, ENOSPC, 0 };

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    bool compat = who & 0x80;
    unsigned int cmd = sel < 0xf0 ? sel % 9 : fz_u32(in);
    uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
    uint32_t reason = fz_u8(in) < 0xf0 ? fz_u8(in) % 7 : fz_u32(in);
    uint8_t raw[24];
    long rc;

    memset(raw, 0, sizeof(raw));
    switch (cmd) {
    case SCHEDOP_shutdown:
    case SCHEDOP_shutdown_code:
        memcpy(raw, &reason, sizeof(reason));
        break;
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown r = { .domain_id = fz_domid(in), .reason = reason };
        memcpy(raw, &r, sizeof(r));
        break;
    }
    case SCHEDOP_watchdog: {
        struct sched_watchdog w = { .id = fz_u8(in) < 0xf0 ? fz_u8(in) % 4 : fz_u32(in),
                                    .timeout = fz_u8(in) < 0x40 ? 0 : fz_u32(in) };
        memcpy(raw, &w, sizeof(w));
        break;
    }
    case SCHEDOP_poll: {
        uint32_t ports[MAX_PORTS];
        unsigned int n = fz_below(in, MAX_PORTS + 1);
        uint64_t list = fz_gva(in, FZ_VA_LIST, compat);
        uint32_t nr = fz_u8(in) < 0xf0 ? n : fz_u32(in);
        uint64_t timeout = fz_u8(in) < 0x80 ? 0 : 1000000000ULL + fz_u32(in);
        for (unsigned int i = 0; i < n; i++)
            ports[i] = fz_u8(in) < 0xf0 ? fz_u8(in) % 80 : fz_u32(in);
        if (!fz_set_current(who, who >> 2))
            return;
        fz_guest_write(list, ports, n * sizeof(ports[0]));
        if (compat) {
            struct compat_sched_poll p = { .ports = (uint32_t)list, .nr_ports = nr,
                                           .timeout = timeout };
            memcpy(raw, &p, sizeof(p));
        } else {
            struct sched_poll p = { .ports = list, .nr_ports = nr, .timeout = timeout };
            memcpy(raw, &p, sizeof(p));
        }
        break;
    }
    default:
        fz_bytes(in, raw, sizeof(raw));
        break;
    }
    if (!fz_set_current(who, who >> 2))
        return;
    struct domain *d = current->domain;
    struct vcpu *v = current;
    bool armed = v->poll_timer.active;
    fz_guest_write(arg, raw, sizeof(raw));
    rc = fz_hypercall(__HYPERVISOR_sched_op, (unsigned long[5]){ cmd, arg }, compat);
    fz_check_rc("sched_op", rc, errs);
    /* Only a new watchdog's id (1 or 2) is a positive result. */
    if (rc > (cmd == SCHEDOP_watchdog ? WATCHDOG_TIMERS : 0))
        fz_fail("sched_op %u: %ld", cmd, rc);
    if (cmd == SCHEDOP_watchdog && rc > 0 && !d->watchdogs[rc - 1].in_use)
        fz_fail("SCHEDOP_watchdog gave id %ld, which is not in use", rc);
    if (cmd == SCHEDOP_poll && !v->blocked && v->poll_timer.active && !armed)
        fz_fail("SCHEDOP_poll returned at once (%ld) with its timeout armed", rc);
    if (cmd == SCHEDOP_shutdown && rc == 0 &&
        (d->state != DOMAIN_SHUTDOWN || d->shutdown_reason > SHUTDOWN_WATCHDOG))
        fz_fail("SCHEDOP_shutdown: success, domain state %u reason %u", d->state,
                d->shutdown_reason);
}

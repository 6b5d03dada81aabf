/*
 * SCHEDOP_*: the calling vCPU gives up the CPU (yield), waits (block, poll
 * with a timeout) or ends its domain (shutdown), and the domain's
 * watchdogs (common/watchdog.c).  Xen's semantics and error codes;
 * operations on other domains are for the control domain.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/schedule.h>
#include <keel/timer.h>
#include <public/sched.h>

#define POLL_MAX_PORTS   128        /* Xen's limit for SCHEDOP_poll */
#define EVTCHN_2L_PORTS  4096       /* 2-level ABI on 64-bit: valid ports */

/* A poll's timeout: only a poll still waiting ends here (a stale timer
 * wakes nothing). */
static void poll_timeout(void *data)
{
    struct vcpu *v = data;

    if (__atomic_exchange_n(&v->poll_port, POLL_NONE, __ATOMIC_SEQ_CST) != POLL_NONE)
        vcpu_unblock(v);
}

void sched_poll_init(struct vcpu *v, unsigned int cpu)
{
    init_timer(&v->poll_timer, poll_timeout, v, cpu);
    v->poll_port = POLL_NONE;
}

static long sched_shutdown(struct vcpu *v, uint64_t arg, bool code_only)
{
    struct sched_shutdown s;

    if (copy_from_guest(&s, arg, sizeof(s)) < 0)
        return -EFAULT;
    if (s.reason > SHUTDOWN_watchdog)
        return -EINVAL;             /* suspend/soft reset need a toolstack */
    if (code_only)
        return 0;                   /* the reason is reported at shutdown anyway */
    domain_shutdown(v->domain, (enum shutdown_reason)s.reason);
    return 0;
}

static long sched_poll(struct vcpu *v, uint64_t arg, bool compat)
{
    uint64_t ports, timeout;
    unsigned int nr_ports;

    if (compat) {
        struct compat_sched_poll p;
        if (copy_from_guest(&p, arg, sizeof(p)) < 0)
            return -EFAULT;
        ports = p.ports, nr_ports = p.nr_ports, timeout = p.timeout;
    } else {
        struct sched_poll p;
        if (copy_from_guest(&p, arg, sizeof(p)) < 0)
            return -EFAULT;
        ports = p.ports, nr_ports = p.nr_ports, timeout = p.timeout;
    }
    if (nr_ports > POLL_MAX_PORTS)
        return -EINVAL;
    /*
     * Block, then say what we poll, then look, then arm the timeout, as
     * Xen does: a waker (an event, evtchn_check_pollers, or the timer)
     * that sees poll_port finds the vCPU already blocked, and an event
     * raised before that is found by the look.  Arming the timer any
     * earlier loses the wake-up of a timeout already past that fires on
     * another CPU before poll_port is set.  The first port read decides
     * what wakes the vCPU if there is only one.
     */
    int want = POLL_ANY;
    if (nr_ports == 1) {
        uint32_t port;
        if (copy_from_guest(&port, ports, sizeof(port)) < 0)
            return -EFAULT;
        if (port >= EVTCHN_2L_PORTS)
            return -EINVAL;
        want = (int)port;
    }
    vcpu_block(v);
    __atomic_store_n(&v->poll_port, want, __ATOMIC_SEQ_CST);
    /*
     * A waker that came between the two saw the vCPU blocked but not
     * polling: it is being woken, so the poll ends here (as Xen's does);
     * armed, it would outlive the wake-up.
     */
    if (!__atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST)) {
        __atomic_store_n(&v->poll_port, POLL_NONE, __ATOMIC_SEQ_CST);
        return 0;
    }
    for (unsigned int i = 0; i < nr_ports; i++) {
        uint32_t port;
        long rc = 0;
        if (copy_from_guest(&port, ports + i * sizeof(port), sizeof(port)) < 0)
            rc = -EFAULT;
        else if (port >= EVTCHN_2L_PORTS)
            rc = -EINVAL;
        /*
         * An event already there (masked or not) ends the poll at once;
         * like Xen, later ports are then not even looked at.
         */
        else if (evtchn_port_is_pending(v->domain, port))
            rc = 1;
        if (rc) {
            __atomic_store_n(&v->poll_port, POLL_NONE, __ATOMIC_SEQ_CST);
            vcpu_unblock(v);
            return rc < 0 ? rc : 0;
        }
    }
    if (timeout)
        set_timer(&v->poll_timer, (s_time_t)timeout);
    return 0;
}

long do_sched_op(struct hypercall_args *args)
{
    struct vcpu *v = current;
    /* Xen's prototype is (int cmd, void *arg): a 64-bit caller's garbage in
     * the upper half of the command does not count. */
    int cmd = (int)(uint32_t)args->a[0];
    uint64_t arg = args->a[1];

    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield(v);
        return 0;
    case SCHEDOP_block:
        /* Until an event: one already pending means no wait at all. */
        vcpu_block(v);
        if (evtchn_upcall_pending(v))
            vcpu_unblock(v);
        return 0;
    case SCHEDOP_shutdown:
        return sched_shutdown(v, arg, false);
    case SCHEDOP_shutdown_code:
        return sched_shutdown(v, arg, true);
    case SCHEDOP_poll:
        return sched_poll(v, arg, args->compat);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown r;
        if (copy_from_guest(&r, arg, sizeof(r)) < 0)
            return -EFAULT;
        struct domain *d = domain_get(r.domain_id);
        long rc = 0;
        if (!d)
            return -ESRCH;
        if (!v->domain->is_privileged)
            rc = -EPERM;
        else if (r.reason > SHUTDOWN_watchdog)
            rc = -EINVAL;
        else
            domain_shutdown(d, (enum shutdown_reason)r.reason);
        domain_put(d);
        return rc;
    }
    case SCHEDOP_watchdog: {
        struct sched_watchdog w;
        if (copy_from_guest(&w, arg, sizeof(w)) < 0)
            return -EFAULT;
        return domain_watchdog(v->domain, w.id, w.timeout);
    }
    case SCHEDOP_pin_override:
        return v->domain->is_privileged ? -ENOSYS : -EPERM;
    default:
        return -ENOSYS;
    }
}

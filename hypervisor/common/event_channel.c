/*
 * Event channels, 2-level ABI: the port table of each domain, the
 * EVTCHNOP_* operations with Xen 4.17's semantics and error codes, and
 * delivery into the guest's shared_info / vcpu_info.  See keel/event.h for
 * the model, the lock order and the lifetime rules.
 */
#include <keel/bug.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <keel/xmalloc.h>

/* Serialises making and breaking interdomain connections; see event.h. */
static DEFINE_SPINLOCK(evtchn_global_lock);

#define BITS_PER_WORD 64

/* ---- the arch hook ------------------------------------------------------ */

/*
 * Default: nothing to do.  The arch overrides this with a strong
 * definition that injects the upcall / kicks the vCPU; until then the
 * pending state is still recorded in shared_info for the guest to find.
 */
__attribute__((weak)) void evtchn_notify_vcpu(struct vcpu *v)
{
    (void)v;
}

/* ---- guest-shared bitmaps ------------------------------------------------ */

/*
 * All accesses to the guest-writable page are single atomic operations on
 * naturally aligned words: a guest racing with us can change what it sees,
 * never what we do.
 */
static bool bit_test_and_set(uint64_t *words, unsigned int bit)
{
    uint64_t m = 1ULL << (bit % BITS_PER_WORD);
    return __atomic_fetch_or(&words[bit / BITS_PER_WORD], m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test_and_clear(uint64_t *words, unsigned int bit)
{
    uint64_t m = 1ULL << (bit % BITS_PER_WORD);
    return __atomic_fetch_and(&words[bit / BITS_PER_WORD], ~m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test(uint64_t *words, unsigned int bit)
{
    uint64_t m = 1ULL << (bit % BITS_PER_WORD);
    return __atomic_load_n(&words[bit / BITS_PER_WORD], __ATOMIC_SEQ_CST) & m;
}

static void bit_clear(uint64_t *words, unsigned int bit)
{
    (void)bit_test_and_clear(words, bit);
}

/* ---- the port table ------------------------------------------------------ */

static struct vcpu *domain_vcpu(struct domain *d, unsigned int id)
{
    if (id >= d->max_vcpus || id >= MAX_VIRT_CPUS)
        return NULL;
    return d->vcpu[id];
}

static bool port_is_valid(const struct domain *d, evtchn_port_t port)
{
    return port < d->evtchn.nr_ports;
}

/* The port's entry, or NULL when its bucket was never allocated (free). */
static struct evtchn *port_entry(struct domain *d, evtchn_port_t port)
{
    struct evtchn *b = d->evtchn.bucket[port / EVTCHN_PER_BUCKET];
    return b ? &b[port % EVTCHN_PER_BUCKET] : NULL;
}

/* A valid port in a non-free state; NULL otherwise.  Domain lock held. */
static struct evtchn *port_in_use(struct domain *d, evtchn_port_t port)
{
    if (!port_is_valid(d, port))
        return NULL;
    struct evtchn *chn = port_entry(d, port);
    return chn && chn->state != ECS_FREE ? chn : NULL;
}

/*
 * Find the lowest free port (never 0), allocating its bucket if needed.
 * The port stays free until the caller sets its state.  Domain lock held.
 */
static int get_free_port(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;

    if (ed->dying)
        return -EINVAL;
    for (unsigned int port = 1; port < ed->nr_ports; port++) {
        struct evtchn **b = &ed->bucket[port / EVTCHN_PER_BUCKET];
        if (!*b) {
            *b = xzalloc_array(struct evtchn, EVTCHN_PER_BUCKET);
            if (!*b)
                return -ENOMEM;
        }
        if ((*b)[port % EVTCHN_PER_BUCKET].state == ECS_FREE)
            return (int)port;
    }
    return -ENOSPC;
}

static void free_port(struct domain *d, evtchn_port_t port, struct evtchn *chn)
{
    /* A reused port must not look pending; Xen clears it too (mask stays). */
    if (d->evtchn.shared_info)
        bit_clear(d->evtchn.shared_info->evtchn_pending, port);
    *chn = (struct evtchn){ .state = ECS_FREE };
}

/* The domain named by id from caller's point of view (DOMID_SELF). */
static struct domain *lookup_domain(struct domain *caller, domid_t id)
{
    if (id == DOMID_SELF || id == caller->domain_id)
        return caller;
    return domain_by_id(id);
}

static unsigned long lock_domain(struct domain *d)
{
    unsigned long flags;
    spin_lock_irqsave(&d->evtchn.lock, flags);
    return flags;
}

static void unlock_domain(struct domain *d, unsigned long flags)
{
    spin_unlock_irqrestore(&d->evtchn.lock, flags);
}

/* Both domains' locks, lower domain id first; a and b may be the same. */
static unsigned long lock_pair(struct domain *a, struct domain *b)
{
    unsigned long flags;

    local_irq_save(flags);
    if (a == b) {
        spin_lock(&a->evtchn.lock);
    } else if (a->domain_id < b->domain_id) {
        spin_lock(&a->evtchn.lock);
        spin_lock(&b->evtchn.lock);
    } else {
        spin_lock(&b->evtchn.lock);
        spin_lock(&a->evtchn.lock);
    }
    return flags;
}

static void unlock_pair(struct domain *a, struct domain *b, unsigned long flags)
{
    spin_unlock(&a->evtchn.lock);
    if (a != b)
        spin_unlock(&b->evtchn.lock);
    local_irq_restore(flags);
}

/* ---- delivery ------------------------------------------------------------ */

static struct vcpu_info *vcpu_info_of(struct domain *d, unsigned int vcpu_id)
{
    struct evtchn_domain *ed = &d->evtchn;

    if (vcpu_id >= MAX_VIRT_CPUS)
        return NULL;
    struct vcpu_info *vi = __atomic_load_n(&ed->vcpu_info[vcpu_id], __ATOMIC_ACQUIRE);
    if (vi)
        return vi;
    if (ed->shared_info && vcpu_id < XEN_LEGACY_MAX_VCPUS)
        return &ed->shared_info->vcpu_info[vcpu_id];
    return NULL;
}

/*
 * Selector and upcall for a pending, unmasked port: the guest scans
 * evtchn_pending_sel to find the word, so the bit must be set before the
 * upcall is raised.
 */
static void mark_vcpu_pending(struct domain *d, unsigned int vcpu_id, evtchn_port_t port)
{
    struct vcpu_info *vi = vcpu_info_of(d, vcpu_id);
    struct vcpu *v = domain_vcpu(d, vcpu_id);

    if (!vi)
        return;
    if (bit_test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD))
        return;                     /* the guest has yet to scan this word */
    /* Only bit 0 counts, whatever else the guest left in the byte. */
    if (__atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1)
        return;
    if (v)
        evtchn_notify_vcpu(v);
}

/* Xen's 2-level set_pending.  Caller holds a lock pinning port's state. */
static void set_pending(struct domain *d, unsigned int vcpu_id, evtchn_port_t port)
{
    struct shared_info *si = d->evtchn.shared_info;

    if (!si)
        return;
    if (bit_test_and_set(si->evtchn_pending, port))
        return;                     /* already pending: one delivery only */
    /* Masked: the upcall waits for the unmask, but pollers wake now. */
    if (!bit_test(si->evtchn_mask, port))
        mark_vcpu_pending(d, vcpu_id, port);
    evtchn_check_pollers(d, port);
}

void evtchn_check_pollers(struct domain *d, evtchn_port_t port)
{
    for (unsigned int i = 0; i < MAX_VIRT_CPUS; i++) {
        struct vcpu *v = domain_vcpu(d, i);
        if (!v)
            continue;
        int p = __atomic_load_n(&v->poll_port, __ATOMIC_SEQ_CST);
        if (p == POLL_NONE || (p != POLL_ANY && p != (int)port))
            continue;
        /* One waker ends the poll; a concurrent timeout may beat us to it. */
        if (__atomic_compare_exchange_n(&v->poll_port, &p, POLL_NONE, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            evtchn_notify_vcpu(v);     /* wakes it; no upcall is implied */
    }
}

static unsigned int notify_vcpu_of(const struct evtchn *chn)
{
    /* bind_vcpu on the receiving side changes it under the other lock. */
    return __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
}

/* The hypervisor's end of a channel (e.g. the console): raise port in d. */
void evtchn_raise_local(struct domain *d, evtchn_port_t port)
{
    unsigned long flags = lock_domain(d);
    struct evtchn *chn = port_in_use(d, port);
    if (chn)
        set_pending(d, notify_vcpu_of(chn), port);
    unlock_domain(d, flags);
}

/* ---- setup and teardown -------------------------------------------------- */

void evtchn_init(struct domain *d, struct shared_info *shared_info, unsigned int nr_ports)
{
    struct evtchn_domain *ed = &d->evtchn;

    spin_lock_init(&ed->lock);
    ed->dying = false;
    ed->shared_info = shared_info;
    ed->nr_ports = (nr_ports && nr_ports <= EVTCHN_MAX_PORTS) ? nr_ports : EVTCHN_MAX_PORTS;
}

void evtchn_set_vcpu_info(struct vcpu *v, struct vcpu_info *vi)
{
    struct domain *d = v->domain;
    unsigned long flags = lock_domain(d);

    if (v->vcpu_id < MAX_VIRT_CPUS) {
        __atomic_store_n(&d->evtchn.vcpu_info[v->vcpu_id], vi, __ATOMIC_RELEASE);
        if (vi) {
            /* Events may have been marked in the old area: rescan all. */
            __atomic_store_n(&vi->evtchn_pending_sel, ~0ULL, __ATOMIC_SEQ_CST);
            __atomic_store_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
            evtchn_notify_vcpu(v);
        }
    }
    unlock_domain(d, flags);
}

/*
 * Close port of d.  Global lock held, domain locks not.  Returns -EINVAL
 * for a port that is not in use.
 */
static int close_port(struct domain *d, evtchn_port_t port)
{
    unsigned long flags = lock_domain(d);
    struct evtchn *chn = port_in_use(d, port);

    if (!chn) {
        unlock_domain(d, flags);
        return -EINVAL;
    }
    if (chn->state == ECS_INTERDOMAIN) {
        /*
         * Both ends change together.  The connection cannot go away while
         * the global lock is held, so the lock can be retaken in order.
         */
        struct domain *rd = chn->remote;
        evtchn_port_t rport = chn->remote_port;
        unlock_domain(d, flags);
        flags = lock_pair(d, rd);
        struct evtchn *rchn = port_entry(rd, rport);
        BUG_ON(!rchn || rchn->state != ECS_INTERDOMAIN || rchn->remote != d ||
               rchn->remote_port != port);
        /* The peer waits for us to come back, as in Xen. */
        rchn->state = ECS_UNBOUND;
        rchn->remote = NULL;
        rchn->remote_port = 0;
        rchn->remote_domid = d->domain_id;
        free_port(d, port, chn);
        unlock_pair(d, rd, flags);
        return 0;
    }
    if (chn->state == ECS_VIRQ) {
        unsigned int vcpu = chn->notify_vcpu, virq = chn->virq;
        /* Global VIRQs are recorded on vCPU 0 wherever they notify. */
        if (evtchn_virq_is_global(virq))
            vcpu = 0;
        if (vcpu < MAX_VIRT_CPUS && virq < NR_VIRQS &&
            d->evtchn.virq_to_port[vcpu][virq] == port)
            d->evtchn.virq_to_port[vcpu][virq] = 0;
    }
    free_port(d, port, chn);
    unlock_domain(d, flags);
    return 0;
}

static void close_all_ports(struct domain *d)
{
    for (evtchn_port_t port = 1; port < d->evtchn.nr_ports; port++)
        (void)close_port(d, port);      /* -EINVAL for free ports */
}

void evtchn_destroy(struct domain *d)
{
    unsigned long flags;

    spin_lock(&evtchn_global_lock);
    flags = lock_domain(d);
    d->evtchn.dying = true;
    unlock_domain(d, flags);
    close_all_ports(d);
    spin_unlock(&evtchn_global_lock);

    /* No port anywhere refers to ours now; nobody can allocate new ones. */
    flags = lock_domain(d);
    for (unsigned int i = 0; i < EVTCHN_NR_BUCKETS; i++) {
        xfree(d->evtchn.bucket[i]);
        d->evtchn.bucket[i] = NULL;
    }
    unlock_domain(d, flags);
}

/* ---- EVTCHNOP_* ---------------------------------------------------------- */

int evtchn_alloc_unbound(struct domain *caller, struct evtchn_alloc_unbound *op)
{
    struct domain *d;
    unsigned long flags;
    int port;

    spin_lock(&evtchn_global_lock);     /* keeps a looked-up domain alive */
    d = lookup_domain(caller, op->dom);
    if (!d) {
        port = -ESRCH;
        goto out;
    }
    if (d != caller && !caller->is_privileged) {
        port = -EPERM;
        goto out;
    }
    flags = lock_domain(d);
    port = get_free_port(d);
    if (port > 0) {
        struct evtchn *chn = port_entry(d, (evtchn_port_t)port);
        chn->state = ECS_UNBOUND;
        chn->notify_vcpu = 0;
        /* DOMID_SELF means the caller, whoever the port belongs to. */
        chn->remote_domid = op->remote_dom == DOMID_SELF ? caller->domain_id
                                                         : op->remote_dom;
        op->port = (evtchn_port_t)port;
    }
    unlock_domain(d, flags);
out:
    spin_unlock(&evtchn_global_lock);
    return port < 0 ? port : 0;
}

int evtchn_bind_interdomain(struct domain *caller, struct evtchn_bind_interdomain *op)
{
    struct domain *ld = caller, *rd;
    evtchn_port_t rport = op->remote_port;
    unsigned long flags;
    int lport;

    spin_lock(&evtchn_global_lock);
    rd = lookup_domain(caller, op->remote_dom);
    if (!rd) {
        spin_unlock(&evtchn_global_lock);
        return -ESRCH;
    }
    flags = lock_pair(ld, rd);
    lport = get_free_port(ld);
    if (lport < 0)
        goto out;
    struct evtchn *rchn = port_in_use(rd, rport);
    if (!rchn || rchn->state != ECS_UNBOUND || rchn->remote_domid != ld->domain_id) {
        lport = -EINVAL;
        goto out;
    }
    struct evtchn *lchn = port_entry(ld, (evtchn_port_t)lport);
    lchn->state = ECS_INTERDOMAIN;
    lchn->notify_vcpu = 0;
    lchn->remote = rd;
    lchn->remote_port = (uint16_t)rport;
    rchn->state = ECS_INTERDOMAIN;
    rchn->remote = ld;
    rchn->remote_port = (uint16_t)lport;
    /*
     * Sends on the unbound remote port were dropped; like Xen, make up
     * for them by always signalling the new local port once.
     */
    set_pending(ld, lchn->notify_vcpu, (evtchn_port_t)lport);
    op->local_port = (evtchn_port_t)lport;
out:
    unlock_pair(ld, rd, flags);
    spin_unlock(&evtchn_global_lock);
    return lport < 0 ? lport : 0;
}

bool evtchn_virq_is_global(unsigned int virq)
{
    switch (virq) {
    case VIRQ_TIMER:
    case VIRQ_DEBUG:
    case VIRQ_XENOPROF:
    case VIRQ_XENPMU:
        return false;
    default:
        return true;                /* x86's arch VIRQs are global too */
    }
}

int evtchn_bind_virq(struct domain *caller, struct evtchn_bind_virq *op)
{
    struct domain *d = caller;
    unsigned int virq = op->virq, vcpu = op->vcpu;
    unsigned long flags;
    int port;

    if (virq >= NR_VIRQS)
        return -EINVAL;
    if (evtchn_virq_is_global(virq) && vcpu != 0)
        return -EINVAL;
    if (!domain_vcpu(d, vcpu))
        return -ENOENT;

    flags = lock_domain(d);
    if (d->evtchn.virq_to_port[vcpu][virq]) {
        port = -EEXIST;
        goto out;
    }
    port = get_free_port(d);
    if (port < 0)
        goto out;
    struct evtchn *chn = port_entry(d, (evtchn_port_t)port);
    chn->state = ECS_VIRQ;
    chn->virq = (uint8_t)virq;
    chn->notify_vcpu = (uint16_t)vcpu;
    d->evtchn.virq_to_port[vcpu][virq] = (uint16_t)port;
    op->port = (evtchn_port_t)port;
out:
    unlock_domain(d, flags);
    return port < 0 ? port : 0;
}

int evtchn_bind_ipi(struct domain *caller, struct evtchn_bind_ipi *op)
{
    struct domain *d = caller;
    unsigned long flags;
    int port;

    if (!domain_vcpu(d, op->vcpu))
        return -ENOENT;
    flags = lock_domain(d);
    port = get_free_port(d);
    if (port > 0) {
        struct evtchn *chn = port_entry(d, (evtchn_port_t)port);
        chn->state = ECS_IPI;
        chn->notify_vcpu = (uint16_t)op->vcpu;
        op->port = (evtchn_port_t)port;
    }
    unlock_domain(d, flags);
    return port < 0 ? port : 0;
}

int evtchn_bind_vcpu(struct domain *caller, evtchn_port_t port, unsigned int vcpu_id)
{
    struct domain *d = caller;
    unsigned long flags;
    int rc = 0;

    if (!domain_vcpu(d, vcpu_id))
        return -ENOENT;
    flags = lock_domain(d);
    struct evtchn *chn = port_in_use(d, port);
    if (!chn) {
        rc = -EINVAL;
    } else if (chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN ||
               (chn->state == ECS_VIRQ && evtchn_virq_is_global(chn->virq))) {
        /* A remote sender reads it holding only its own lock. */
        __atomic_store_n(&chn->notify_vcpu, (uint16_t)vcpu_id, __ATOMIC_RELAXED);
    } else {
        rc = -EINVAL;               /* IPIs and per-vCPU VIRQs stay put */
    }
    unlock_domain(d, flags);
    return rc;
}

int evtchn_send(struct domain *caller, evtchn_port_t port)
{
    struct domain *ld = caller;
    unsigned long flags = lock_domain(ld);
    struct evtchn *chn = port_in_use(ld, port);
    int rc = 0;

    if (!chn) {
        rc = -EINVAL;
    } else if (chn->state == ECS_INTERDOMAIN) {
        /*
         * Our lock keeps the connection (and so the remote domain, its
         * bucket and its shared_info) in place: breaking it needs our lock.
         */
        struct domain *rd = chn->remote;
        evtchn_port_t rport = chn->remote_port;
        set_pending(rd, notify_vcpu_of(port_entry(rd, rport)), rport);
    } else if (chn->state == ECS_IPI) {
        set_pending(ld, chn->notify_vcpu, port);
    } else if (chn->state != ECS_UNBOUND) {
        rc = -EINVAL;               /* VIRQs are sent by the hypervisor */
    }                               /* unbound: dropped silently, as in Xen */
    unlock_domain(ld, flags);
    return rc;
}

int evtchn_close(struct domain *caller, evtchn_port_t port)
{
    spin_lock(&evtchn_global_lock);
    int rc = close_port(caller, port);
    spin_unlock(&evtchn_global_lock);
    return rc;
}

int evtchn_status(struct domain *caller, struct evtchn_status *op)
{
    struct domain *d;
    unsigned long flags;
    int rc = 0;

    spin_lock(&evtchn_global_lock);
    d = lookup_domain(caller, op->dom);
    if (!d) {
        rc = -ESRCH;
        goto out;
    }
    if (d != caller && !caller->is_privileged) {
        rc = -EPERM;
        goto out;
    }
    if (!port_is_valid(d, op->port)) {
        rc = -EINVAL;
        goto out;
    }
    flags = lock_domain(d);
    struct evtchn *chn = port_entry(d, op->port);
    struct evtchn none = { .state = ECS_FREE };
    if (!chn)
        chn = &none;
    op->vcpu = chn->notify_vcpu;
    op->u.interdomain.dom = 0;
    op->u.interdomain.port = 0;
    switch (chn->state) {
    case ECS_FREE:
        op->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        op->status = EVTCHNSTAT_unbound;
        op->u.unbound.dom = chn->remote_domid;
        break;
    case ECS_INTERDOMAIN:
        op->status = EVTCHNSTAT_interdomain;
        op->u.interdomain.dom = chn->remote->domain_id;
        op->u.interdomain.port = chn->remote_port;
        break;
    case ECS_VIRQ:
        op->status = EVTCHNSTAT_virq;
        op->u.virq = chn->virq;
        break;
    case ECS_IPI:
        op->status = EVTCHNSTAT_ipi;
        break;
    default:
        BUG_ON(1);
    }
    unlock_domain(d, flags);
out:
    spin_unlock(&evtchn_global_lock);
    return rc;
}

int evtchn_unmask(struct domain *caller, evtchn_port_t port)
{
    struct domain *d = caller;
    struct shared_info *si = d->evtchn.shared_info;
    unsigned long flags;

    if (!port_is_valid(d, port))
        return -EINVAL;
    if (!si)
        return 0;
    flags = lock_domain(d);
    /* Xen's order: unmask, then look at pending, then selector/upcall. */
    if (bit_test_and_clear(si->evtchn_mask, port) && bit_test(si->evtchn_pending, port)) {
        struct evtchn *chn = port_entry(d, port);
        mark_vcpu_pending(d, chn ? chn->notify_vcpu : 0, port);
    }
    unlock_domain(d, flags);
    return 0;
}

int evtchn_reset(struct domain *caller, const struct evtchn_reset *op, bool resuming)
{
    struct domain *d;
    int rc = 0;

    spin_lock(&evtchn_global_lock);
    d = lookup_domain(caller, op->dom);
    if (!d)
        rc = -ESRCH;
    else if (d != caller && !caller->is_privileged)
        rc = -EPERM;
    else if (d != caller && !__atomic_load_n(&d->pause_count, __ATOMIC_SEQ_CST))
        rc = -EINVAL;               /* another domain only while it is paused */
    else if (resuming)
        rc = -EBUSY;                /* Xen: no reset to resume */
    else
        close_all_ports(d);
    spin_unlock(&evtchn_global_lock);
    return rc;
}

/* ---- hypervisor-raised events -------------------------------------------- */

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    struct domain *d = v->domain;

    if (virq >= NR_VIRQS || v->vcpu_id >= MAX_VIRT_CPUS)
        return;
    if (evtchn_virq_is_global(virq)) {
        evtchn_send_global_virq(d, virq);
        return;
    }
    unsigned long flags = lock_domain(d);
    evtchn_port_t port = d->evtchn.virq_to_port[v->vcpu_id][virq];
    if (port)
        set_pending(d, v->vcpu_id, port);
    unlock_domain(d, flags);
}

void evtchn_send_global_virq(struct domain *d, unsigned int virq)
{
    if (virq >= NR_VIRQS || !evtchn_virq_is_global(virq))
        return;
    unsigned long flags = lock_domain(d);
    evtchn_port_t port = d->evtchn.virq_to_port[0][virq];
    if (port) {
        struct evtchn *chn = port_entry(d, port);
        set_pending(d, chn ? chn->notify_vcpu : 0, port);
    }
    unlock_domain(d, flags);
}

bool evtchn_port_is_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *si = d->evtchn.shared_info;
    return si && port_is_valid(d, port) && bit_test(si->evtchn_pending, port);
}

bool evtchn_upcall_pending(struct vcpu *v)
{
    struct vcpu_info *vi = vcpu_info_of(v->domain, v->vcpu_id);
    return vi && (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) & 1);
}

/* ---- debug key 'e' ------------------------------------------------------- */

static const char *const ecs_names[] = {
    [ECS_FREE] = "free", [ECS_UNBOUND] = "unbound", [ECS_INTERDOMAIN] = "interdomain",
    [ECS_VIRQ] = "virq", [ECS_IPI] = "ipi",
};

void evtchn_dump(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;
    struct shared_info *si = ed->shared_info;
    unsigned long flags = lock_domain(d);

    printk("d%u %s: %u ports%s\n", d->domain_id, d->name, ed->nr_ports,
           si ? "" : ", no shared_info");
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VIRT_CPUS; i++) {
        struct vcpu_info *vi = vcpu_info_of(d, i);
        if (vi)
            printk("  vCPU%u: upcall_pending %u, mask %u, pending_sel %lx\n", i,
                   READ_ONCE(vi->evtchn_upcall_pending), READ_ONCE(vi->evtchn_upcall_mask),
                   (unsigned long)READ_ONCE(vi->evtchn_pending_sel));
    }
    for (unsigned int port = 1; port < ed->nr_ports; port++) {
        struct evtchn *chn = port_in_use(d, port);
        if (!chn)
            continue;
        char peer[32] = "";
        if (chn->state == ECS_UNBOUND)
            snprintf(peer, sizeof(peer), ", for d%u", chn->remote_domid);
        else if (chn->state == ECS_INTERDOMAIN)
            snprintf(peer, sizeof(peer), ", to d%u port %u", chn->remote->domain_id,
                     chn->remote_port);
        else if (chn->state == ECS_VIRQ)
            snprintf(peer, sizeof(peer), ", virq %u", chn->virq);
        printk("  port %u: %s, vCPU%u, %s%s%s\n", port, ecs_names[chn->state],
               chn->notify_vcpu, si && bit_test(si->evtchn_pending, port) ? "pending" : "idle",
               si && bit_test(si->evtchn_mask, port) ? " masked" : "", peer);
    }
    unlock_domain(d, flags);
}

/*
 * Event channels (common/event_channel.c), 2-level ABI: every EVTCHNOP
 * against fake domains, with each domain's shared_info a real page-sized
 * buffer that the tests read and write as the guest would.  The harness
 * side: domain_by_id over the fake domains, evtchn_notify_vcpu counting
 * upcalls per vCPU, xmalloc on malloc with a failure switch (fake_xmalloc.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/xmalloc.h>
#include "include/harness.h"
#include "fake_xmalloc.h"

#define NR_FAKE   4
#define FAKE_VCPUS 40               /* > XEN_LEGACY_MAX_VCPUS */

struct fake {
    struct domain *d;
    struct shared_info *si;
    unsigned int notified[FAKE_VCPUS];
};
static struct fake fakes[NR_FAKE];
static unsigned int nr_fakes;

/* ---- harness side -------------------------------------------------------- */

struct domain *domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        if (fakes[i].d && fakes[i].d->domain_id == id)
            return fakes[i].d;
    return NULL;
}

static struct fake *fake_of(const struct domain *d)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        if (fakes[i].d == d)
            return &fakes[i];
    fail_msg("unknown domain");
    return NULL;
}

void evtchn_notify_vcpu(struct vcpu *v)
{
    fake_of(v->domain)->notified[v->vcpu_id]++;
}

static struct domain *make_domain(domid_t id, unsigned int vcpus, unsigned int nr_ports)
{
    struct fake *f = &fakes[nr_fakes++];
    struct domain *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->domain_id = id;
    d->max_vcpus = vcpus;
    for (unsigned int i = 0; i < vcpus; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));
        assert_non_null(v);
        v->vcpu_id = i;
        v->domain = d;
        v->poll_port = POLL_NONE;
        d->vcpu[i] = v;
    }
    f->si = aligned_alloc(4096, 4096);
    assert_non_null(f->si);
    memset(f->si, 0, 4096);
    f->d = d;
    evtchn_init(d, f->si, nr_ports);
    return d;
}

static int setup(void **state)
{
    nr_fakes = 0;
    fake_xmalloc_live = 0;
    fake_xmalloc_budget = -1;
    memset(fakes, 0, sizeof(fakes));
    return 0;
}

static int teardown(void **state)
{
    for (unsigned int i = 0; i < nr_fakes; i++) {
        struct domain *d = fakes[i].d;
        if (!d)
            continue;
        evtchn_destroy(d);
        for (unsigned int v = 0; v < d->max_vcpus; v++)
            free(d->vcpu[v]);
        free(fakes[i].si);
        free(d);
    }
    assert_int_equal(fake_xmalloc_live, 0);       /* destroy freed every bucket */
    return 0;
}

/* ---- guest's view ------------------------------------------------------- */

static struct shared_info *SI(struct domain *d) { return fake_of(d)->si; }
static unsigned int notified(struct domain *d, unsigned int vcpu)
{
    return fake_of(d)->notified[vcpu];
}
static bool pending(struct domain *d, evtchn_port_t p)
{
    return (SI(d)->evtchn_pending[p / 64] >> (p % 64)) & 1;
}
static void set_mask(struct domain *d, evtchn_port_t p)
{
    SI(d)->evtchn_mask[p / 64] |= 1ULL << (p % 64);
}
static bool masked(struct domain *d, evtchn_port_t p)
{
    return (SI(d)->evtchn_mask[p / 64] >> (p % 64)) & 1;
}
static struct vcpu_info *VI(struct domain *d, unsigned int vcpu)
{
    return &SI(d)->vcpu_info[vcpu];
}
/* What Linux's upcall handler does: consume everything. */
static void guest_ack_all(struct domain *d)
{
    struct shared_info *si = SI(d);
    memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++) {
        si->vcpu_info[i].evtchn_upcall_pending = 0;
        si->vcpu_info[i].evtchn_pending_sel = 0;
    }
}

static evtchn_port_t alloc_unbound(struct domain *d, domid_t dom, domid_t remote)
{
    struct evtchn_alloc_unbound op = { .dom = dom, .remote_dom = remote, .port = 0xdead };
    assert_int_equal(evtchn_alloc_unbound(d, &op), 0);
    return op.port;
}

static evtchn_port_t bind_interdomain(struct domain *d, domid_t rdom, evtchn_port_t rport)
{
    struct evtchn_bind_interdomain op = { .remote_dom = rdom, .remote_port = rport };
    assert_int_equal(evtchn_bind_interdomain(d, &op), 0);
    return op.local_port;
}

static struct evtchn_status status_of(struct domain *d, domid_t dom, evtchn_port_t port)
{
    struct evtchn_status st;
    memset(&st, 0xa5, sizeof(st));
    st.dom = dom;
    st.port = port;
    assert_int_equal(evtchn_status(d, &st), 0);
    return st;
}

/* ---- tests --------------------------------------------------------------- */

static void test_interdomain_send_receive(void **state)
{
    struct domain *a = make_domain(1, 2, 0), *b = make_domain(2, 2, 0);

    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    assert_int_equal(pa, 1);                /* port 0 is never handed out */
    struct evtchn_status st = status_of(a, DOMID_SELF, pa);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    assert_int_equal(st.vcpu, 0);

    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    assert_int_equal(pb, 1);
    /* Xen signals the new local port once, for sends lost while unbound. */
    assert_true(pending(b, pb));
    assert_int_equal(VI(b, 0)->evtchn_pending_sel, 1);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(b, 0), 1);
    assert_false(pending(a, pa));
    guest_ack_all(b);

    st = status_of(a, DOMID_SELF, pa);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 2);
    assert_int_equal(st.u.interdomain.port, pb);
    st = status_of(b, 2, pb);               /* own id works like DOMID_SELF */
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 1);
    assert_int_equal(st.u.interdomain.port, pa);

    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb));
    assert_false(pending(a, pa));
    assert_int_equal(VI(b, 0)->evtchn_pending_sel, 1);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(b, 0), 2);
    assert_int_equal(notified(a, 0), 0);

    assert_int_equal(evtchn_send(b, pb), 0);
    assert_true(pending(a, pa));
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(a, 0), 1);
    assert_int_equal(notified(a, 1) + notified(b, 1), 0);
    assert_true(evtchn_port_is_pending(a, pa));
    assert_true(evtchn_upcall_pending(a->vcpu[0]));
    assert_false(evtchn_upcall_pending(a->vcpu[1]));
}

/* A port in the second word sets selector bit 1. */
static void test_selector_word(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    evtchn_port_t p = 0;

    for (unsigned int i = 0; i < 70; i++)
        p = alloc_unbound(a, DOMID_SELF, 2);
    assert_int_equal(p, 70);
    for (unsigned int i = 0; i < 99; i++)
        alloc_unbound(b, DOMID_SELF, 1);
    evtchn_port_t pb = bind_interdomain(b, 1, p);
    assert_int_equal(pb, 100);
    guest_ack_all(b);
    assert_int_equal(evtchn_send(a, p), 0);
    assert_int_equal(SI(b)->evtchn_pending[1], 1ULL << (100 - 64));
    assert_int_equal(SI(b)->evtchn_pending[0], 0);
    assert_int_equal(VI(b, 0)->evtchn_pending_sel, 1ULL << 1);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 1);
}

static void test_mask_and_unmask(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    guest_ack_all(b);
    unsigned int before = notified(b, 0);

    set_mask(b, pb);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb));            /* recorded ... */
    assert_int_equal(VI(b, 0)->evtchn_pending_sel, 0);     /* ... not signalled */
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(notified(b, 0), before);

    assert_int_equal(evtchn_unmask(b, pb), 0);
    assert_false(masked(b, pb));
    assert_int_equal(VI(b, 0)->evtchn_pending_sel, 1);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(b, 0), before + 1);

    /* Unmasking an unmasked port delivers nothing again. */
    guest_ack_all(b);
    SI(b)->evtchn_pending[0] = 1ULL << pb;
    assert_int_equal(evtchn_unmask(b, pb), 0);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(notified(b, 0), before + 1);

    /* Masked and not pending: unmask clears the mask only. */
    guest_ack_all(b);
    set_mask(b, pb);
    assert_int_equal(evtchn_unmask(b, pb), 0);
    assert_false(masked(b, pb));
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(notified(b, 0), before + 1);
}

/* SCHEDOP_poll waiters wake on their port even when it is masked (PV
 * spinlocks poll a masked IPI port); others stay asleep. */
static void test_pollers(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 2, 0);
    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    struct vcpu *v0 = b->vcpu[0], *v1 = b->vcpu[1];
    guest_ack_all(b);
    unsigned int n0 = notified(b, 0), n1 = notified(b, 1);

    set_mask(b, pb);
    v0->poll_port = (int)pb;            /* polls this port */
    v1->poll_port = (int)pb + 1;        /* polls another one */
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_true(pending(b, pb));
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 0);  /* masked: no upcall */
    assert_int_equal(notified(b, 0), n0 + 1);              /* but the poller woke */
    assert_int_equal(v0->poll_port, POLL_NONE);
    assert_int_equal(notified(b, 1), n1);
    assert_int_equal(v1->poll_port, (int)pb + 1);

    /* Already pending: a second send wakes no one (the poll sees it itself). */
    v0->poll_port = POLL_ANY;
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(notified(b, 0), n0 + 1);

    /* POLL_ANY wakes on any port; a vCPU not polling is not disturbed. */
    guest_ack_all(b);
    SI(b)->evtchn_pending[0] = 0;
    v1->poll_port = POLL_NONE;
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(notified(b, 0), n0 + 2);
    assert_int_equal(v0->poll_port, POLL_NONE);
    assert_int_equal(notified(b, 1), n1);
}

static void test_no_double_delivery(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    struct evtchn_bind_ipi ipi1 = { .vcpu = 0 }, ipi2 = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi1), 0);

    assert_int_equal(evtchn_send(a, ipi1.port), 0);
    assert_int_equal(notified(a, 0), 1);
    /* Still pending: a second send changes nothing, even if the guest
     * already cleared its upcall flag and selector. */
    VI(a, 0)->evtchn_upcall_pending = 0;
    VI(a, 0)->evtchn_pending_sel = 0;
    assert_int_equal(evtchn_send(a, ipi1.port), 0);
    assert_true(pending(a, ipi1.port));
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(VI(a, 0)->evtchn_pending_sel, 0);
    assert_int_equal(notified(a, 0), 1);

    /* Another port while the upcall is still pending: selector, no kick. */
    VI(a, 0)->evtchn_upcall_pending = 1;
    for (unsigned int i = 0; i < 64; i++)
        alloc_unbound(a, DOMID_SELF, DOMID_SELF);
    assert_int_equal(evtchn_bind_ipi(a, &ipi2), 0);
    assert_int_equal(ipi2.port, 66);
    assert_int_equal(evtchn_send(a, ipi2.port), 0);
    assert_int_equal(VI(a, 0)->evtchn_pending_sel, 1ULL << 1);
    assert_int_equal(notified(a, 0), 1);

    /* Once the guest has consumed it, the next send is delivered. */
    guest_ack_all(a);
    assert_int_equal(evtchn_send(a, ipi1.port), 0);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(a, 0), 2);

    /* Garbage in the upcall byte: only bit 0 means "pending". */
    guest_ack_all(a);
    VI(a, 0)->evtchn_upcall_pending = 2;
    assert_int_equal(evtchn_send(a, ipi1.port), 0);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 3);
    assert_int_equal(notified(a, 0), 3);
}

static void test_close(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    assert_int_equal(evtchn_send(b, pb), 0);
    assert_true(pending(a, pa));

    assert_int_equal(evtchn_close(a, pa), 0);
    assert_false(pending(a, pa));           /* a reused port starts clean */
    assert_int_equal(status_of(a, DOMID_SELF, pa).status, EVTCHNSTAT_closed);
    struct evtchn_status st = status_of(b, DOMID_SELF, pb);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);  /* waits for a to come back */

    /* Sending on an unbound port is dropped without an error. */
    guest_ack_all(a);
    assert_int_equal(evtchn_send(b, pb), 0);
    assert_int_equal(SI(a)->evtchn_pending[0], 0);

    assert_int_equal(evtchn_close(a, pa), -EINVAL);    /* already closed */

    /* a can reconnect to the waiting end. */
    evtchn_port_t pa2 = bind_interdomain(a, 2, pb);
    assert_int_equal(pa2, pa);              /* lowest free port again */
    assert_int_equal(status_of(b, DOMID_SELF, pb).u.interdomain.port, pa2);

    /* Closing from the other side. */
    assert_int_equal(evtchn_close(b, pb), 0);
    st = status_of(a, DOMID_SELF, pa2);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    assert_int_equal(evtchn_close(a, pa2), 0);
    assert_int_equal(evtchn_close(b, pb), -EINVAL);
}

static void test_loopback(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    evtchn_port_t p = alloc_unbound(a, DOMID_SELF, DOMID_SELF);
    assert_int_equal(status_of(a, DOMID_SELF, p).u.unbound.dom, 1);
    evtchn_port_t q = bind_interdomain(a, DOMID_SELF, p);
    assert_int_equal(q, 2);
    guest_ack_all(a);
    assert_int_equal(evtchn_send(a, q), 0);
    assert_true(pending(a, p));
    assert_false(pending(a, q));
    assert_int_equal(evtchn_send(a, p), 0);
    assert_true(pending(a, q));
    assert_int_equal(evtchn_close(a, q), 0);
    struct evtchn_status st = status_of(a, DOMID_SELF, p);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
}

static void test_status_each_state(void **state)
{
    struct domain *a = make_domain(1, 2, 0), *b = make_domain(2, 1, 0);
    struct domain *dom0 = make_domain(0, 1, 0);
    dom0->is_privileged = true;

    struct evtchn_status st = status_of(a, DOMID_SELF, 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);     /* port 0, as Xen */
    assert_int_equal(st.vcpu, 0);
    st = status_of(a, DOMID_SELF, 4095);                /* never allocated */
    assert_int_equal(st.status, EVTCHNSTAT_closed);

    evtchn_port_t un = alloc_unbound(a, DOMID_SELF, 7);
    st = status_of(a, DOMID_SELF, un);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 7);

    struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &virq), 0);
    st = status_of(a, DOMID_SELF, virq.port);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    assert_int_equal(st.vcpu, 1);

    struct evtchn_bind_virq con = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &con), 0);
    st = status_of(a, DOMID_SELF, con.port);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_CONSOLE);
    assert_int_equal(st.vcpu, 0);

    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
    st = status_of(a, DOMID_SELF, ipi.port);
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 1);

    evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, 1);
    evtchn_port_t pa = bind_interdomain(a, 2, pb);
    st = status_of(a, DOMID_SELF, pa);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 2);
    assert_int_equal(st.u.interdomain.port, pb);

    /* Another domain's port: privileged callers only. */
    struct evtchn_status q = { .dom = 2, .port = pb };
    assert_int_equal(evtchn_status(a, &q), -EPERM);
    st = status_of(dom0, 2, pb);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 1);
    assert_int_equal(st.u.interdomain.port, pa);
    q = (struct evtchn_status){ .dom = 99, .port = 1 };
    assert_int_equal(evtchn_status(dom0, &q), -ESRCH);
    q = (struct evtchn_status){ .dom = DOMID_SELF, .port = 4096 };
    assert_int_equal(evtchn_status(a, &q), -EINVAL);
    q = (struct evtchn_status){ .dom = DOMID_SELF, .port = 0xffffffffu };
    assert_int_equal(evtchn_status(a, &q), -EINVAL);
}

static void test_virq(void **state)
{
    struct domain *a = make_domain(1, 2, 0);
    struct evtchn_bind_virq op = { .virq = VIRQ_TIMER, .vcpu = 1 };

    assert_int_equal(evtchn_bind_virq(a, &op), 0);
    evtchn_port_t timer1 = op.port;
    evtchn_send_virq(a->vcpu[1], VIRQ_TIMER);
    assert_true(pending(a, timer1));
    assert_int_equal(VI(a, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(VI(a, 1)->evtchn_pending_sel, 1);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(notified(a, 1), 1);
    assert_int_equal(notified(a, 0), 0);

    /* Not bound on vCPU 0: nothing happens. */
    guest_ack_all(a);
    evtchn_send_virq(a->vcpu[0], VIRQ_TIMER);
    assert_int_equal(SI(a)->evtchn_pending[0], 0);

    /* Guests cannot send VIRQs, nor bind one twice on a vCPU. */
    assert_int_equal(evtchn_send(a, timer1), -EINVAL);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &op), -EEXIST);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), 0);      /* other vCPU: fine */
    assert_int_not_equal(op.port, timer1);

    /* Per-vCPU VIRQs cannot move. */
    assert_int_equal(evtchn_bind_vcpu(a, timer1, 0), -EINVAL);

    /* Bad arguments. */
    op = (struct evtchn_bind_virq){ .virq = NR_VIRQS, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), -EINVAL);
    op = (struct evtchn_bind_virq){ .virq = 0xffffffffu, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), -EINVAL);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_DEBUG, .vcpu = 2 };
    assert_int_equal(evtchn_bind_virq(a, &op), -ENOENT);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_DEBUG, .vcpu = 0xffffffffu };
    assert_int_equal(evtchn_bind_virq(a, &op), -ENOENT);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &op), -EINVAL);   /* global: vCPU 0 */

    /* A global VIRQ: bound on vCPU 0, moved to vCPU 1, raised there. */
    op = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), 0);
    evtchn_port_t exc = op.port;
    assert_int_equal(evtchn_bind_vcpu(a, exc, 1), 0);
    assert_int_equal(status_of(a, DOMID_SELF, exc).vcpu, 1);
    guest_ack_all(a);
    evtchn_send_global_virq(a, VIRQ_DOM_EXC);
    assert_true(pending(a, exc));
    assert_int_equal(VI(a, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(notified(a, 1), 2);
    /* send_virq on any vCPU routes a global VIRQ the same way. */
    guest_ack_all(a);
    evtchn_send_virq(a->vcpu[0], VIRQ_DOM_EXC);
    assert_true(pending(a, exc));
    assert_int_equal(VI(a, 1)->evtchn_upcall_pending, 1);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), -EEXIST);

    /* Closing unbinds: the VIRQ can be bound again. */
    assert_int_equal(evtchn_close(a, exc), 0);
    guest_ack_all(a);
    evtchn_send_global_virq(a, VIRQ_DOM_EXC);
    assert_int_equal(SI(a)->evtchn_pending[0], 0);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &op), 0);
    assert_int_equal(op.port, exc);
    assert_int_equal(evtchn_close(a, timer1), 0);
    op = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &op), 0);
    assert_int_equal(op.port, timer1);

    /* Out-of-range VIRQs from the hypervisor side are ignored. */
    evtchn_send_virq(a->vcpu[0], NR_VIRQS);
    evtchn_send_global_virq(a, VIRQ_TIMER);
    assert_false(evtchn_virq_is_global(VIRQ_XENPMU));
    assert_true(evtchn_virq_is_global(VIRQ_ARCH_0));
}

static void test_ipi_and_bind_vcpu(void **state)
{
    struct domain *a = make_domain(1, 2, 0), *b = make_domain(2, 2, 0);
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };

    assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
    assert_int_equal(evtchn_send(a, ipi.port), 0);
    assert_true(pending(a, ipi.port));
    assert_int_equal(VI(a, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(notified(a, 1), 1);
    assert_int_equal(notified(a, 0), 0);
    assert_int_equal(evtchn_bind_vcpu(a, ipi.port, 0), -EINVAL);  /* IPIs stay */

    struct evtchn_bind_ipi bad = { .vcpu = 2 };
    assert_int_equal(evtchn_bind_ipi(a, &bad), -ENOENT);
    bad.vcpu = 0xffffffffu;
    assert_int_equal(evtchn_bind_ipi(a, &bad), -ENOENT);

    /* An interdomain port moved to vCPU 1 notifies vCPU 1. */
    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    assert_int_equal(evtchn_bind_vcpu(a, pa, 1), 0);      /* unbound: allowed */
    assert_int_equal(status_of(a, DOMID_SELF, pa).vcpu, 1);
    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    assert_int_equal(status_of(a, DOMID_SELF, pa).vcpu, 1);   /* kept */
    assert_int_equal(evtchn_bind_vcpu(b, pb, 1), 0);          /* interdomain */
    guest_ack_all(a);
    guest_ack_all(b);
    assert_int_equal(evtchn_send(b, pb), 0);
    assert_int_equal(VI(a, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(evtchn_send(a, pa), 0);
    assert_int_equal(VI(b, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(VI(b, 0)->evtchn_upcall_pending, 0);

    /* Errors. */
    assert_int_equal(evtchn_bind_vcpu(a, pa, 2), -ENOENT);
    assert_int_equal(evtchn_bind_vcpu(a, 0, 0), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(a, 4096, 0), -EINVAL);
    assert_int_equal(evtchn_bind_vcpu(a, 200, 0), -EINVAL);     /* free */
    /* A freed and reused port notifies vCPU 0 again. */
    assert_int_equal(evtchn_close(a, pa), 0);
    evtchn_port_t again = alloc_unbound(a, DOMID_SELF, 2);
    assert_int_equal(again, pa);
    assert_int_equal(status_of(a, DOMID_SELF, again).vcpu, 0);
}

static void test_bad_ports(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    static const evtchn_port_t bad[] = { 4096, 4097, 0x10000, 0xffffffffu };

    assert_int_equal(evtchn_send(a, 0), -EINVAL);
    assert_int_equal(evtchn_close(a, 0), -EINVAL);
    assert_int_equal(evtchn_unmask(a, 0), 0);       /* in range: Xen says 0 */
    assert_int_equal(evtchn_send(a, 5), -EINVAL);   /* free */
    assert_int_equal(evtchn_close(a, 5), -EINVAL);
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(evtchn_send(a, bad[i]), -EINVAL);
        assert_int_equal(evtchn_close(a, bad[i]), -EINVAL);
        assert_int_equal(evtchn_unmask(a, bad[i]), -EINVAL);
        assert_int_equal(evtchn_bind_vcpu(a, bad[i], 0), -EINVAL);
        assert_false(evtchn_port_is_pending(a, bad[i]));
    }

    /* A smaller table moves the limit. */
    struct domain *s = make_domain(2, 1, 16);
    assert_int_equal(evtchn_unmask(s, 15), 0);
    assert_int_equal(evtchn_unmask(s, 16), -EINVAL);
    struct evtchn_status q = { .dom = DOMID_SELF, .port = 16 };
    assert_int_equal(evtchn_status(s, &q), -EINVAL);
}

static void test_bind_interdomain_errors(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    struct domain *c = make_domain(3, 1, 0);
    struct evtchn_bind_interdomain op;

    op = (struct evtchn_bind_interdomain){ .remote_dom = 42, .remote_port = 1 };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -ESRCH);

    evtchn_port_t for_c = alloc_unbound(b, DOMID_SELF, 3);
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = for_c };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);   /* not for a */
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 0 };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 9 };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);   /* free */
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 4096 };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = 0xffffffffu };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);

    /* Once c took it, the port is interdomain: nobody else may bind. */
    bind_interdomain(c, 2, for_c);
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = for_c };
    assert_int_equal(evtchn_bind_interdomain(c, &op), -EINVAL);
    /* Nor to a VIRQ or IPI port. */
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(b, &ipi), 0);
    op = (struct evtchn_bind_interdomain){ .remote_dom = 2, .remote_port = ipi.port };
    assert_int_equal(evtchn_bind_interdomain(a, &op), -EINVAL);

    /* Failures allocate nothing: a's first port is still 1. */
    assert_int_equal(alloc_unbound(a, DOMID_SELF, 2), 1);
}

static void test_alloc_unbound_permissions(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    struct domain *dom0 = make_domain(0, 1, 0);
    dom0->is_privileged = true;
    struct evtchn_alloc_unbound op;

    op = (struct evtchn_alloc_unbound){ .dom = 2, .remote_dom = 1 };
    assert_int_equal(evtchn_alloc_unbound(a, &op), -EPERM);
    op = (struct evtchn_alloc_unbound){ .dom = 77, .remote_dom = 1 };
    assert_int_equal(evtchn_alloc_unbound(a, &op), -ESRCH);
    assert_int_equal(evtchn_alloc_unbound(dom0, &op), -ESRCH);

    /* dom0 makes a port in b for itself (DOMID_SELF = the caller). */
    op = (struct evtchn_alloc_unbound){ .dom = 2, .remote_dom = DOMID_SELF };
    assert_int_equal(evtchn_alloc_unbound(dom0, &op), 0);
    assert_int_equal(op.port, 1);
    struct evtchn_status st = status_of(b, DOMID_SELF, op.port);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 0);
    evtchn_port_t p0 = bind_interdomain(dom0, 2, op.port);
    assert_int_equal(status_of(dom0, 2, op.port).u.interdomain.port, p0);

    /* Unknown remote domains are allowed, as in Xen: it may appear later. */
    op = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = 500 };
    assert_int_equal(evtchn_alloc_unbound(a, &op), 0);
}

static void test_port_exhaustion(void **state)
{
    struct domain *a = make_domain(1, 1, 8), *b = make_domain(2, 1, 0);

    for (evtchn_port_t p = 1; p < 8; p++)
        assert_int_equal(alloc_unbound(a, DOMID_SELF, 2), p);
    struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2 };
    assert_int_equal(evtchn_alloc_unbound(a, &au), -ENOSPC);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), -ENOSPC);
    struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = 0 };
    assert_int_equal(evtchn_bind_virq(a, &virq), -ENOSPC);
    evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, 1);
    struct evtchn_bind_interdomain bi = { .remote_dom = 2, .remote_port = pb };
    assert_int_equal(evtchn_bind_interdomain(a, &bi), -ENOSPC);
    assert_int_equal(status_of(b, DOMID_SELF, pb).status, EVTCHNSTAT_unbound);

    /* A closed port is reused, lowest first. */
    assert_int_equal(evtchn_close(a, 5), 0);
    assert_int_equal(evtchn_close(a, 3), 0);
    assert_int_equal(evtchn_bind_interdomain(a, &bi), 0);
    assert_int_equal(bi.local_port, 3);
    assert_int_equal(evtchn_bind_virq(a, &virq), 0);
    assert_int_equal(virq.port, 5);
    /* The VIRQ failure above did not leave it half-bound. */
    assert_int_equal(evtchn_bind_virq(a, &virq), -EEXIST);
}

static void test_all_4096_ports(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };

    for (evtchn_port_t p = 1; p < 4096; p++) {
        assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
        assert_int_equal(ipi.port, p);
    }
    assert_int_equal(evtchn_bind_ipi(a, &ipi), -ENOSPC);
    assert_int_equal(fake_xmalloc_live, EVTCHN_NR_BUCKETS);
    assert_int_equal(evtchn_send(a, 4095), 0);
    assert_int_equal(SI(a)->evtchn_pending[63], 1ULL << 63);
    assert_int_equal(VI(a, 0)->evtchn_pending_sel, 1ULL << 63);
    assert_int_equal(notified(a, 0), 1);
}

static void test_out_of_memory(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = 2 };

    fake_xmalloc_budget = 0;
    assert_int_equal(evtchn_alloc_unbound(a, &op), -ENOMEM);
    fake_xmalloc_budget = -1;
    assert_int_equal(evtchn_alloc_unbound(a, &op), 0);
    assert_int_equal(op.port, 1);
    /* Crossing into the next bucket fails cleanly too. */
    for (unsigned int i = 2; i < EVTCHN_PER_BUCKET; i++)
        alloc_unbound(a, DOMID_SELF, 2);
    fake_xmalloc_budget = 0;
    assert_int_equal(evtchn_alloc_unbound(a, &op), -ENOMEM);
    fake_xmalloc_budget = -1;
    assert_int_equal(evtchn_alloc_unbound(a, &op), 0);
    assert_int_equal(op.port, EVTCHN_PER_BUCKET);
}

static void test_reset(void **state)
{
    struct domain *a = make_domain(1, 2, 0), *b = make_domain(2, 1, 0);
    struct domain *dom0 = make_domain(0, 1, 0);
    dom0->is_privileged = true;

    evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, 1);
    evtchn_port_t pa = bind_interdomain(a, 2, pb);
    alloc_unbound(a, DOMID_SELF, 2);
    struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = 1 };
    assert_int_equal(evtchn_bind_virq(a, &virq), 0);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
    assert_int_equal(ipi.port, 4);

    struct evtchn_reset r = { .dom = DOMID_SELF };
    /* reset_cont with no reset under way: -EBUSY, nothing closed. */
    assert_int_equal(evtchn_reset(a, &r, true), -EBUSY);
    assert_int_equal(status_of(a, DOMID_SELF, 4).status, EVTCHNSTAT_ipi);
    assert_int_equal(evtchn_reset(a, &r, false), 0);
    for (evtchn_port_t p = 0; p < 6; p++)
        assert_int_equal(status_of(a, DOMID_SELF, p).status, EVTCHNSTAT_closed);
    assert_false(pending(a, pa));
    struct evtchn_status st = status_of(b, DOMID_SELF, pb);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    /* Everything can be set up again from scratch. */
    assert_int_equal(evtchn_bind_virq(a, &virq), 0);
    assert_int_equal(virq.port, 1);
    assert_int_equal(bind_interdomain(a, 2, pb), 2);

    /* Resetting another domain. */
    r.dom = 2;
    assert_int_equal(evtchn_reset(a, &r, false), -EPERM);
    assert_int_equal(evtchn_reset(dom0, &r, false), -EINVAL);     /* b is running */
    b->pause_count = 1;
    assert_int_equal(evtchn_reset(dom0, &r, false), 0);
    assert_int_equal(status_of(b, DOMID_SELF, pb).status, EVTCHNSTAT_closed);
    assert_int_equal(status_of(a, DOMID_SELF, 2).status, EVTCHNSTAT_unbound);
    r.dom = 66;
    assert_int_equal(evtchn_reset(dom0, &r, false), -ESRCH);
    assert_int_equal(evtchn_reset(dom0, &r, true), -ESRCH);
}

static void test_destroy(void **state)
{
    struct domain *a = make_domain(1, 1, 0), *b = make_domain(2, 1, 0);
    evtchn_port_t pa = alloc_unbound(a, DOMID_SELF, 2);
    evtchn_port_t pb = bind_interdomain(b, 1, pa);
    evtchn_port_t pb2 = alloc_unbound(b, DOMID_SELF, 1);
    evtchn_port_t pa2 = bind_interdomain(a, 2, pb2);
    assert_int_equal(pa2, 2);
    long allocs_b = 1;

    evtchn_destroy(a);
    assert_int_equal(fake_xmalloc_live, allocs_b);        /* a's bucket is gone */
    struct evtchn_status st = status_of(b, DOMID_SELF, pb);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    assert_int_equal(status_of(b, DOMID_SELF, pb2).status, EVTCHNSTAT_unbound);
    guest_ack_all(a);
    assert_int_equal(evtchn_send(b, pb), 0);        /* dropped */
    assert_int_equal(SI(a)->evtchn_pending[0], 0);

    /* A dying domain gets no new ports. */
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = 2 };
    assert_int_equal(evtchn_alloc_unbound(a, &op), -EINVAL);
    assert_int_equal(evtchn_send(a, pa), -EINVAL);
    evtchn_destroy(a);                              /* twice is harmless */
}

static void test_vcpu_info_moved(void **state)
{
    struct domain *a = make_domain(1, FAKE_VCPUS, 0);
    struct vcpu_info *area = aligned_alloc(64, 64);
    assert_non_null(area);
    memset(area, 0, 64);

    /* vCPU 33 has no slot in shared_info until it registers one. */
    struct evtchn_bind_ipi ipi = { .vcpu = 33 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
    assert_int_equal(evtchn_send(a, ipi.port), 0);
    assert_true(pending(a, ipi.port));
    assert_int_equal(notified(a, 33), 0);
    assert_false(evtchn_upcall_pending(a->vcpu[33]));

    evtchn_set_vcpu_info(a->vcpu[33], area);
    assert_int_equal(area->evtchn_upcall_pending, 1);       /* rescan all */
    assert_int_equal(area->evtchn_pending_sel, ~0ULL);
    assert_int_equal(notified(a, 33), 1);
    assert_true(evtchn_upcall_pending(a->vcpu[33]));

    /* From now on only the new area is used. */
    memset(area, 0, 64);
    SI(a)->evtchn_pending[0] = 0;
    assert_int_equal(evtchn_send(a, ipi.port), 0);
    assert_int_equal(area->evtchn_upcall_pending, 1);
    assert_int_equal(area->evtchn_pending_sel, 1);
    assert_int_equal(notified(a, 33), 2);

    /* vCPU 0 moved too: its shared_info slot stays untouched. */
    struct vcpu_info *area0 = aligned_alloc(64, 64);
    assert_non_null(area0);
    evtchn_set_vcpu_info(a->vcpu[0], area0);
    memset(area0, 0, 64);
    struct evtchn_bind_ipi ipi0 = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi0), 0);
    assert_int_equal(evtchn_send(a, ipi0.port), 0);
    assert_int_equal(area0->evtchn_upcall_pending, 1);
    assert_int_equal(VI(a, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(VI(a, 0)->evtchn_pending_sel, 0);
    free(area);
    free(area0);
}

/* Without a shared_info page ports work but nothing is delivered. */
static void test_no_shared_info(void **state)
{
    struct domain *a = make_domain(1, 1, 0);
    evtchn_init(a, NULL, 0);
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    assert_int_equal(evtchn_bind_ipi(a, &ipi), 0);
    assert_int_equal(evtchn_send(a, ipi.port), 0);
    assert_int_equal(evtchn_unmask(a, ipi.port), 0);
    assert_false(evtchn_port_is_pending(a, ipi.port));
    assert_false(evtchn_upcall_pending(a->vcpu[0]));
    assert_int_equal(notified(a, 0), 0);
    assert_int_equal(SI(a)->evtchn_pending[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_interdomain_send_receive),
        T(test_selector_word),
        T(test_mask_and_unmask),
        T(test_pollers),
        T(test_no_double_delivery),
        T(test_close),
        T(test_loopback),
        T(test_status_each_state),
        T(test_virq),
        T(test_ipi_and_bind_vcpu),
        T(test_bad_ports),
        T(test_bind_interdomain_errors),
        T(test_alloc_unbound_permissions),
        T(test_port_exhaustion),
        T(test_all_4096_ports),
        T(test_out_of_memory),
        T(test_reset),
        T(test_destroy),
        T(test_vcpu_info_moved),
        T(test_no_shared_info),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

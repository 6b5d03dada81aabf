/*
 * Keel as the console backend of its domains: each gets a console ring
 * page at a fixed guest-physical address outside its RAM (like Xen's
 * "special pages") and an event channel, both announced in HVM params
 * (CONSOLE_PFN, CONSOLE_EVTCHN), which is what Linux's hvc0 looks for.
 * The output rings are drained every few milliseconds into the domain's
 * console lines; the guest's notifications need no delivery.  Indices in
 * the page are guest-writable: never trusted beyond the ring's size.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/timer.h>
#include <asm/page.h>
#include <public/console.h>

#define CONSOLE_GFN      0xfefffULL      /* 0xfefff000, in the hole below 4 GiB */
#define POLL_INTERVAL    MILLISECS(5)

static struct timer poll_timer;
static bool poll_started;

int console_ring_create(struct domain *d)
{
    struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = d->domain_id };
    mfn_t old;
    int rc;

    d->console_ring = alloc_xenheap_pages(0);
    if (!d->console_ring)
        return -ENOMEM;
    memset(d->console_ring, 0, PAGE_SIZE);
    rc = p2m_set_4k(d, CONSOLE_GFN, virt_to_mfn(d->console_ring), &old);
    if (rc < 0)
        return rc;
    rc = evtchn_alloc_unbound(d, &op);
    if (rc < 0)
        return rc;
    d->console_port = op.port;
    d->hvm_params[HVM_PARAM_CONSOLE_PFN] = CONSOLE_GFN;
    d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = op.port;
    return 0;
}

void console_ring_destroy(struct domain *d)
{
    if (d->console_ring)
        free_xenheap_pages(d->console_ring, 0);
    d->console_ring = NULL;
}

/* Move what the guest wrote to its console lines. */
void console_ring_drain(struct domain *d)
{
    struct xencons_interface *r = d->console_ring;
    char buf[128];

    if (!r)
        return;
    XENCONS_RING_IDX cons = READ_ONCE(r->out_cons), prod = READ_ONCE(r->out_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > XENCONS_OUT_SIZE)
        cons = prod - XENCONS_OUT_SIZE;     /* nonsense indices: keep the last ring's worth */
    while (cons != prod) {
        size_t n = 0;
        while (cons != prod && n < sizeof(buf))
            buf[n++] = r->out[cons++ % XENCONS_OUT_SIZE];
        domain_console_write(d, buf, n);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(r->out_cons, cons);
}

static void poll_all(void *data)
{
    domain_for_each(console_ring_drain);
    console_input_poll();
    set_timer(&poll_timer, NOW() + POLL_INTERVAL);
}

void console_ring_start_polling(void)
{
    if (poll_started)
        return;
    poll_started = true;
    init_timer(&poll_timer, poll_all, NULL, 0);
    set_timer(&poll_timer, NOW() + POLL_INTERVAL);
}

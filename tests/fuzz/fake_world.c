/*
 * The fake world the hypercall handlers run in (see fuzz.h): host memory
 * under the real page allocator, three domains built the way
 * domain_create() builds them, torn down the way domain_free() does, and
 * the hypercall entry as the arch makes it.  Built anew for every input,
 * so that a run depends on its input only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/console.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/timer.h>
#include <keel/xmalloc.h>
#include <asm/page.h>
#include "../unit/fake_p2m.h"
#include "../unit/fake_xmalloc.h"
#include "../unit/include/harness.h"
#include "fuzz.h"

#define NR_FRAMES       4096        /* 16 MiB of host memory */
#define MAX_RESTARTS    (1u << 20)  /* a call that never finishes is a bug too */

struct domain *fz_dom[FZ_NR_DOMS];
static struct vcpu *cur;
static struct page_info *frame_table;
static uint64_t free_at_start;

static const struct {
    const char *name;
    bool privileged;
    unsigned int vcpus, ports;
} dom_spec[FZ_NR_DOMS] = {
    { "dom0", true, 2, 0 },
    { "guest1", false, 2, 0 },
    { "guest2", false, 33, FZ_D2_PORTS },
};

struct vcpu *current_vcpu(void)
{
    return cur;
}

/* What the hypervisor's domain list gives: never a dying domain. */
struct domain *domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++)
        if (fz_dom[i] && fz_dom[i]->domain_id == id && fz_dom[i]->state != DOMAIN_DYING)
            return fz_dom[i];
    return NULL;
}

struct domain *domain_get(domid_t id)
{
    struct domain *d = domain_by_id(id);
    if (d)
        d->refs++;
    return d;
}

void domain_hold(struct domain *d)
{
    d->refs++;
}

void domain_put(struct domain *d)
{
    if (d->refs == 0)
        fz_fail("d%u: domain_put without a reference", d->domain_id);
    d->refs--;
}

void domain_for_each(void (*fn)(struct domain *d))
{
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++)
        if (fz_dom[i] && fz_dom[i]->state != DOMAIN_DYING)
            fn(fz_dom[i]);
}

/* domain.c's: the time areas of v, in shared_info and in its vcpu_info. */
void domain_update_vcpu_time(struct vcpu *v)
{
    struct domain *d = v->domain;

    if (v->vcpu_id < XEN_LEGACY_MAX_VCPUS)
        arch_vcpu_time_update(v, &d->shared_info->vcpu_info[v->vcpu_id].time);
    if (d->evtchn.vcpu_info[v->vcpu_id])
        arch_vcpu_time_update(v, &d->evtchn.vcpu_info[v->vcpu_id]->time);
}

static struct domain *domain_build(domid_t id)
{
    struct domain *d = xzalloc(struct domain);
    mfn_t m;

    if (!d)
        abort();
    d->domain_id = id;
    watchdog_domain_init(d);
    strlcpy(d->name, dom_spec[id].name, sizeof(d->name));
    strlcpy(d->config.name, d->name, sizeof(d->config.name));
    d->is_privileged = d->config.is_privileged = dom_spec[id].privileged;
    d->state = DOMAIN_RUNNING;
    d->max_vcpus = d->config.vcpus = dom_spec[id].vcpus;
    d->max_pages = FZ_MAX_PAGES;
    if (sched_domain_init(&d->sched, SCHED_WEIGHT_DEFAULT, 0) < 0)
        abort();
    d->config.memory_mib = 2;
    d->shared_info_gfn = ~0ULL;
    d->shared_info = alloc_xenheap_pages(0);
    if (!d->shared_info)
        abort();
    memset(d->shared_info, 0, PAGE_SIZE);
    evtchn_init(d, d->shared_info, dom_spec[id].ports);
    fake_p2m_init(d, FZ_P2M_GFNS);

    /* RAM as the domain builder makes it: a 2 MiB leaf, then 4 KiB pages. */
    m = alloc_owned_pages(&d->pages, id, 9);
    if (m == INVALID_MFN || p2m_map(d, 0, m, 9, P2M_ZERO_LAZY) < 0)
        abort();
    for (uint64_t gfn = 512; gfn < FZ_RAM_PAGES; gfn++) {
        m = alloc_owned_pages(&d->pages, id, 0);
        if (m == INVALID_MFN || p2m_map(d, gfn, m, 0, P2M_ZERO_LAZY) < 0)
            abort();
    }
    d->tot_pages = d->pages.pages;
    d->arch.guest_ram_top = (uint64_t)FZ_RAM_PAGES << PAGE_SHIFT;

    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = xzalloc(struct vcpu);
        if (!v)
            abort();
        v->vcpu_id = i;
        v->domain = d;
        v->runstate.state = RUNSTATE_offline;
        if (sched_entity_init(&v->sched, &d->sched, 0, v) < 0)
            abort();
        sched_poll_init(v, 0);
        vcpu_singleshot_init(v, 0);
        d->vcpu[i] = v;
        domain_update_vcpu_time(v);
    }
    /* domain_start(): vCPU 0 comes online. */
    d->vcpu[0]->online = true;
    vcpu_update_runnable(d->vcpu[0]);
    if (console_ring_create(d) < 0 || gnttab_init(d) < 0)
        abort();
    return d;
}

/* domain_free()'s order: grant table, ports, vCPUs, memory, hypervisor pages. */
void fz_domain_destroy(unsigned int i)
{
    struct domain *d = fz_dom[i];

    if (!d)
        return;
    d->state = DOMAIN_DYING;
    gnttab_destroy(d);
    watchdog_domain_destroy(d);
    evtchn_destroy(d);
    for (unsigned int v = 0; v < d->max_vcpus; v++) {
        kill_timer(&d->vcpu[v]->poll_timer);
        kill_timer(&d->vcpu[v]->singleshot_timer);
        if (sched_entity_remove(&d->vcpu[v]->sched) < 0)
            fz_fail("d%u vCPU %u: the scheduler will not let it go", d->domain_id, v);
        if (cur == d->vcpu[v])
            cur = NULL;
        xfree(d->vcpu[v]);
        d->vcpu[v] = NULL;
        struct vcpu_info *vi = d->evtchn.vcpu_info[v];
        if (vi) {
            d->evtchn.vcpu_info[v] = NULL;
            page_put_ref(virt_to_mfn(vi));
        }
    }
    if (page_list_free(&d->pages) != d->tot_pages || d->pages.pages)
        fz_fail("d%u: %lu pages still held after destroy", d->domain_id,
                (unsigned long)d->pages.pages);
    console_ring_destroy(d);
    free_xenheap_pages(d->shared_info, 0);
    fake_p2m_free(d);
    xfree(d);
    fz_dom[i] = NULL;
}

void fz_world_begin(void)
{
    if (!frame_table) {
        frame_table = malloc(page_alloc_table_bytes(NR_FRAMES));
        if (!frame_table)
            abort();
        harness_directmap_init(NR_FRAMES);
        timer_subsystem_init();
        scheduler_init(1);
        /* A control domain may read it (XENVER_commandline). */
        hypercall_set_hypervisor_cmdline("console=com1 loglvl=all sched_slice_ms=10");
    }
    harness_log_clear();
    page_alloc_init(frame_table, NR_FRAMES);
    page_alloc_add_range(1, NR_FRAMES);
    free_at_start = page_alloc_free_pages();
    fake_xmalloc_budget = -1;
    fz_hog_pages = 0;
    console_rx_reset();
    for (domid_t id = 0; id < FZ_NR_DOMS; id++)
        fz_dom[id] = domain_build(id);
    cur = fz_dom[1]->vcpu[0];
    fz_check_world();
}

void fz_world_end(void)
{
    extern void fz_hog_release(void);

    fake_xmalloc_budget = -1;
    fz_check_world();
    fz_hog_release();
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++)
        fz_domain_destroy(i);
    cur = NULL;
    /* Every page, object, reference and timer came back. */
    if (page_alloc_free_pages() != free_at_start)
        fz_fail("leak: %lu pages free after teardown, %lu before the domains",
                (unsigned long)page_alloc_free_pages(), (unsigned long)free_at_start);
    if (page_alloc_verify() < 0)
        fz_fail("page_alloc_verify after teardown");
    if (fake_xmalloc_live)
        fz_fail("leak: %ld xmalloc objects live after teardown", fake_xmalloc_live);
    for (mfn_t m = 0; m < NR_FRAMES; m++)
        if (page_refs(m))
            fz_fail("leak: frame %lu still has %u references", (unsigned long)m, page_refs(m));
    if (timer_next_expiry(0))
        fz_fail("leak: a timer is still queued after teardown");
}

bool fz_set_current(unsigned int dsel, unsigned int sel)
{
    struct domain *d = fz_dom[dsel % FZ_NR_DOMS];

    struct vcpu *v;

    /* Only a running domain's vCPUs make hypercalls, and not while blocked. */
    if (!d || d->state != DOMAIN_RUNNING)
        return false;
    v = d->vcpu[sel % d->max_vcpus];
    if (v->blocked)
        return false;
    cur = v;
    return true;
}

long fz_hypercall(unsigned long nr, const unsigned long a[5], bool compat)
{
    struct hypercall_args args = { .nr = nr, .compat = compat };
    long rc;

    memcpy(args.a, a, sizeof(args.a));
    if (compat)                     /* a 32-bit caller's registers are 32 bits */
        for (unsigned int i = 0; i < 5; i++)
            args.a[i] = (uint32_t)args.a[i];
    for (unsigned int n = 0;; n++) {
        rc = hypercall_dispatch(&args);
        if (rc != HYPERCALL_RESTART)
            return rc;
        if (n == MAX_RESTARTS)
            fz_fail("hypercall %lu: still restarting after %u entries", nr, n);
        /* What another vCPU would see between two entries must hold too. */
        fz_check_world();
        if (compat)
            for (unsigned int i = 0; i < 5; i++)
                if (args.a[i] >> 32)
                    fz_fail("hypercall %lu: restart puts %#lx in a 32-bit register", nr,
                            args.a[i]);
    }
}

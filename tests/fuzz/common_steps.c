/*
 * Steps every hypercall target mixes into its calls (fuzz.h): what the
 * guest writes, what time does, and what the rest of the hypervisor does
 * to domains meanwhile.
 */
#include <keel/console.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/schedule.h>
#include <keel/timer.h>
#include <asm/page.h>
#include <public/memory.h>
#include "../unit/fake_xmalloc.h"
#include "fuzz.h"

#define HOG_OWNER 0x7ffe            /* not a domain the world has */

extern s_time_t fz_now;
uint64_t fz_hog_pages;
static struct page_list hog;

void fz_hog_release(void)
{
    page_list_free(&hog);
    fz_hog_pages = 0;
}

/* Take free memory away until at most `keep` pages are left. */
static void hog_memory(unsigned int keep)
{
    for (unsigned int order = 9;; ) {
        if (page_alloc_free_pages() <= keep)
            break;
        if (alloc_owned_pages(&hog, HOG_OWNER, order) != INVALID_MFN)
            fz_hog_pages += 1ULL << order;
        else if (order-- == 0)
            break;
        else if (page_alloc_free_pages() - keep < (1ULL << order))
            order = 0;
    }
}

static void guest_writes(struct fuzz_input *in)
{
    uint8_t buf[256];
    unsigned int dsel = fz_u8(in);
    uint64_t gva = fz_gva(in, FZ_VA_ARG, false);
    size_t len = fz_u8(in);

    fz_bytes(in, buf, len);
    if (fz_set_current(dsel, dsel >> 2))
        fz_guest_write(gva, buf, len);
}

static void time_passes(struct fuzz_input *in)
{
    fz_now += (s_time_t)fz_u32(in) * 1000;
    timer_softirq_action();
}

/* The hypervisor's own events: VIRQs, the console backend's port. */
static void hypervisor_event(struct fuzz_input *in)
{
    struct domain *d = fz_dom[fz_below(in, FZ_NR_DOMS)];
    unsigned int what = fz_u8(in), n = fz_u8(in);

    if (!d || d->state == DOMAIN_DYING)
        return;
    switch (what % 4) {
    case 0: evtchn_send_virq(d->vcpu[n % d->max_vcpus], what >> 2); break;
    case 1: evtchn_send_global_virq(d, what >> 2); break;
    case 2: evtchn_raise_local(d, n); break;
    default:
        console_ring_drain(d);
        if (d->is_privileged)
            console_rx_put((char)n);
        break;
    }
}

void fz_common_step(struct fuzz_input *in)
{
    uint8_t op = fz_u8(in);
    struct domain *d;

    switch (op % 8) {
    case 0:
    case 1:
        guest_writes(in);
        break;
    case 2:
        time_passes(in);
        break;
    case 3:
        hypervisor_event(in);
        break;
    case 4:                         /* the toolstack pauses or unpauses */
        d = fz_dom[fz_below(in, FZ_NR_DOMS)];
        if (!d)
            break;
        d->pause_count = op & 0x80 ? d->pause_count + 1 : 0;
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            vcpu_update_runnable(d->vcpu[i]);
        break;
    case 5:                         /* a domain shuts down or goes away */
        d = fz_dom[fz_below(in, FZ_NR_DOMS)];
        if (d && (op & 0x80))
            fz_domain_destroy(d->domain_id);
        else if (d)
            domain_shutdown(d, SHUTDOWN_CRASH);
        break;
    case 6:                         /* the next allocations fail */
        fake_xmalloc_budget = fz_u8(in) % 4;
        break;
    default:                        /* memory gets short */
        hog_memory(fz_u8(in) % 64);
        break;
    }
}

/*
 * XENMEM_add_to_physmap as the current vCPU makes it, with the argument
 * at arg, and Xen's rules for the outcome: the page asked for is mapped
 * at gpfn, and the domain's own RAM page that was there is freed, not
 * just unhooked ("to avoid leaking memory", xenmem_add_to_physmap_one),
 * unless the hypervisor holds a reference on it.
 */
long fz_add_to_physmap(uint64_t arg, bool compat, domid_t domid, uint32_t space, uint64_t idx,
                       uint64_t gpfn)
{
    struct domain *d = domid == DOMID_SELF ? current->domain : domain_by_id(domid);
    mfn_t old = d && gpfn < (1ULL << 36) ? p2m_lookup(d, gpfn) : INVALID_MFN, now;
    bool ram = old != INVALID_MFN && page_owned_block(old, d->domain_id, NULL) != INVALID_MFN &&
               !page_refs(old);
    long rc;

    if (compat) {
        struct compat_xen_add_to_physmap x = { .domid = domid, .space = space,
                                               .idx = (uint32_t)idx, .gpfn = (uint32_t)gpfn };
        fz_guest_write(arg, &x, sizeof(x));
        gpfn = (uint32_t)gpfn;
    } else {
        struct xen_add_to_physmap x = { .domid = domid, .space = space, .idx = idx,
                                        .gpfn = gpfn };
        fz_guest_write(arg, &x, sizeof(x));
    }
    rc = fz_hypercall(__HYPERVISOR_memory_op, (unsigned long[5]){ XENMEM_add_to_physmap, arg },
                      compat);
    if (rc != 0 || !d || d->state == DOMAIN_DYING)
        return rc;
    now = p2m_lookup(d, gpfn);
    if (space == XENMAPSPACE_shared_info ? now != virt_to_mfn(d->shared_info)
                                         : !gnttab_is_frame(d, now))
        fz_fail("add_to_physmap space %u: gpfn %#lx maps %#lx", space, (unsigned long)gpfn,
                (unsigned long)now);
    if (ram && page_owned_block(old, d->domain_id, NULL) != INVALID_MFN)
        fz_fail("add_to_physmap space %u: the RAM page at gpfn %#lx is still the domain's, "
                "unreachable", space, (unsigned long)gpfn);
    return rc;
}

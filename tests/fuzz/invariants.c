/*
 * The invariants every hypercall must leave intact, checked after each
 * call (and between the entries of a restarted one):
 *  - memory: the allocator's own checks; each domain's page list well
 *    formed and equal to tot_pages <= max_pages; every owned page on a
 *    live domain's list (or the world's hog); every hypervisor page
 *    accounted for (shared_info, console ring, grant-table frames);
 *  - isolation: a domain's P2M maps only its own pages and its own
 *    hypervisor pages, never a free page or another domain's;
 *  - references: the only ones held are the vcpu_info areas';
 *  - event channels: ports within nr_ports, both ends of a connection
 *    pointing at each other, VIRQ bindings matching virq_to_port,
 *    notify_vcpu an existing vCPU, nothing left on a dying domain;
 *  - grant tables: gnttab_verify() (no holder, no pin left);
 *  - locks: none held.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <keel/errno.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <asm/page.h>
#include "../unit/fake_p2m.h"
#include "../unit/include/harness.h"
#include "fuzz.h"

#define NR_FRAMES_CHECKED 4096      /* fake_world.c's host memory */

void fz_check_rc(const char *what, long rc, const int *allowed)
{
    if (rc >= 0)
        return;
    for (const int *e = allowed; *e; e++)
        if (rc == -*e)
            return;
    fz_fail("%s returned %ld, not a result Xen gives there", what, rc);
}

static bool is_live(const struct domain *d)
{
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++)
        if (fz_dom[i] == d)
            return d != NULL;
    return false;
}

static struct evtchn *port_entry(struct domain *d, unsigned int port)
{
    struct evtchn *b = d->evtchn.bucket[port / EVTCHN_PER_BUCKET];
    return b ? &b[port % EVTCHN_PER_BUCKET] : NULL;
}

static void check_evtchn(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;
    unsigned int id = d->domain_id;

    if (spin_is_locked(&ed->lock))
        fz_fail("d%u: event-channel lock held between calls", id);
    if (ed->nr_ports == 0 || ed->nr_ports > EVTCHN_MAX_PORTS)
        fz_fail("d%u: %u ports", id, ed->nr_ports);
    for (unsigned int port = 0; port < EVTCHN_MAX_PORTS; port++) {
        struct evtchn *chn = port_entry(d, port);
        if (!chn) {
            port += EVTCHN_PER_BUCKET - 1;      /* a bucket never allocated */
            continue;
        }
        if (chn->state == ECS_FREE)
            continue;
        if (port == 0 || port >= ed->nr_ports)
            fz_fail("d%u: port %u in use (state %u), nr_ports %u", id, port, chn->state,
                    ed->nr_ports);
        if (ed->dying)
            fz_fail("d%u: port %u still in use on a dying domain", id, port);
        if (chn->notify_vcpu >= d->max_vcpus)
            fz_fail("d%u: port %u notifies vCPU %u of %u", id, port, chn->notify_vcpu,
                    d->max_vcpus);
        switch (chn->state) {
        case ECS_UNBOUND:
        case ECS_IPI:
            break;
        case ECS_INTERDOMAIN: {
            struct domain *rd = chn->remote;
            struct evtchn *rchn;
            if (!is_live(rd))
                fz_fail("d%u: port %u connected to a domain that is gone", id, port);
            rchn = chn->remote_port < rd->evtchn.nr_ports ? port_entry(rd, chn->remote_port)
                                                          : NULL;
            if (!rchn || rchn->state != ECS_INTERDOMAIN || rchn->remote != d ||
                rchn->remote_port != port)
                fz_fail("d%u: port %u -> d%u port %u does not point back", id, port,
                        rd->domain_id, chn->remote_port);
            break;
        }
        case ECS_VIRQ: {
            unsigned int vcpu = evtchn_virq_is_global(chn->virq) ? 0 : chn->notify_vcpu;
            if (chn->virq >= NR_VIRQS || ed->virq_to_port[vcpu][chn->virq] != port)
                fz_fail("d%u: port %u bound to VIRQ %u on vCPU %u, table says port %u", id,
                        port, chn->virq, vcpu,
                        chn->virq < NR_VIRQS ? ed->virq_to_port[vcpu][chn->virq] : 0);
            break;
        }
        default:
            fz_fail("d%u: port %u in state %u", id, port, chn->state);
        }
    }
    for (unsigned int v = 0; v < MAX_VIRT_CPUS; v++)
        for (unsigned int virq = 0; virq < NR_VIRQS; virq++) {
            unsigned int port = ed->virq_to_port[v][virq];
            struct evtchn *chn;
            if (!port)
                continue;
            chn = port < ed->nr_ports ? port_entry(d, port) : NULL;
            if (v >= d->max_vcpus || (v && evtchn_virq_is_global(virq)) || !chn ||
                chn->state != ECS_VIRQ || chn->virq != virq ||
                (!evtchn_virq_is_global(virq) && chn->notify_vcpu != v))
                fz_fail("d%u: virq_to_port[%u][%u] = %u, a port not bound to it", id, v,
                        virq, port);
        }
}

/*
 * Who owns each frame, from the domains' page lists (one walk per check;
 * page_list_verify() has checked the lists against the frame table).
 */
static uint16_t frame_owner[NR_FRAMES_CHECKED];

static void map_owners(void)
{
    for (mfn_t m = 0; m < NR_FRAMES_CHECKED; m++)
        frame_owner[m] = PAGE_OWNER_NONE;
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++) {
        struct domain *d = fz_dom[i];
        mfn_t head;
        if (!d)
            continue;
        head = d->pages.first;
        for (uint64_t b = 0; b < d->pages.blocks; b++) {
            struct page_info *pg = mfn_to_page(head);
            for (mfn_t m = head; m < head + (1ULL << pg->order) && m < NR_FRAMES_CHECKED; m++)
                frame_owner[m] = d->domain_id;
            head = pg->next;
        }
    }
}

static bool frame_owned_by(mfn_t m, uint16_t owner)
{
    return m < NR_FRAMES_CHECKED && frame_owner[m] == owner;
}

static bool hypervisor_page_of(struct domain *d, mfn_t m)
{
    return m == virt_to_mfn(d->shared_info) ||
           (d->console_ring && m == virt_to_mfn(d->console_ring)) || gnttab_is_frame(d, m);
}

static void check_p2m_entry(struct domain *d, uint64_t gfn, mfn_t m)
{
    if (m == INVALID_MFN)
        return;
    if (m >= NR_FRAMES_CHECKED)
        fz_fail("d%u: gfn %#lx maps frame %#lx, outside host memory", d->domain_id,
                (unsigned long)gfn, (unsigned long)m);
    if (!frame_owned_by(m, d->domain_id) && !hypervisor_page_of(d, m))
        fz_fail("d%u: gfn %#lx maps frame %#lx, which is neither its own nor one of its "
                "hypervisor pages", d->domain_id, (unsigned long)gfn, (unsigned long)m);
}

static void check_memory(struct domain *d, uint32_t *refs)
{
    struct fake_p2m *p = fake_p2m_of(d);
    unsigned int id = d->domain_id;

    if (spin_is_locked(&d->mem_lock) || spin_is_locked(&d->lock))
        fz_fail("d%u: a domain lock is held between calls", id);
    if (d->tot_pages != d->pages.pages || d->tot_pages > d->max_pages)
        fz_fail("d%u: tot_pages %lu, on its list %lu, max %lu", id,
                (unsigned long)d->tot_pages, (unsigned long)d->pages.pages,
                (unsigned long)d->max_pages);
    for (uint64_t gfn = 0; gfn < p->nr_gfns; gfn++)
        if (p->map[gfn] != INVALID_MFN)
            check_p2m_entry(d, gfn, p->map[gfn]);
    for (unsigned int i = 0; i < p->nr_high; i++)
        check_p2m_entry(d, p->high[i].gfn, p->high[i].mfn);
    if (d->shared_info_gfn != ~0ULL &&
        p2m_lookup(d, d->shared_info_gfn) != virt_to_mfn(d->shared_info) &&
        !gnttab_is_frame(d, p2m_lookup(d, d->shared_info_gfn)) &&
        p2m_lookup(d, d->shared_info_gfn) != INVALID_MFN &&
        !frame_owned_by(p2m_lookup(d, d->shared_info_gfn), id))
        fz_fail("d%u: shared_info_gfn %#lx maps something else", id,
                (unsigned long)d->shared_info_gfn);
    /* A vcpu_info area: in a frame of the domain's own, referenced. */
    for (unsigned int v = 0; v < MAX_VIRT_CPUS; v++) {
        struct vcpu_info *vi = d->evtchn.vcpu_info[v];
        mfn_t m;
        if (!vi)
            continue;
        m = virt_to_mfn(vi);
        if (v >= d->max_vcpus || m >= NR_FRAMES_CHECKED || !frame_owned_by(m, id) ||
            ((uintptr_t)vi & 7) || ((uintptr_t)vi & ~PAGE_MASK) > PAGE_SIZE - sizeof(*vi))
            fz_fail("d%u: vCPU %u's vcpu_info at frame %#lx is not a place of its own", id, v,
                    (unsigned long)m);
        refs[m]++;
    }
}

void fz_check_world(void)
{
    static uint32_t refs[NR_FRAMES_CHECKED];
    struct page_alloc_stats st;
    uint64_t owned = fz_hog_pages, hv_pages = 0;

    if (page_alloc_verify() < 0)
        fz_fail("page_alloc_verify");
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++)
        if (fz_dom[i] && page_list_verify(&fz_dom[i]->pages, fz_dom[i]->domain_id) < 0)
            fz_fail("d%u: page list broken", fz_dom[i]->domain_id);
    map_owners();
    memset(refs, 0, sizeof(refs));
    for (unsigned int i = 0; i < FZ_NR_DOMS; i++) {
        struct domain *d = fz_dom[i];
        uint64_t gt_pages;
        if (!d)
            continue;
        check_memory(d, refs);
        check_evtchn(d);
        if (gnttab_verify(d, &gt_pages) < 0)
            fz_fail("d%u: gnttab_verify", d->domain_id);
        owned += d->pages.pages;
        hv_pages += 2 + gt_pages;       /* shared_info, console ring, grant table */
        if (d->refs)
            fz_fail("d%u: %u domain references left after the call", d->domain_id, d->refs);
        for (unsigned int v = 0; v < d->max_vcpus; v++)
            if (d->vcpu[v]->poll_port != POLL_NONE && !d->vcpu[v]->blocked)
                fz_fail("d%u: vCPU %u polls without being blocked", d->domain_id, v);
    }
    page_alloc_get_stats(&st);
    if (st.owned_pages != owned)
        fz_fail("%lu owned pages, but the domains' lists hold %lu", (unsigned long)st.owned_pages,
                (unsigned long)owned);
    if (st.total_pages - st.free_pages - st.owned_pages != hv_pages)
        fz_fail("%lu hypervisor pages allocated, %lu accounted for",
                (unsigned long)(st.total_pages - st.free_pages - st.owned_pages),
                (unsigned long)hv_pages);
    for (mfn_t m = 0; m < NR_FRAMES_CHECKED; m++)
        if (page_refs(m) != refs[m])
            fz_fail("frame %#lx: %u references held, %u vcpu_info areas there",
                    (unsigned long)m, page_refs(m), refs[m]);
}

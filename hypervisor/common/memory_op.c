/*
 * memory_op (hypercall 12): reservation queries, the memory map,
 * add_to_physmap for the shared_info page, and ballooning:
 * decrease_reservation gives a domain's pages back to the hypervisor's free
 * pool, populate_physmap gives it new (zeroed) ones at the GFNs it names,
 * increase_reservation gives it pages it cannot map (a translated guest has
 * no use for them; Xen does the same).  Xen 4.17's semantics and results;
 * docs/hypercalls.md says where and why Keel differs.
 */
#include <keel/bug.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/pvh_build.h>
#include <asm/page.h>
#include <public/memory.h>

#define GPFN_LIMIT (1ULL << (48 - PAGE_SHIFT))  /* 4-level nested paging */

/*
 * The largest extent_order a caller may use, Xen x86's defaults
 * (memop-max-order): 2 MiB for a domU, 2 * 9 for the control domain (our
 * allocator's largest block, 1 GiB, as well).
 */
#define DOMU_MAX_ORDER   9
#define CTLDOM_MAX_ORDER 18
#define MAX_NUMNODES     64         /* Xen x86: node numbers a hint may name */

/*
 * Pages of work per hypercall entry; the rest of the extents is continued
 * (the call restarts with the count done in cmd, as Xen's continuations
 * do), so a big request cannot hold a CPU for long.  Xen continues when
 * its preemption check says so; a fixed budget gives guests the same
 * results.  At least one extent is done per entry.
 */
#define RESERVATION_PAGES_PER_CALL 512

/* The domain a guest names: itself (DOMID_SELF or its own ID), or another
 * one if it is the control domain.  With a reference: domain_put() it. */
static int target_domain(domid_t id, struct domain **out)
{
    struct domain *me = current->domain;

    if (id == DOMID_SELF || id == me->domain_id) {
        domain_hold(me);
        *out = me;
        return 0;
    }
    struct domain *d = domain_get(id);
    if (!d)
        return -ESRCH;
    if (!me->is_privileged) {
        domain_put(d);
        return -EPERM;
    }
    *out = d;
    return 0;
}

static long reservation(uint64_t arg, bool maximum)
{
    domid_t id;
    struct domain *d;
    int rc;

    if (copy_from_guest(&id, arg, sizeof(id)) < 0)
        return -EFAULT;
    if ((rc = target_domain(id, &d)) < 0)
        return rc;
    long pages = (long)(maximum ? d->max_pages : d->tot_pages);
    domain_put(d);
    return pages;
}

/* ---- a domain's RAM: taking frames out, putting frames in ---------------- */

/*
 * One call's changes to a domain's memory.  Frames taken out of the P2M
 * wait on `dying` (still owned by the domain, no longer counted or
 * reachable by GFN) until every vCPU has been told to drop its stale
 * translations; only then are they freed.
 */
struct mem_change {
    struct domain *d;
    uint16_t owner;             /* the domain's tag in the frame table */
    struct page_list dying;
    bool flush;                 /* a present mapping changed or went */
    uint64_t added, removed;    /* pages, for the log line */
};

static void change_begin(struct mem_change *c, struct domain *d)
{
    memset(c, 0, sizeof(*c));
    c->d = d;
    c->owner = d->domain_id;
}

/* Flush, free what was taken out, and say what changed. */
static void change_end(struct mem_change *c)
{
    struct domain *d = c->d;

    if (c->flush)
        p2m_flush_guest_tlbs(d);
    page_list_free(&c->dying);
    if (c->dying.blocks) {
        /*
         * Someone took a reference after we looked (references are meant
         * to be taken under mem_lock): what it holds stays the domain's,
         * freed when the domain is destroyed.
         */
        spin_lock(&d->mem_lock);
        c->removed -= c->dying.pages;
        while (c->dying.blocks)
            BUG_ON(page_list_move(&c->dying, &d->pages, c->dying.first) < 0);
        d->tot_pages = d->pages.pages;
        spin_unlock(&d->mem_lock);
    }
    if (c->added == c->removed)
        return;
    bool up = c->added > c->removed;
    pr_debug("d%u %s: balloon %c%lu pages (now %lu), %lu pages free, %lu P2M pages\n",
             d->domain_id, d->name, up ? '+' : '-',
             (unsigned long)(up ? c->added - c->removed : c->removed - c->added),
             (unsigned long)d->tot_pages, (unsigned long)page_alloc_free_pages(),
             (unsigned long)p2m_table_pages(d));
}

static bool frames_referenced(mfn_t mfn, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (page_refs(mfn + i))
            return true;
    return false;
}

/* Move [mfn, mfn + 2^order) of the domain's to the dying list. */
static void take_frames(struct mem_change *c, mfn_t mfn, unsigned int order)
{
    struct domain *d = c->d;

    BUG_ON(page_isolate(&d->pages, c->owner, mfn, order) < 0);
    BUG_ON(page_list_move(&d->pages, &c->dying, mfn) < 0);
    d->tot_pages = d->pages.pages;
    c->removed += 1ULL << order;
}

/*
 * Take the guest frame at gfn out of the domain (Xen's guest_remove_page),
 * or the whole 2 MiB leaf that starts there when `left` covers it.
 * Returns the frames done, or -ENOENT (nothing mapped there), -ENXIO (not
 * the domain's own RAM: the shared_info page, the console ring, a grant
 * frame, which the hypervisor owns and keeps using), -ENOMEM (no page to
 * split a 2 MiB mapping).  A frame the hypervisor holds a reference on (a
 * vCPU's vcpu_info area) is unmapped but not freed: it stays the domain's,
 * and counted, until the domain is destroyed, as in Xen, where the
 * reference keeps the page alive.  mem_lock held.
 */
static long remove_frames(struct mem_change *c, uint64_t gfn, uint64_t left)
{
    struct domain *d = c->d;
    unsigned int leaf, order;
    mfn_t mfn = p2m_lookup_order(d, gfn, &leaf);

    if (mfn == INVALID_MFN)
        return -ENOENT;
    if (page_owned_block(mfn, c->owner, &order) == INVALID_MFN)
        return -ENXIO;
    /* A 2 MiB leaf maps 512 frames of one block of at least that order. */
    if (leaf == 9 && IS_ALIGNED(gfn, 512) && left >= 512 && order >= 9 &&
        !frames_referenced(mfn, 512)) {
        if (p2m_set_range(d, gfn, INVALID_MFN, 512) < 0)
            return -ENOMEM;
        c->flush = true;
        take_frames(c, mfn, 9);
        return 512;
    }
    if (p2m_set_range(d, gfn, INVALID_MFN, 1) < 0)
        return -ENOMEM;
    c->flush = true;
    if (!page_refs(mfn))
        take_frames(c, mfn, 0);
    return 1;
}

/*
 * Whether [gfn, gfn + n) may be (re)populated: every frame mapped there is
 * the domain's own RAM (which Xen replaces; the old frames stay the
 * domain's, counted, until it is destroyed).  Hypervisor pages (shared_info,
 * console ring, grant frames) are never replaced this way.  *mapped: some
 * frame was.  mem_lock held.
 */
static bool range_replaceable(struct mem_change *c, uint64_t gfn, uint64_t n, bool *mapped)
{
    *mapped = false;
    for (uint64_t i = 0; i < n;) {
        unsigned int leaf;
        mfn_t mfn = p2m_lookup_order(c->d, gfn + i, &leaf);
        uint64_t step = 1;

        if (mfn != INVALID_MFN) {
            if (page_owned_block(mfn, c->owner, NULL) == INVALID_MFN)
                return false;
            *mapped = true;
            if (leaf == 9)          /* one block's frames up to the leaf's end */
                step = 512 - ((gfn + i) & 511);
        }
        i += step;
    }
    return true;
}

/*
 * A new block of 2^order pages for the domain, unless that would take it
 * past max_pages (Xen's assign_pages rule) or the host is out of memory.
 * It waits on *fresh, not counted yet.
 */
static mfn_t new_block(struct mem_change *c, struct page_list *fresh, unsigned int order)
{
    struct domain *d = c->d;

    if (d->tot_pages + (1ULL << order) > d->max_pages)
        return INVALID_MFN;         /* checked again under mem_lock */
    return alloc_owned_pages(fresh, c->owner, order);
}

/* Count the block on *fresh as the domain's (mem_lock held); false past max_pages. */
static bool adopt_block(struct mem_change *c, struct page_list *fresh, mfn_t mfn,
                        unsigned int order)
{
    struct domain *d = c->d;

    if (d->tot_pages + (1ULL << order) > d->max_pages)
        return false;
    BUG_ON(page_list_move(fresh, &d->pages, mfn) < 0);
    d->tot_pages = d->pages.pages;
    c->added += 1ULL << order;
    return true;
}

/* Undo adopt_block for a block nothing maps (mem_lock held): it waits on *fresh again. */
static void disown_block(struct mem_change *c, struct page_list *fresh, mfn_t mfn,
                         unsigned int order)
{
    struct domain *d = c->d;

    BUG_ON(page_list_move(&d->pages, fresh, mfn) < 0);
    d->tot_pages = d->pages.pages;
    c->added -= 1ULL << order;
}

/* Whether any of [gfn, gfn + n) maps a frame of the block at mfn (mem_lock held). */
static bool block_mapped(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        mfn_t m = p2m_lookup(d, gfn + i);
        if (m >= mfn && m < mfn + n)
            return true;
    }
    return false;
}

static bool decrease_extent(struct mem_change *c, uint64_t gfn, unsigned int order)
{
    uint64_t n = 1ULL << order, j = 0;
    long done = 0;

    if (gfn >= GPFN_LIMIT)
        return false;               /* (so gfn + j below cannot wrap) */
    spin_lock(&c->d->mem_lock);
    /* Frame by frame, as Xen: a failure leaves the frames before it gone. */
    while (j < n) {
        done = remove_frames(c, gfn + j, n - j);
        if (done < 0)
            break;
        j += (uint64_t)done;
    }
    spin_unlock(&c->d->mem_lock);
    if (done < 0)
        pr_debug("d%u %s: decrease_reservation: gfn %#lx: %s\n", c->d->domain_id,
                 c->d->name, (unsigned long)gfn,
                 done == -ENOENT ? "not populated" :
                 done == -ENXIO ? "not the domain's own RAM" : "out of memory");
    return done >= 0;
}

static bool populate_extent(struct mem_change *c, uint64_t gfn, unsigned int order)
{
    struct domain *d = c->d;
    struct page_list fresh = { 0 };
    uint64_t n = 1ULL << order;
    bool ok = false, mapped = false;
    const char *why = "past max_pages or out of memory";
    mfn_t mfn;

    if (gfn >= GPFN_LIMIT || n > GPFN_LIMIT - gfn) {
        why = "beyond the guest-physical space";
        goto out;
    }
    mfn = new_block(c, &fresh, order);
    if (mfn == INVALID_MFN)
        goto out;
    /* Guests must never see what a previous owner left. */
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE << order);

    spin_lock(&d->mem_lock);
    if (!range_replaceable(c, gfn, n, &mapped))
        why = "a hypervisor page is mapped there";
    else if (adopt_block(c, &fresh, mfn, order)) {
        ok = p2m_set_range(d, gfn, mfn, n) == 0;
        why = "no page for the P2M (its table budget is used up)";
        c->flush |= mapped;
        /*
         * A block the P2M could not map at all goes back to the free pool.
         * One mapped in part stays the domain's, counted, as Xen leaves
         * every block whose mapping failed; the domain frees it with
         * decrease_reservation, or it goes with the domain.
         */
        if (!ok && !block_mapped(d, gfn, mfn, n))
            disown_block(c, &fresh, mfn, order);
    }
    spin_unlock(&d->mem_lock);
out:
    if (fresh.blocks)
        page_list_free(&fresh);
    if (!ok)
        pr_debug("d%u %s: populate_physmap: gfn %#lx order %u: %s\n", d->domain_id,
                 d->name, (unsigned long)gfn, order, why);
    return ok;
}

/*
 * A translated guest gets frames it has no GFN for (nothing maps them).
 * Zeroed all the same: no page a domain owns ever holds another's data.
 */
static bool increase_extent(struct mem_change *c, unsigned int order)
{
    struct page_list fresh = { 0 };
    mfn_t mfn = new_block(c, &fresh, order);
    bool ok = false;

    if (mfn != INVALID_MFN) {
        memset(mfn_to_virt(mfn), 0, PAGE_SIZE << order);
        spin_lock(&c->d->mem_lock);
        ok = adopt_block(c, &fresh, mfn, order);
        spin_unlock(&c->d->mem_lock);
    }
    if (fresh.blocks)
        page_list_free(&fresh);
    return ok;
}

/* ---- increase_reservation, decrease_reservation, populate_physmap -------- */

struct reservation {
    uint64_t extent_start, nr_extents;
    unsigned int extent_order, mem_flags;
    domid_t domid;
};

static bool read_reservation(uint64_t arg, bool compat, struct reservation *r)
{
    if (compat) {
        struct compat_xen_memory_reservation x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return false;
        *r = (struct reservation){ x.extent_start, x.nr_extents, x.extent_order,
                                   x.mem_flags, x.domid };
    } else {
        struct xen_memory_reservation x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return false;
        *r = (struct reservation){ x.extent_start, x.nr_extents, x.extent_order,
                                   x.mem_flags, x.domid };
    }
    return true;
}

/* Extent i's first frame: 8-byte entries, 4-byte ones for 32-bit callers. */
static bool read_extent(const struct reservation *r, bool compat, uint64_t i, uint64_t *gfn)
{
    if (compat) {
        uint32_t v;
        uint64_t at = r->extent_start + i * sizeof(v);
        if (at + sizeof(v) > 0x100000000ULL || copy_from_guest(&v, at, sizeof(v)) < 0)
            return false;
        *gfn = v;
        return true;
    }
    return copy_from_guest(gfn, r->extent_start + i * sizeof(*gfn), sizeof(*gfn)) == 0;
}

/*
 * The allocation hints Xen rejects (construct_memop_from_reservation):
 * address_bits of a page or less, and a NUMA node a domU may not demand or
 * the control domain names beyond MAX_NUMNODES.  The rest is accepted and
 * ignored: one allocator, no zones, one node, no vNUMA.
 */
static bool mem_flags_ok(unsigned int flags, bool privileged)
{
    unsigned int bits = XENMEMF_get_address_bits(flags);

    if (bits && bits <= PAGE_SHIFT)
        return false;
    if ((flags & XENMEMF_vnode) || XENMEMF_get_node(flags) == 0xff)
        return true;
    if (privileged)
        return XENMEMF_get_node(flags) < MAX_NUMNODES;
    return !(flags & XENMEMF_exact_node_request);
}

/*
 * Xen answers every failure of these three with the number of extents done
 * so far (start_extent when nothing was): a bad argument, an unknown or
 * forbidden domain, a bad order or flags, an extent that cannot be done.
 * There is no negative error code.
 */
static long reservation_op(struct hypercall_args *args, unsigned int op)
{
    uint64_t start = args->a[0] >> MEMOP_EXTENT_SHIFT, i;
    struct domain *caller = current->domain, *d;
    struct reservation r;
    struct mem_change c;
    uint64_t work = 0;
    bool ok = true;

    if (!read_reservation(args->a[1], args->compat, &r) ||
        r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents ||
        !mem_flags_ok(r.mem_flags, caller->is_privileged) ||
        r.extent_order > (caller->is_privileged ? CTLDOM_MAX_ORDER : DOMU_MAX_ORDER) ||
        /* Populate-on-demand: Xen refuses it on oneself; Keel has none for others. */
        (op == XENMEM_populate_physmap && (r.mem_flags & XENMEMF_populate_on_demand)) ||
        target_domain(r.domid, &d) < 0)
        return (long)start;

    change_begin(&c, d);
    for (i = start; i < r.nr_extents && ok; i++) {
        uint64_t gfn = 0;

        if (i != start && work >= RESERVATION_PAGES_PER_CALL)
            break;
        if (op == XENMEM_increase_reservation)
            ok = increase_extent(&c, r.extent_order);
        else if (!read_extent(&r, args->compat, i, &gfn))
            ok = false;
        else if (op == XENMEM_decrease_reservation)
            ok = decrease_extent(&c, gfn, r.extent_order);
        else
            ok = populate_extent(&c, gfn, r.extent_order);
        work += 1ULL << r.extent_order;
    }
    if (!ok)
        i--;                        /* the extent that failed is not done */
    change_end(&c);
    domain_put(d);
    if (ok && i < r.nr_extents) {
        args->a[0] = op | (i << MEMOP_EXTENT_SHIFT);
        return HYPERCALL_RESTART;
    }
    return (long)i;
}

static long memory_map(uint64_t arg, bool compat)
{
    struct domain *d = current->domain;
    struct mem_range ram[PVH_MEMMAP_MAX];
    unsigned int n = guest_ram_ranges(d->config.memory_mib << 20, ram);
    uint32_t room;
    uint64_t buffer;

    if (compat) {
        struct compat_xen_memory_map m;
        if (copy_from_guest(&m, arg, sizeof(m)) < 0)
            return -EFAULT;
        room = m.nr_entries, buffer = m.buffer;
    } else {
        struct xen_memory_map m;
        if (copy_from_guest(&m, arg, sizeof(m)) < 0)
            return -EFAULT;
        room = m.nr_entries, buffer = m.buffer;
    }
    uint32_t count = MIN(room, n);
    for (uint32_t i = 0; i < count; i++) {
        struct e820_entry e = { ram[i].start, ram[i].end - ram[i].start, 1 /* RAM */ };
        if (copy_to_guest(buffer + i * sizeof(e), &e, sizeof(e)) < 0)
            return -EFAULT;
    }
    /* nr_entries is at offset 0 in both layouts. */
    if (copy_to_guest(arg, &count, sizeof(count)) < 0)
        return -EFAULT;
    return 0;
}

/*
 * A hypervisor page at gfn, as Xen's add_to_physmap places one (keel/p2m.h):
 * the domain's RAM page there goes back to the free pool (one still
 * referenced stays the domain's, see remove_frames); a hypervisor page
 * there is only unhooked; the page's old place, if it still maps it, is
 * left empty.
 */
int p2m_add_hypervisor_page(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t old_gfn)
{
    struct mem_change c;
    mfn_t there, old;
    int rc = 0;

    if (gfn >= GPFN_LIMIT)
        return -EINVAL;
    change_begin(&c, d);
    spin_lock(&d->mem_lock);
    there = p2m_lookup(d, gfn);
    if (there != mfn) {
        if (there != INVALID_MFN && page_owned_block(there, c.owner, NULL) != INVALID_MFN)
            rc = remove_frames(&c, gfn, 1) < 0 ? -ENOMEM : 0;
        if (rc == 0 && old_gfn != ~0ULL && old_gfn != gfn && p2m_lookup(d, old_gfn) == mfn)
            p2m_set_4k(d, old_gfn, INVALID_MFN, &old);
        if (rc == 0)
            rc = p2m_set_4k(d, gfn, mfn, &old);
        c.flush = true;
    }
    spin_unlock(&d->mem_lock);
    change_end(&c);
    return rc;
}

/* The shared_info page at gpfn; its old place (a second call, or resume) is left empty. */
static long map_shared_info(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    int rc;

    if (idx != 0 || gpfn >= GPFN_LIMIT)
        return -EINVAL;
    rc = p2m_add_hypervisor_page(d, gpfn, virt_to_mfn(d->shared_info), d->shared_info_gfn);
    if (rc == 0)
        d->shared_info_gfn = gpfn;
    return rc;
}

static long add_to_physmap(uint64_t arg, bool compat)
{
    uint64_t idx, gpfn;
    uint32_t space;
    domid_t id;
    struct domain *d;
    int rc;

    if (compat) {
        struct compat_xen_add_to_physmap x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return -EFAULT;
        id = x.domid, space = x.space, idx = x.idx, gpfn = x.gpfn;
    } else {
        struct xen_add_to_physmap x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return -EFAULT;
        id = x.domid, space = x.space, idx = x.idx, gpfn = x.gpfn;
    }
    if ((rc = target_domain(id, &d)) < 0)
        return rc;
    switch (space) {
    case XENMAPSPACE_shared_info:
        rc = map_shared_info(d, idx, gpfn);
        break;
    case XENMAPSPACE_grant_table:
        rc = gnttab_add_to_physmap(d, idx, gpfn);
        break;
    default:
        rc = -ENOSYS;
    }
    domain_put(d);
    return rc;
}

long do_memory_op(struct hypercall_args *args)
{
    unsigned int cmd = args->a[0] & MEMOP_CMD_MASK;
    uint64_t arg = args->a[1];

    switch (cmd) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(args, cmd);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        if (args->a[0] >> MEMOP_EXTENT_SHIFT)
            return -EINVAL;         /* no continuation index here, as Xen */
        return reservation(arg, cmd == XENMEM_maximum_reservation);
    case XENMEM_memory_map:
        return memory_map(arg, args->compat);
    case XENMEM_add_to_physmap:
        return add_to_physmap(arg, args->compat);
    default:
        return -ENOSYS;
    }
}

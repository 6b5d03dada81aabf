/*
 * Grant tables v1 and grant_table_op (hypercall 20), with Xen 4.17's
 * semantics and error codes (xen/common/grant_table.c and its compat
 * wrapper xen/common/compat/grant_table.c were the reference).  See
 * keel/grant_table.h for the model, locking and lifetime rules.
 *
 * Implemented: query_size, setup_table, set_version (1 only), get_version
 * and copy.  Mapping grants (map_grant_ref, unmap_grant_ref,
 * unmap_and_replace), transfer, dump_table, get_status_frames,
 * swap_grant_ref and cache_flush answer -ENOSYS.
 *
 * The table frames are shared with the guest, which may write them at any
 * time: an entry is read once into locals, and GTF_reading/GTF_writing are
 * set with a compare-and-swap over flags and domid together that re-checks
 * both, as Xen does, and cleared with an atomic AND on flags alone.
 *
 * A copy writes a frame through the direct map while no lock is held, so
 * each frame it uses is looked up in its owner's P2M and referenced
 * (page_get_ref) under that domain's mem_lock, the lock ballooning takes:
 * a referenced frame is never freed (XENMEM_decrease_reservation only
 * unmaps it), as Xen's get_page() keeps it.  Lock order: the table's
 * map_lock, the domain's mem_lock, its grant-table lock, the P2M's lock.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>
#include <asm/page.h>
#include <public/grant_table.h>

#define GPFN_LIMIT  (1ULL << (48 - PAGE_SHIFT))     /* 4-level nested paging */
#define NO_GFN      (~0ULL)                         /* frame not mapped */

/*
 * Copies done per hypercall entry; the rest of a batch is continued (the
 * call is restarted with the pointer and count of what is left), so one
 * guest cannot hold its physical CPU for long.  Xen continues when a
 * preemption check asks it to; the guest sees the same result.
 */
#define GNTTAB_COPY_PER_CALL    16

/* How often a compare-and-swap on an entry is retried before the entry is
 * called unstable (a guest rewriting it in a loop must not livelock us). */
#define GNTTAB_CAS_TRIES        5

/*
 * Keel's bookkeeping for one grant while copies use it: how many hold it
 * for reading and for writing (so the in-use flags are cleared only by
 * the last one), for which domain, and the frame they resolved.
 */
struct active_grant {
    uint16_t readers;
    uint16_t writers;
    domid_t domid;
    uint16_t pad;
    mfn_t mfn;                      /* referenced while readers + writers > 0 */
};
#define ACTIVE_ORDER    1           /* 512 entries of 16 bytes: two pages */
_Static_assert(sizeof(struct active_grant) * GNTTAB_V1_PER_FRAME == (PAGE_SIZE << ACTIVE_ORDER),
               "active grants fill their pages");
_Static_assert(sizeof(struct grant_entry_v1) * GNTTAB_V1_PER_FRAME == PAGE_SIZE,
               "grant entries fill a frame");

struct grant_table {
    spinlock_t map_lock;            /* placing frames in the P2M (add_to_physmap) */
    spinlock_t lock;                /* frames, gfn[], active counters */
    struct domain *domain;          /* the granting domain */
    unsigned int nr_frames;         /* frames in use: entries < nr_frames * 512 */
    unsigned int version;           /* always 1 */
    unsigned int users;             /* holders from gt_hold() (atomic) */
    bool dying;                     /* gnttab_destroy() began: no new holders */
    struct grant_entry_v1 *shared[GNTTAB_MAX_FRAMES];  /* guest-visible frames */
    struct active_grant *active[GNTTAB_MAX_FRAMES];
    uint64_t gfn[GNTTAB_MAX_FRAMES];    /* where the domain mapped each; NO_GFN */
};

/* Makes "look up a domain, hold its table" atomic against gnttab_destroy(). */
static DEFINE_SPINLOCK(gnttab_lifetime_lock);

/* ---- table frames ----------------------------------------------------------- */

/* Grow to nr frames (lock held or table unpublished).  Frames are added one
 * at a time; on -ENOMEM the ones added so far stay. */
static int grow(struct grant_table *gt, unsigned int nr)
{
    while (gt->nr_frames < nr) {
        unsigned int i = gt->nr_frames;
        void *shared = alloc_xenheap_pages(0);
        void *active = alloc_xenheap_pages(ACTIVE_ORDER);

        if (!shared || !active) {
            if (shared)
                free_xenheap_pages(shared, 0);
            if (active)
                free_xenheap_pages(active, ACTIVE_ORDER);
            return -ENOMEM;
        }
        /* The guest must never see what a previous owner left. */
        memset(shared, 0, PAGE_SIZE);
        memset(active, 0, PAGE_SIZE << ACTIVE_ORDER);
        gt->shared[i] = shared;
        gt->active[i] = active;
        gt->gfn[i] = NO_GFN;
        gt->nr_frames = i + 1;
    }
    return 0;
}

static void table_free(struct grant_table *gt)
{
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        free_xenheap_pages(gt->shared[i], 0);
        free_xenheap_pages(gt->active[i], ACTIVE_ORDER);
    }
    xfree(gt);
}

static struct grant_table *table_alloc(struct domain *d)
{
    struct grant_table *gt = xzalloc(struct grant_table);

    if (!gt)
        return NULL;
    spin_lock_init(&gt->map_lock);
    spin_lock_init(&gt->lock);
    gt->domain = d;
    gt->version = 1;
    if (grow(gt, GNTTAB_INITIAL_FRAMES) < 0) {
        table_free(gt);
        return NULL;
    }
    return gt;
}

static struct grant_entry_v1 *entry_of(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->shared[ref / GNTTAB_V1_PER_FRAME][ref % GNTTAB_V1_PER_FRAME];
}

static struct active_grant *active_of(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / GNTTAB_V1_PER_FRAME][ref % GNTTAB_V1_PER_FRAME];
}

/* The GFN frame i is mapped at, or NO_GFN.  gfn[] remembers where we put
 * it; the P2M says whether it is still there (another add_to_physmap may
 * have replaced it since).  Lock held. */
static uint64_t frame_gfn(struct grant_table *gt, unsigned int i)
{
    uint64_t gfn = gt->gfn[i];

    if (gfn != NO_GFN && p2m_lookup(gt->domain, gfn) != virt_to_mfn(gt->shared[i]))
        gfn = gt->gfn[i] = NO_GFN;
    return gfn;
}

/* ---- lifetime --------------------------------------------------------------- */

/* Hold d's table (creating it on first use).  Lifetime lock held. */
static int hold_locked(struct domain *d, struct grant_table **out)
{
    struct grant_table *gt = d->grant_table;

    if (!gt) {
        if (d->state == DOMAIN_DYING)
            return -ESRCH;
        gt = table_alloc(d);
        if (!gt)
            return -ENOMEM;
        __atomic_store_n(&d->grant_table, gt, __ATOMIC_RELEASE);
    }
    if (gt->dying)
        return -ESRCH;
    __atomic_fetch_add(&gt->users, 1, __ATOMIC_ACQUIRE);
    *out = gt;
    return 0;
}

/* Hold the table of a domain the caller already has a safe pointer to
 * (itself, or one memory_op looked up).  0, -ESRCH (dying), -ENOMEM. */
static int gt_hold(struct domain *d, struct grant_table **out)
{
    spin_lock(&gnttab_lifetime_lock);
    int rc = hold_locked(d, out);
    spin_unlock(&gnttab_lifetime_lock);
    return rc;
}

/*
 * Hold the table of domain id (DOMID_SELF: the caller), as Xen's
 * rcu_lock_domain_by_any_id() finds it.  0, -ESRCH (no such domain) or
 * -ENOMEM; *dp is the domain.
 */
static int gt_get(domid_t id, struct domain **dp, struct grant_table **out)
{
    struct domain *me = current->domain;
    int rc = -ESRCH;

    spin_lock(&gnttab_lifetime_lock);
    struct domain *d = id == DOMID_SELF ? me : domain_by_id(id);
    if (d)
        rc = hold_locked(d, out);
    spin_unlock(&gnttab_lifetime_lock);
    *dp = d;
    return rc;
}

static void gt_put(struct grant_table *gt)
{
    __atomic_fetch_sub(&gt->users, 1, __ATOMIC_RELEASE);
}

/*
 * The target of query_size / setup_table: the caller itself, or any
 * domain for the control domain (Xen's XSM_TARGET default).  GNTST_okay
 * with the table held, GNTST_bad_domain or GNTST_permission_denied.
 */
static int16_t gt_get_target(domid_t id, struct grant_table **out)
{
    struct domain *d;
    int rc = gt_get(id, &d, out);

    if (rc == -ESRCH)
        return GNTST_bad_domain;
    if (rc < 0)
        return GNTST_general_error;
    if (d != current->domain && !current->domain->is_privileged) {
        gt_put(*out);
        return GNTST_permission_denied;
    }
    return GNTST_okay;
}

int gnttab_init(struct domain *d)
{
    struct grant_table *gt;
    int rc = gt_hold(d, &gt);

    if (rc == 0)
        gt_put(gt);
    return rc;
}

void gnttab_destroy(struct domain *d)
{
    struct grant_table *gt;

    spin_lock(&gnttab_lifetime_lock);
    gt = d->grant_table;
    if (gt) {
        spin_lock(&gt->lock);
        gt->dying = true;
        spin_unlock(&gt->lock);
    }
    spin_unlock(&gnttab_lifetime_lock);
    if (!gt)
        return;
    /* Holders are in the middle of one operation each (a copy of at most
     * a page); none can start now. */
    while (__atomic_load_n(&gt->users, __ATOMIC_ACQUIRE))
        cpu_relax();
    d->grant_table = NULL;
    table_free(gt);
}

int gnttab_verify(struct domain *d, uint64_t *pages)
{
    struct grant_table *gt = d->grant_table;
    int rc = 0;

    if (pages)
        *pages = 0;
    if (!gt)
        return 0;
    spin_lock(&gt->lock);
    if (gt->domain != d || gt->nr_frames > GNTTAB_MAX_FRAMES || gt->version != 1) {
        pr_err("d%u: grant table: %u frames, version %u\n", d->domain_id, gt->nr_frames,
               gt->version);
        rc = -EINVAL;
    } else if (__atomic_load_n(&gt->users, __ATOMIC_ACQUIRE)) {
        pr_err("d%u: grant table: %u holders between operations\n", d->domain_id, gt->users);
        rc = -EINVAL;
    }
    for (unsigned int i = 0; rc == 0 && i < gt->nr_frames * GNTTAB_V1_PER_FRAME; i++) {
        const struct active_grant *act = active_of(gt, i);
        if (act->readers || act->writers) {
            pr_err("d%u: grant %u: %u readers, %u writers between operations\n",
                   d->domain_id, i, act->readers, act->writers);
            rc = -EINVAL;
        }
    }
    if (pages)
        *pages = (uint64_t)gt->nr_frames * (1 + (1u << ACTIVE_ORDER));
    spin_unlock(&gt->lock);
    return rc;
}

bool gnttab_is_frame(struct domain *d, mfn_t mfn)
{
    struct grant_table *gt = d->grant_table;
    bool found = false;

    if (!gt)
        return false;
    spin_lock(&gt->lock);
    for (unsigned int i = 0; i < gt->nr_frames && !found; i++)
        found = virt_to_mfn(gt->shared[i]) == mfn;
    spin_unlock(&gt->lock);
    return found;
}

/* ---- add_to_physmap ---------------------------------------------------------- */

long gnttab_add_to_physmap(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    struct grant_table *gt;
    bool replaces_shared_info;
    uint64_t prev;
    mfn_t mfn;
    long rc;

    if (gpfn >= GPFN_LIMIT)
        return -EINVAL;
    if ((rc = gt_hold(d, &gt)) < 0)
        return rc == -ESRCH ? -EINVAL : rc;
    spin_lock(&gt->map_lock);       /* one placement of this table's frames at a time */
    spin_lock(&gt->lock);
    /*
     * Xen grows the table to take idx when idx is below the maximum, and
     * answers -EINVAL if it is not (or growing failed).  With a v1 table
     * a status frame (XENMAPIDX_grant_table_status set) is just an idx
     * far beyond the maximum.
     */
    if (idx >= gt->nr_frames && idx < GNTTAB_MAX_FRAMES)
        grow(gt, (unsigned int)idx + 1);
    if (idx >= gt->nr_frames) {
        spin_unlock(&gt->lock);
        rc = -EINVAL;
        goto out;
    }
    mfn = virt_to_mfn(gt->shared[idx]);
    prev = frame_gfn(gt, (unsigned int)idx);
    spin_unlock(&gt->lock);
    /* shared_info there will not be mapped anywhere: forget its place. */
    replaces_shared_info = d->shared_info && p2m_lookup(d, gpfn) == virt_to_mfn(d->shared_info);
    /*
     * As Xen's add_to_physmap: the domain's RAM page at gpfn goes back to
     * the free pool, a hypervisor page there (shared_info, another grant
     * frame) is only unhooked, and the frame leaves its previous place: a
     * frame lives at one GFN at a time.  Its gfn[] entry is a hint that
     * frame_gfn() checks against the P2M, so a frame unhooked here by
     * another placement needs no bookkeeping.
     */
    rc = p2m_add_hypervisor_page(d, gpfn, mfn, prev);
    if (rc == 0) {
        spin_lock(&gt->lock);
        gt->gfn[idx] = gpfn;
        spin_unlock(&gt->lock);
        if (replaces_shared_info && d->shared_info_gfn == gpfn)
            d->shared_info_gfn = NO_GFN;
    }
out:
    spin_unlock(&gt->map_lock);
    gt_put(gt);
    return rc;
}

/* ---- in-use flags -------------------------------------------------------------- */

/* flags and domid, the first 4 bytes of an entry, read and swapped as one. */
union grant_head {
    struct {
        uint16_t flags;
        domid_t domid;
    };
    uint32_t raw;
};
typedef uint32_t __attribute__((may_alias)) grant_head_word;

/*
 * Set GTF_reading (and GTF_writing for a write) on entry e for domain
 * ldom.  When the grant is not in use yet (pinned false) it must be a
 * permit_access grant to ldom; a write needs it not readonly.  The swap
 * fails if the guest changed flags or domid since we looked, and we look
 * again.  GNTST_okay or GNTST_general_error, as Xen.
 */
static int16_t set_in_use(struct grant_entry_v1 *e, bool pinned, bool readonly, domid_t ldom)
{
    grant_head_word *word = (grant_head_word *)e;
    union grant_head cur, want;

    cur.raw = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    for (unsigned int tries = 1;; tries++) {
        if (!pinned && ((cur.flags & GTF_type_mask) != GTF_permit_access || cur.domid != ldom))
            return GNTST_general_error;
        if (!readonly && (cur.flags & GTF_readonly))
            return GNTST_general_error;
        want = cur;
        want.flags |= GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(word, &cur.raw, want.raw, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return GNTST_okay;
        if (tries == GNTTAB_CAS_TRIES)
            return GNTST_general_error;     /* the guest keeps changing it */
    }
}

/* Clear the in-use flags no copy needs any more (Xen's
 * reduce_status_for_pin).  Lock held. */
static void reduce_in_use(struct grant_entry_v1 *e, const struct active_grant *act, bool readonly)
{
    uint16_t clear = 0;

    if (act->readers + act->writers == 0)
        clear |= GTF_reading;
    if (!readonly && act->writers == 0)
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

/*
 * Take grant ref of gt's domain for a copy by ldom: check it, mark it in
 * use and find its frame in the granter's P2M (referenced while the grant
 * is in use).  GNTST_okay with *mfn set (release with grant_release()),
 * or the status for the guest.
 */
static int16_t grant_acquire(struct grant_table *gt, grant_ref_t ref, bool readonly,
                             domid_t ldom, mfn_t *mfn)
{
    struct domain *rd = gt->domain;
    int16_t rc = GNTST_okay;

    spin_lock(&rd->mem_lock);
    spin_lock(&gt->lock);
    if (ref >= gt->nr_frames * GNTTAB_V1_PER_FRAME) {
        rc = GNTST_bad_gntref;
        goto out;
    }
    struct grant_entry_v1 *e = entry_of(gt, ref);
    struct active_grant *act = active_of(gt, ref);
    unsigned int pins = act->readers + act->writers;

    if (pins && act->domid != ldom) {
        rc = GNTST_general_error;
        goto out;
    }
    /* The flags change when the grant starts being used, or starts being
     * written; readers joining readers just count. */
    if (!pins || (!readonly && !act->writers)) {
        rc = set_in_use(e, pins != 0, readonly, ldom);
        if (rc != GNTST_okay)
            goto out;
        if (!pins) {
            /* Read after the swap: the granter writes frame before flags. */
            uint32_t gfn = READ_ONCE(e->frame);
            mfn_t m = p2m_access_frame(rd, gfn);
            if (m == INVALID_MFN) {
                reduce_in_use(e, act, readonly);
                rc = GNTST_bad_page;
                goto out;
            }
            page_get_ref(m);
            act->domid = ldom;
            act->mfn = m;
        }
    }
    if (readonly)
        act->readers++;
    else
        act->writers++;
    *mfn = act->mfn;
out:
    spin_unlock(&gt->lock);
    spin_unlock(&rd->mem_lock);
    return rc;
}

static void grant_release(struct grant_table *gt, grant_ref_t ref, bool readonly)
{
    spin_lock(&gt->lock);
    struct active_grant *act = active_of(gt, ref);
    if (readonly)
        act->readers--;
    else
        act->writers--;
    reduce_in_use(entry_of(gt, ref), act, readonly);
    if (act->readers + act->writers == 0)
        page_put_ref(act->mfn);     /* if ballooned out meanwhile: freed at destroy */
    spin_unlock(&gt->lock);
}

/* ---- copy ---------------------------------------------------------------------- */

/* One side of a copy, the same for both guest layouts. */
struct copy_ptr {
    uint64_t gmfn;              /* without the gref flag: the caller's GFN */
    grant_ref_t ref;            /* with it: a grant of domain domid */
    domid_t domid;
    uint16_t offset;
};

struct copy_op {
    struct copy_ptr source, dest;
    uint16_t len, flags;
};

/* What one side resolved to. */
struct copy_end {
    struct grant_table *gt;     /* the granter's table, held (gref sides) */
    bool have_grant;            /* grant_acquire() succeeded */
    bool have_ref;              /* a GFN side: we hold a reference on mfn */
    mfn_t mfn;
};

/* Xen's gnttab_copy_lock_domain: a GFN may only be the caller's own. */
static int16_t end_lock(const struct copy_ptr *p, bool is_gref, struct copy_end *end)
{
    struct domain *d;

    if (!is_gref)
        return p->domid == DOMID_SELF ? GNTST_okay : GNTST_permission_denied;
    int rc = gt_get(p->domid, &d, &end->gt);
    if (rc == -ESRCH)
        return GNTST_bad_domain;
    return rc < 0 ? GNTST_general_error : GNTST_okay;
}

static int16_t end_claim(const struct copy_ptr *p, bool is_gref, bool readonly,
                         struct copy_end *end)
{
    struct domain *me = current->domain;

    if (is_gref) {
        int16_t rc = grant_acquire(end->gt, p->ref, readonly, me->domain_id, &end->mfn);
        end->have_grant = rc == GNTST_okay;
        return rc;
    }
    spin_lock(&me->mem_lock);
    end->mfn = p2m_access_frame(me, p->gmfn);
    if (end->mfn != INVALID_MFN)
        page_get_ref(end->mfn);     /* another vCPU may balloon it out */
    spin_unlock(&me->mem_lock);
    end->have_ref = end->mfn != INVALID_MFN;
    return end->have_ref ? GNTST_okay : GNTST_bad_page;
}

static void end_release(const struct copy_ptr *p, bool readonly, struct copy_end *end)
{
    if (end->have_grant)
        grant_release(end->gt, p->ref, readonly);
    if (end->have_ref)
        page_put_ref(end->mfn);
    if (end->gt)
        gt_put(end->gt);
}

/*
 * One copy, checked in Xen's order: both domains (source first), then the
 * source grant or frame, the destination, and only then the offsets.  The
 * bytes move with just the in-use flags held, no lock.
 */
static int16_t copy_one(const struct copy_op *op)
{
    bool sgref = op->flags & GNTCOPY_source_gref, dgref = op->flags & GNTCOPY_dest_gref;
    struct copy_end src = { 0 }, dst = { 0 };
    int16_t rc;

    rc = end_lock(&op->source, sgref, &src);
    if (rc == GNTST_okay)
        rc = end_lock(&op->dest, dgref, &dst);
    if (rc == GNTST_okay)
        rc = end_claim(&op->source, sgref, true, &src);
    if (rc == GNTST_okay)
        rc = end_claim(&op->dest, dgref, false, &dst);
    if (rc == GNTST_okay) {
        if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE)
            rc = GNTST_bad_copy_arg;
        else    /* memmove: both sides may be the same page */
            memmove((uint8_t *)mfn_to_virt(dst.mfn) + op->dest.offset,
                    (const uint8_t *)mfn_to_virt(src.mfn) + op->source.offset, op->len);
    }
    end_release(&op->dest, false, &dst);
    end_release(&op->source, true, &src);
    return rc;
}

/* Read op i of the guest's array into the common form. */
static int read_copy_op(uint64_t uop, bool compat, struct copy_op *op)
{
    if (compat) {
        struct compat_gnttab_copy c;
        if (copy_from_guest(&c, uop, sizeof(c)) < 0)
            return -EFAULT;
        *op = (struct copy_op){
            .source = { c.source.u.gmfn, c.source.u.ref, c.source.domid, c.source.offset },
            .dest = { c.dest.u.gmfn, c.dest.u.ref, c.dest.domid, c.dest.offset },
            .len = c.len, .flags = c.flags,
        };
    } else {
        struct gnttab_copy c;
        if (copy_from_guest(&c, uop, sizeof(c)) < 0)
            return -EFAULT;
        *op = (struct copy_op){
            .source = { c.source.u.gmfn, c.source.u.ref, c.source.domid, c.source.offset },
            .dest = { c.dest.u.gmfn, c.dest.u.ref, c.dest.domid, c.dest.offset },
            .len = c.len, .flags = c.flags,
        };
    }
    return 0;
}

/*
 * count copies; each gets its own status.  0 once all are done (whatever
 * their statuses: Linux BUG()s on anything else), -EFAULT if an op cannot
 * be read or its status written (the ones before it are done), or
 * HYPERCALL_RESTART with args describing the rest.
 */
static long gnttab_copy(struct hypercall_args *args, uint64_t uop, uint32_t count)
{
    bool compat = args->compat;
    size_t size = compat ? sizeof(struct compat_gnttab_copy) : sizeof(struct gnttab_copy);
    size_t status_at = compat ? __builtin_offsetof(struct compat_gnttab_copy, status)
                              : __builtin_offsetof(struct gnttab_copy, status);

    for (uint32_t i = 0; i < count; i++) {
        struct copy_op op;

        if (i == GNTTAB_COPY_PER_CALL) {
            args->a[1] = uop;
            args->a[2] = count - i;
            return HYPERCALL_RESTART;
        }
        if (read_copy_op(uop, compat, &op) < 0)
            return -EFAULT;
        int16_t status = copy_one(&op);
        if (copy_to_guest(uop + status_at, &status, sizeof(status)) < 0)
            return -EFAULT;
        uop += size;
        if (compat)
            uop &= 0xffffffffULL;       /* 32-bit addresses wrap */
    }
    return 0;
}

/* ---- query_size, setup_table, versions ----------------------------------------- */

static long query_size(uint64_t uop, uint32_t count)
{
    struct gnttab_query_size op;        /* same layout for 32-bit callers */
    struct grant_table *gt;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)) < 0)
        return -EFAULT;
    op.status = gt_get_target(op.dom, &gt);
    if (op.status == GNTST_okay) {
        spin_lock(&gt->lock);
        op.nr_frames = gt->nr_frames;
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
        spin_unlock(&gt->lock);
        gt_put(gt);
    }
    if (copy_to_guest(uop, &op, sizeof(op)) < 0)
        return -EFAULT;
    return 0;
}

/*
 * Grow dom's table to nr_frames and list its frames.  A translated guest
 * gets GFNs: where each frame is mapped, or all ones (Xen's M2P "invalid"
 * entry) for a frame it has not mapped; a 32-bit caller gets them
 * truncated to 32 bits, as Xen's compat layer does.  Only status is
 * written back; per-op problems are statuses, the call returns 0.
 */
static long setup_table(uint64_t uop, uint32_t count, bool compat)
{
    uint64_t frames[GNTTAB_MAX_FRAMES];
    uint64_t list;
    uint32_t nr;
    domid_t dom;
    struct grant_table *gt;
    int16_t status;

    if (compat) {
        /* Xen's compat wrapper loops over count ops: 0 does nothing. */
        if (count == 0)
            return 0;
        if (count > 1)
            return -EINVAL;
        struct compat_gnttab_setup_table c;
        if (copy_from_guest(&c, uop, sizeof(c)) < 0)
            return -EFAULT;
        dom = c.dom, nr = c.nr_frames, list = c.frame_list;
    } else {
        if (count != 1)
            return -EINVAL;
        struct gnttab_setup_table c;
        if (copy_from_guest(&c, uop, sizeof(c)) < 0)
            return -EFAULT;
        dom = c.dom, nr = c.nr_frames, list = c.frame_list;
    }
    status = gt_get_target(dom, &gt);
    if (status == GNTST_okay) {
        spin_lock(&gt->lock);
        if (nr > GNTTAB_MAX_FRAMES || (nr > gt->nr_frames && grow(gt, nr) < 0)) {
            status = GNTST_general_error;
        } else {
            for (uint32_t i = 0; i < nr; i++)
                frames[i] = frame_gfn(gt, i);
        }
        spin_unlock(&gt->lock);
        gt_put(gt);
    }
    /* Written outside the lock: the list is in guest memory. */
    for (uint32_t i = 0; status == GNTST_okay && i < nr; i++) {
        int rc;
        if (compat) {
            uint32_t f = (uint32_t)frames[i];
            rc = copy_to_guest((list + i * sizeof(f)) & 0xffffffffULL, &f, sizeof(f));
        } else {
            rc = copy_to_guest(list + i * sizeof(frames[i]), &frames[i], sizeof(frames[i]));
        }
        if (rc < 0) {
            status = GNTST_bad_virt_addr;
            break;
        }
    }
    /* status is at offset 8 in both layouts. */
    if (copy_to_guest(uop + __builtin_offsetof(struct gnttab_setup_table, status),
                      &status, sizeof(status)) < 0)
        return -EFAULT;
    return 0;
}

/*
 * Only version 1 is offered.  Version 2 answers -ENOSYS, what Xen 4.17
 * answers when v2 is not allowed for the domain (gnttab=max-ver:1):
 * Linux then stays on v1.  Anything but 1 or 2 is -EINVAL.  The version
 * in force is written back in every case, as Xen does.
 */
static long set_version(uint64_t uop)
{
    struct gnttab_set_version op;
    struct grant_table *gt;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)) < 0)
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == 2)
        rc = -ENOSYS;
    else
        rc = 0;                     /* already version 1 */
    op.version = 1;
    if (gt_hold(current->domain, &gt) == 0) {
        op.version = gt->version;
        gt_put(gt);
    }
    if (copy_to_guest(uop, &op, sizeof(op)) < 0)
        return -EFAULT;
    return rc;
}

/* Errors here are errnos, not statuses: -ESRCH, -EPERM, as Xen. */
static long get_version(uint64_t uop)
{
    struct gnttab_get_version op;
    struct grant_table *gt;
    struct domain *d;
    int rc;

    if (copy_from_guest(&op, uop, sizeof(op)) < 0)
        return -EFAULT;
    if ((rc = gt_get(op.dom, &d, &gt)) < 0)
        return rc;
    if (d != current->domain && !current->domain->is_privileged) {
        gt_put(gt);
        return -EPERM;
    }
    op.version = gt->version;
    gt_put(gt);
    if (copy_to_guest(uop + __builtin_offsetof(struct gnttab_get_version, version),
                      &op.version, sizeof(op.version)) < 0)
        return -EFAULT;
    return 0;
}

/* ---- the hypercall ---------------------------------------------------------------- */

long do_grant_table_op(struct hypercall_args *args)
{
    /* Xen's prototype: (unsigned int cmd, void *uop, unsigned int count). */
    uint32_t cmd = (uint32_t)args->a[0];
    uint64_t uop = args->compat ? (uint32_t)args->a[1] : args->a[1];
    uint32_t count = (uint32_t)args->a[2];

    /*
     * An HVM/PVH caller reaches Xen's grant_table_op through
     * hvm_grant_table_op(), which lets only these commands through, whole
     * (continuation bits make another command): any other one is -ENOSYS
     * before the count is looked at.
     */
    switch (cmd) {
    case GNTTABOP_query_size:
    case GNTTABOP_setup_table:
    case GNTTABOP_set_version:
    case GNTTABOP_get_version:
    case GNTTABOP_copy:
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_swap_grant_ref:
        break;
    default:
        return -ENOSYS;
    }
    if ((int32_t)count < 0)
        return -EINVAL;

    switch (cmd) {
    case GNTTABOP_setup_table:
        return setup_table(uop, count, args->compat);
    case GNTTABOP_copy:
        return gnttab_copy(args, uop, count);
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_version:
        return get_version(uop);
    default:
        /* map/unmap need a backend's foreign mappings: not yet. */
        return -ENOSYS;
    }
}

/* ---- debug key 'g' ------------------------------------------------------- */

#define DUMP_MAX_ENTRIES 16

void gnttab_dump(struct domain *d)
{
    struct grant_table *gt;
    unsigned int granted = 0, shown = 0, pinned = 0;

    spin_lock(&gnttab_lifetime_lock);
    gt = d->grant_table;
    if (!gt || gt->dying) {
        spin_unlock(&gnttab_lifetime_lock);
        printk("d%u %s: no grant table in use\n", d->domain_id, d->name);
        return;
    }
    spin_lock(&gt->lock);
    printk("d%u %s: grant table v%u, %u of %u frames\n", d->domain_id, d->name,
           gt->version, gt->nr_frames, GNTTAB_MAX_FRAMES);
    for (unsigned int ref = 0; ref < gt->nr_frames * GNTTAB_V1_PER_FRAME; ref++) {
        const struct grant_entry_v1 *e = &gt->shared[ref / GNTTAB_V1_PER_FRAME]
                                                    [ref % GNTTAB_V1_PER_FRAME];
        const struct active_grant *act = &gt->active[ref / GNTTAB_V1_PER_FRAME]
                                                    [ref % GNTTAB_V1_PER_FRAME];
        uint16_t flags = READ_ONCE(e->flags);
        bool in_use = act->readers || act->writers;

        if ((flags & GTF_type_mask) == GTF_invalid && !in_use)
            continue;
        granted++;
        pinned += in_use;
        if (shown++ < DUMP_MAX_ENTRIES)
            printk("  ref %u: flags %#x to d%u frame %#x, %u readers %u writers\n", ref,
                   flags, READ_ONCE(e->domid), READ_ONCE(e->frame), act->readers, act->writers);
    }
    printk("  %u entries granted or in use (%u shown), %u in use by copies\n", granted,
           MIN(shown, (unsigned int)DUMP_MAX_ENTRIES), pinned);
    spin_unlock(&gt->lock);
    spin_unlock(&gnttab_lifetime_lock);
}

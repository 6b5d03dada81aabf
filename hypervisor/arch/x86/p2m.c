/*
 * The P2M as AMD nested page tables: the same 4-level format as the host's
 * page tables, where every access counts as a user access (so U is set on
 * every level).  2 MiB leaves map naturally aligned 2 MiB blocks.  A VT-x
 * backend would need the EPT format here instead.
 *
 * Zero on first use: a leaf mapped with P2M_ZERO_LAZY holds its frame
 * with P clear and the software bit NPT_ZERO_PENDING set.  The CPU sees
 * nothing there, so the guest's first touch is a nested page fault; that
 * (p2m_fault_in), or the hypervisor's first access through
 * p2m_access_frame(), zeroes the leaf's frames and sets P.  A domain's
 * memory is thus cleared when it is used, not all of it when the domain is
 * built, and what a previous owner left is never visible either way.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <asm/boot.h>
#include <asm/page.h>

#define NPT_TABLE (PTE_P | PTE_W | PTE_U | PTE_A)
#define NPT_LEAF  (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)
/* Software-available bit: a leaf whose frames are the guest's, not yet
 * zeroed, and not present to the CPU (P clear). */
#define NPT_ZERO_PENDING (1ULL << 9)
#define ADDR_MASK 0x000ffffffffff000ULL
#define GFN_LIMIT (1ULL << (48 - PAGE_SHIFT))   /* 4-level: 48-bit guest-physical */

static uint64_t *table_va(uint64_t entry)
{
    return maddr_to_virt(entry & ADDR_MASK);
}

/*
 * Table pages a domain may make its P2M hold: what libxl gives an HVM
 * domain's paging pool by default (256 pages per vCPU and 2 per MiB of
 * RAM).  Tables are only freed with the domain, and a guest moving one
 * frame from one far-apart GFN to the next makes a new table each time,
 * so without a bound one domain could take all host memory.  Past it,
 * mapping fails with -ENOMEM (populate_physmap does not do that extent),
 * as Xen's does once the pool is used up.
 */
static uint64_t table_budget(const struct domain *d)
{
    return 256ULL * d->max_vcpus + (d->max_pages >> (20 - PAGE_SHIFT)) * 2;
}

static paddr_t table_alloc(struct p2m *p2m)
{
    if (p2m->table_pages >= p2m->max_table_pages)
        return 0;
    void *t = alloc_xenheap_pages(0);
    if (!t)
        return 0;
    memset(t, 0, PAGE_SIZE);
    p2m->table_pages++;
    return virt_to_maddr(t);
}

int p2m_init(struct domain *d)
{
    struct p2m *p2m = &d->arch.p2m;

    spin_lock_init(&p2m->lock);
    p2m->table_pages = 0;
    p2m->max_table_pages = table_budget(d);
    p2m->root = table_alloc(p2m);
    return p2m->root ? 0 : -ENOMEM;
}

static unsigned int index_at(uint64_t gfn, int level)
{
    return (gfn >> (9 * level)) & 511;
}

/* A leaf maps frames: present, or waiting to be zeroed. */
static bool is_mapped(uint64_t e)
{
    return e & (PTE_P | NPT_ZERO_PENDING);
}

/* At level 1 and up: a pointer to the next table (not a 2 MiB leaf). */
static bool is_table(uint64_t e)
{
    return (e & PTE_P) && !(e & PTE_PS);
}

static uint64_t leaf_entry(mfn_t mfn, unsigned int order, bool lazy)
{
    return (mfn << PAGE_SHIFT) | (order ? PTE_PS : 0) |
           (lazy ? NPT_ZERO_PENDING : NPT_LEAF);
}

int p2m_map(struct domain *d, uint64_t gfn, mfn_t mfn, unsigned int order, unsigned int flags)
{
    struct p2m *p2m = &d->arch.p2m;
    int leaf_level = order == 9 ? 1 : 0;
    uint64_t *table;
    int rc = 0;

    if ((order != 0 && order != 9) || gfn >= GFN_LIMIT ||
        !IS_ALIGNED(gfn | mfn, 1UL << order))
        return -EINVAL;
    spin_lock(&p2m->lock);
    table = maddr_to_virt(p2m->root);
    for (int level = 3; level > leaf_level; level--) {
        uint64_t *e = &table[index_at(gfn, level)];
        if (!is_mapped(*e)) {
            paddr_t t = table_alloc(p2m);
            if (!t) {
                rc = -ENOMEM;
                goto out;
            }
            *e = t | NPT_TABLE;
        } else if (!is_table(*e)) {
            rc = -EEXIST;           /* inside a 2 MiB mapping */
            goto out;
        }
        table = table_va(*e);
    }
    uint64_t *e = &table[index_at(gfn, leaf_level)];
    if (is_mapped(*e)) {
        rc = -EEXIST;
        goto out;
    }
    *e = leaf_entry(mfn, order, flags & P2M_ZERO_LAZY);
out:
    spin_unlock(&p2m->lock);
    return rc;
}

/*
 * The level-1 entry (2 MiB slot) for gfn, or NULL.  With alloc, missing
 * upper tables are made (NULL on -ENOMEM: *rc says so); without, a missing
 * one means nothing is mapped there.  Lock held.
 */
static uint64_t *slot_2m(struct p2m *p2m, uint64_t gfn, bool alloc, int *rc)
{
    uint64_t *table = maddr_to_virt(p2m->root);

    *rc = 0;
    for (int level = 3; level > 1; level--) {
        uint64_t *e = &table[index_at(gfn, level)];
        if (!(*e & PTE_P)) {
            if (!alloc)
                return NULL;
            paddr_t t = table_alloc(p2m);
            if (!t) {
                *rc = -ENOMEM;
                return NULL;
            }
            *e = t | NPT_TABLE;
        }
        table = table_va(*e);
    }
    return &table[index_at(gfn, 1)];
}

/* Point one 4 KiB guest frame at mfn (INVALID_MFN: unmap); *old: what was there. */
static int set_4k_locked(struct p2m *p2m, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    bool unmap = mfn == INVALID_MFN;
    int rc;
    uint64_t *e = slot_2m(p2m, gfn, !unmap, &rc);

    *old = INVALID_MFN;
    if (!e)
        return rc;                  /* unmapping: nothing was there */
    if (!is_mapped(*e)) {
        if (unmap)
            return 0;
        paddr_t t = table_alloc(p2m);
        if (!t)
            return -ENOMEM;
        *e = t | NPT_TABLE;
    } else if (!is_table(*e)) {
        /* Split the 2 MiB leaf: same frames (still pending zero, if they
         * were), 4 KiB at a time. */
        paddr_t t = table_alloc(p2m);
        if (!t)
            return -ENOMEM;
        uint64_t *pt = maddr_to_virt(t);
        mfn_t base = (*e & ADDR_MASK & ~((paddr_t)(2UL << 20) - 1)) >> PAGE_SHIFT;
        bool lazy = *e & NPT_ZERO_PENDING;
        for (int i = 0; i < 512; i++)
            pt[i] = leaf_entry(base + i, 0, lazy);
        *e = t | NPT_TABLE;
    }
    uint64_t *pte = &table_va(*e)[index_at(gfn, 0)];
    if (is_mapped(*pte))
        *old = (*pte & ADDR_MASK) >> PAGE_SHIFT;
    *pte = unmap ? 0 : (mfn << PAGE_SHIFT) | NPT_LEAF;
    return 0;
}

/*
 * Point one guest frame at mfn (INVALID_MFN: unmap it), whatever was there:
 * a 2 MiB leaf covering it is split into 512 4 KiB entries first.  *old gets the frame that was
 * mapped (INVALID_MFN if none).  The caller makes vCPUs drop stale
 * translations (p2m_flush_guest_tlbs).
 */
int p2m_set_4k(struct domain *d, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    struct p2m *p2m = &d->arch.p2m;
    int rc;

    *old = INVALID_MFN;
    if (gfn >= GFN_LIMIT)
        return -EINVAL;
    spin_lock(&p2m->lock);
    rc = set_4k_locked(p2m, gfn, mfn, old);
    p2m->generation++;
    spin_unlock(&p2m->lock);
    return rc;
}

/*
 * The 2 MiB slot at gfn (aligned) as one leaf at mfn, or empty.  Only an
 * empty slot or a 2 MiB leaf is replaced: a slot that holds a 4 KiB table
 * returns 1 and the caller fills the table entry by entry.
 */
static int set_2m_locked(struct p2m *p2m, uint64_t gfn, mfn_t mfn)
{
    bool unmap = mfn == INVALID_MFN;
    int rc;
    uint64_t *e = slot_2m(p2m, gfn, !unmap, &rc);

    if (!e)
        return rc;
    if (is_table(*e))
        return 1;
    *e = unmap ? 0 : (mfn << PAGE_SHIFT) | NPT_LEAF | PTE_PS;
    return 0;
}

int p2m_set_range(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t nr)
{
    struct p2m *p2m = &d->arch.p2m;
    int rc = 0;

    if (gfn >= GFN_LIMIT || nr > GFN_LIMIT - gfn)
        return -EINVAL;
    spin_lock(&p2m->lock);
    while (nr && rc == 0) {
        uint64_t step = 1;
        mfn_t old;

        if (IS_ALIGNED(gfn, 512) && nr >= 512 &&
            (mfn == INVALID_MFN || IS_ALIGNED(mfn, 512))) {
            rc = set_2m_locked(p2m, gfn, mfn);
            if (rc == 0)
                step = 512;
        }
        if (step == 1 && rc >= 0)
            rc = set_4k_locked(p2m, gfn, mfn, &old);
        gfn += step;
        nr -= step;
        if (mfn != INVALID_MFN)
            mfn += step;
    }
    p2m->generation++;
    spin_unlock(&p2m->lock);
    return rc;
}

/* The leaf entry that maps gfn (and its level, 0 or 1), or NULL.  Lock held. */
static uint64_t *find_leaf(struct p2m *p2m, uint64_t gfn, int *leaf_level)
{
    uint64_t *table = maddr_to_virt(p2m->root);

    for (int level = 3; level >= 0; level--) {
        uint64_t *e = &table[index_at(gfn, level)];
        if (!is_mapped(*e))
            return NULL;
        if (level == 0 || !is_table(*e)) {
            *leaf_level = level;
            return e;
        }
        table = table_va(*e);
    }
    return NULL;
}

static mfn_t leaf_mfn(uint64_t e, int level, uint64_t gfn)
{
    return ((e & ADDR_MASK) >> PAGE_SHIFT) + (level ? (gfn & 511) : 0);
}

mfn_t p2m_lookup_order(struct domain *d, uint64_t gfn, unsigned int *order)
{
    struct p2m *p2m = &d->arch.p2m;
    mfn_t mfn = INVALID_MFN;
    int level;

    if (order)
        *order = 0;
    if (gfn >= GFN_LIMIT || !p2m->root)
        return INVALID_MFN;
    spin_lock(&p2m->lock);
    uint64_t *e = find_leaf(p2m, gfn, &level);
    if (e) {
        mfn = leaf_mfn(*e, level, gfn);
        if (order)
            *order = level ? 9 : 0;
    }
    spin_unlock(&p2m->lock);
    return mfn;
}

mfn_t p2m_lookup(struct domain *d, uint64_t gfn)
{
    return p2m_lookup_order(d, gfn, NULL);
}

/* Zero a pending leaf's frames and make it present.  Lock held. */
static void materialise(uint64_t *e, int level)
{
    if (!(*e & NPT_ZERO_PENDING))
        return;
    mfn_t first = (*e & ADDR_MASK) >> PAGE_SHIFT;
    memset(mfn_to_virt(first), 0, PAGE_SIZE << (level ? 9 : 0));
    /* Not present -> present: no vCPU can hold a translation to flush. */
    *e = leaf_entry(first, level ? 9 : 0, false);
}

mfn_t p2m_access_frame(struct domain *d, uint64_t gfn)
{
    struct p2m *p2m = &d->arch.p2m;
    mfn_t mfn = INVALID_MFN;
    int level;

    if (gfn >= GFN_LIMIT || !p2m->root)
        return INVALID_MFN;
    spin_lock(&p2m->lock);
    uint64_t *e = find_leaf(p2m, gfn, &level);
    if (e) {
        materialise(e, level);
        mfn = leaf_mfn(*e, level, gfn);
    }
    spin_unlock(&p2m->lock);
    return mfn;
}

int p2m_fault_in(struct domain *d, uint64_t gfn)
{
    struct p2m *p2m = &d->arch.p2m;
    int level, rc = -ENOENT;

    if (gfn >= GFN_LIMIT || !p2m->root)
        return -ENOENT;
    spin_lock(&p2m->lock);
    uint64_t *e = find_leaf(p2m, gfn, &level);
    if (e) {
        rc = (*e & NPT_ZERO_PENDING) ? 0 : -EEXIST;
        materialise(e, level);
    }
    spin_unlock(&p2m->lock);
    return rc;
}

uint64_t p2m_table_pages(struct domain *d)
{
    return __atomic_load_n(&d->arch.p2m.table_pages, __ATOMIC_RELAXED);
}

static void free_tables(struct p2m *p2m, uint64_t *table, int level)
{
    for (int i = 0; level > 0 && i < 512; i++) {
        if (is_table(table[i]))
            free_tables(p2m, table_va(table[i]), level - 1);
    }
    free_xenheap_pages(table, 0);
    p2m->table_pages--;
}

void p2m_teardown(struct domain *d)
{
    struct p2m *p2m = &d->arch.p2m;

    if (!p2m->root)
        return;
    free_tables(p2m, maddr_to_virt(p2m->root), 3);
    p2m->root = 0;
}

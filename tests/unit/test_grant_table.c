/*
 * Grant tables v1 (common/grant_table.c): every grant_table_op sub-op Keel
 * implements and every error it returns, XENMEM_add_to_physmap of grant
 * frames, the in-use flags of grants being copied, batches and their
 * continuation, the 32-bit (compat) layouts, and freeing.
 *
 * Fakes: a direct map of NR_FRAMES host frames with a xenheap allocator
 * over it (counted, with a failure switch), domains with RAM_PAGES pages
 * of RAM at GFN 0.., a P2M per domain as a list of gfn -> mfn pairs, and
 * copy_{from,to}_guest treating a guest-virtual address as guest-physical
 * in the current domain (the hypercall's caller), so the arguments live
 * in the caller's own fake RAM like on the real thing.
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
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/xmalloc.h>
#include <asm/page.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include "include/harness.h"
#include "fake_xmalloc.h"

#define NR_FRAMES   1024
#define RAM_PAGES   16
#define MAX_P2M     128
#define NR_FAKE     4

/* Guest-physical layout of every fake domain. */
#define ARG         0x1000ULL           /* hypercall arguments (pages 1-3) */
#define LIST        0x3000ULL           /* setup_table frame lists */
#define DATA(n)     ((8ULL + (n)) << PAGE_SHIFT)     /* data pages 8..15 */
#define DATA_GFN(n) (8ULL + (n))
#define GT_GFN      0x100ULL            /* grant frame i mapped at GT_GFN + i */
#define HOLE_GFN    0x80ULL             /* never mapped */

struct fake {
    struct domain *d;
    struct vcpu *v;
    struct { uint64_t gfn; mfn_t mfn; } p2m[MAX_P2M];
    unsigned int nr_p2m;
    mfn_t ram[RAM_PAGES];
    unsigned int ram_released;          /* RAM pages p2m_add_hypervisor_page gave back */
    unsigned int flushes;
};
static struct fake fakes[NR_FAKE];
static unsigned int nr_fakes;
static struct fake *cur;

/* ---- harness side: allocators ------------------------------------------- */

static uint8_t frame_order[NR_FRAMES];     /* 0: free; else order + 1 on a head */
static bool frame_used[NR_FRAMES];
static long heap_pages;
static unsigned int heap_fail_after = ~0u;  /* allocations that succeed from now */

void *alloc_xenheap_pages(unsigned int order)
{
    unsigned int n = 1u << order;

    if (heap_fail_after == 0)
        return NULL;
    heap_fail_after--;
    for (unsigned int f = n; f + n <= NR_FRAMES; f += n) {
        bool free = true;
        for (unsigned int i = 0; i < n; i++)
            free = free && !frame_used[f + i];
        if (!free)
            continue;
        for (unsigned int i = 0; i < n; i++)
            frame_used[f + i] = true;
        frame_order[f] = (uint8_t)(order + 1);
        heap_pages += n;
        /* Not zeroed, like the real allocator: the caller must clear it. */
        memset(mfn_to_virt(f), 0x5a, PAGE_SIZE << order);
        return mfn_to_virt(f);
    }
    return NULL;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    mfn_t f = virt_to_mfn(va);

    assert_true(f < NR_FRAMES);
    assert_int_equal(frame_order[f], order + 1);    /* head of a block of that order */
    for (unsigned int i = 0; i < (1u << order); i++)
        frame_used[f + i] = false;
    frame_order[f] = 0;
    heap_pages -= 1L << order;
}

/* References the code under test holds on frames; all gone after each op. */
static uint32_t frame_refs[NR_FRAMES];

void page_get_ref(mfn_t mfn)
{
    assert_true(mfn < NR_FRAMES);
    frame_refs[mfn]++;
}

void page_put_ref(mfn_t mfn)
{
    assert_true(mfn < NR_FRAMES);
    assert_true(frame_refs[mfn] > 0);
    frame_refs[mfn]--;
}

static unsigned int refs_held(void)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < NR_FRAMES; i++)
        n += frame_refs[i];
    return n;
}

/* ---- harness side: domains, P2M, guest memory ----------------------------- */

struct vcpu *current_vcpu(void)
{
    return cur ? cur->v : NULL;
}

struct domain *domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        if (fakes[i].d->domain_id == id && fakes[i].d->state != DOMAIN_DYING)
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

/* Called at every P2M lookup, before it answers (tests watch the flags). */
static void (*lookup_hook)(struct domain *d, uint64_t gfn);
static bool p2m_fail;

mfn_t p2m_lookup(struct domain *d, uint64_t gfn)
{
    struct fake *f = fake_of(d);

    if (lookup_hook)
        lookup_hook(d, gfn);
    for (unsigned int i = 0; i < f->nr_p2m; i++)
        if (f->p2m[i].gfn == gfn)
            return f->p2m[i].mfn;
    return INVALID_MFN;
}

/* The fake P2M has no memory waiting to be zeroed: every frame is ready. */
mfn_t p2m_access_frame(struct domain *d, uint64_t gfn)
{
    return p2m_lookup(d, gfn);
}

static bool set_under_mem_lock;      /* the last P2M change held d->mem_lock */

int p2m_set_4k(struct domain *d, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    struct fake *f = fake_of(d);

    set_under_mem_lock = spin_is_locked(&d->mem_lock);
    *old = INVALID_MFN;
    if (gfn >= (1ULL << 36))
        return -EINVAL;
    if (p2m_fail)
        return -ENOMEM;
    for (unsigned int i = 0; i < f->nr_p2m; i++) {
        if (f->p2m[i].gfn != gfn)
            continue;
        *old = f->p2m[i].mfn;
        if (mfn == INVALID_MFN)
            f->p2m[i] = f->p2m[--f->nr_p2m];
        else
            f->p2m[i].mfn = mfn;
        return 0;
    }
    if (mfn != INVALID_MFN) {
        assert_true(f->nr_p2m < MAX_P2M);
        f->p2m[f->nr_p2m].gfn = gfn;
        f->p2m[f->nr_p2m++].mfn = mfn;
    }
    return 0;
}

void p2m_flush_guest_tlbs(struct domain *d)
{
    fake_of(d)->flushes++;
}

/*
 * common/memory_op.c's (tested in test_memory_op.c), over this P2M: the
 * RAM page at gfn goes back (counted here; the fake heap frees it at
 * teardown), a hypervisor page there is unhooked, old_gfn is left empty
 * if it still maps mfn.  Under mem_lock, then a flush.
 */
int p2m_add_hypervisor_page(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t old_gfn)
{
    struct fake *f = fake_of(d);
    mfn_t there, old;
    int rc = 0;

    if (gfn >= (1ULL << 36))
        return -EINVAL;
    spin_lock(&d->mem_lock);
    there = p2m_lookup(d, gfn);
    if (there != mfn) {
        for (unsigned int i = 0; i < RAM_PAGES; i++)
            if (there == f->ram[i])
                f->ram_released++;
        if (old_gfn != ~0ULL && old_gfn != gfn && p2m_lookup(d, old_gfn) == mfn)
            p2m_set_4k(d, old_gfn, INVALID_MFN, &old);
        rc = p2m_set_4k(d, gfn, mfn, &old);
    }
    spin_unlock(&d->mem_lock);
    p2m_flush_guest_tlbs(d);
    return rc;
}

/* Host address of gpa in f, or NULL if its page is not mapped. */
static uint8_t *gpa_host(struct fake *f, uint64_t gpa)
{
    mfn_t mfn = p2m_lookup(f->d, gpa >> PAGE_SHIFT);
    return mfn == INVALID_MFN ? NULL : (uint8_t *)mfn_to_virt(mfn) + (gpa & (PAGE_SIZE - 1));
}

static unsigned int to_guest_calls, fail_to_guest_at;  /* 0: never */

static int guest_copy(uint64_t gva, void *buf, size_t len, bool to)
{
    void (*hook)(struct domain *, uint64_t) = lookup_hook;

    lookup_hook = NULL;             /* argument copies are not the op's lookups */
    for (size_t i = 0; i < len; i++) {
        uint8_t *h = gpa_host(cur, gva + i);
        if (!h) {
            lookup_hook = hook;
            return -EFAULT;
        }
        if (to)
            *h = ((uint8_t *)buf)[i];
        else
            ((uint8_t *)buf)[i] = *h;
    }
    lookup_hook = hook;
    return 0;
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    return guest_copy(gva, dst, len, false);
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    if (++to_guest_calls == fail_to_guest_at)
        return -EFAULT;
    return guest_copy(gva, (void *)src, len, true);
}

/* ---- setup ----------------------------------------------------------------- */

static long heap_before;

static struct fake *make_domain(domid_t id, bool privileged)
{
    struct fake *f = &fakes[nr_fakes++];
    mfn_t old;

    memset(f, 0, sizeof(*f));
    f->d = calloc(1, sizeof(*f->d));
    f->v = calloc(1, sizeof(*f->v));
    assert_non_null(f->d);
    assert_non_null(f->v);
    f->d->domain_id = id;
    f->d->is_privileged = privileged;
    f->d->state = DOMAIN_RUNNING;
    f->v->domain = f->d;
    f->d->vcpu[0] = f->v;
    f->d->max_vcpus = 1;
    f->d->shared_info_gfn = ~0ULL;
    f->d->shared_info = alloc_xenheap_pages(0);
    assert_non_null(f->d->shared_info);
    for (unsigned int i = 0; i < RAM_PAGES; i++) {
        void *p = alloc_xenheap_pages(0);
        assert_non_null(p);
        memset(p, 0, PAGE_SIZE);
        f->ram[i] = virt_to_mfn(p);
        assert_int_equal(p2m_set_4k(f->d, i, f->ram[i], &old), 0);
    }
    return f;
}

static int setup(void **state)
{
    harness_directmap_init(NR_FRAMES);
    memset(frame_order, 0, sizeof(frame_order));
    memset(frame_used, 0, sizeof(frame_used));
    memset(frame_refs, 0, sizeof(frame_refs));
    frame_used[0] = true;           /* frame 0 is never handed out */
    heap_pages = fake_xmalloc_live = 0;
    fake_xmalloc_budget = -1;
    heap_fail_after = ~0u;
    p2m_fail = false;
    lookup_hook = NULL;
    to_guest_calls = fail_to_guest_at = 0;
    nr_fakes = 0;
    /* d1 and d2 are ordinary domains, d0 the control domain, d3 a bystander. */
    make_domain(1, false);
    make_domain(2, false);
    make_domain(0, true);
    make_domain(3, false);
    cur = &fakes[0];
    heap_before = heap_pages;
    return 0;
}

static int teardown(void **state)
{
    for (unsigned int i = 0; i < nr_fakes; i++) {
        gnttab_destroy(fakes[i].d);
        assert_null(fakes[i].d->grant_table);
    }
    /* Every frame and structure the grant tables took came back, every
     * reference a copy took was dropped. */
    assert_int_equal(refs_held(), 0);
    assert_int_equal(heap_pages, heap_before);
    assert_int_equal(fake_xmalloc_live, 0);
    for (unsigned int i = 0; i < nr_fakes; i++) {
        free(fakes[i].d);
        free(fakes[i].v);
    }
    harness_directmap_free();
    return 0;
}

static struct fake *D1(void) { return &fakes[0]; }
static struct fake *D2(void) { return &fakes[1]; }
static struct fake *D0(void) { return &fakes[2]; }
static struct fake *D3(void) { return &fakes[3]; }

/* ---- the guest's view --------------------------------------------------------- */

/* Put the argument at ARG in the caller's memory, run the op, read it back. */
static long op_at(struct fake *caller, unsigned int cmd, void *arg, size_t size,
                  uint32_t count, bool compat)
{
    struct hypercall_args a = {
        .nr = __HYPERVISOR_grant_table_op, .a = { cmd, ARG, count }, .compat = compat,
    };
    cur = caller;
    if (arg)
        assert_int_equal(guest_copy(ARG, arg, size, true), 0);
    long rc = do_grant_table_op(&a);
    if (arg)
        assert_int_equal(guest_copy(ARG, arg, size, false), 0);
    return rc;
}

static long query_size(struct fake *caller, domid_t dom, struct gnttab_query_size *q)
{
    *q = (struct gnttab_query_size){ .dom = dom, .nr_frames = 0xdead, .max_nr_frames = 0xbeef,
                                     .status = 0x77 };
    return op_at(caller, GNTTABOP_query_size, q, sizeof(*q), 1, false);
}

static unsigned int nr_frames(struct fake *f)
{
    struct gnttab_query_size q;
    assert_int_equal(query_size(f, DOMID_SELF, &q), 0);
    assert_int_equal(q.status, GNTST_okay);
    return q.nr_frames;
}

static long add_to_physmap(struct fake *f, uint64_t idx, uint64_t gpfn)
{
    cur = f;
    return gnttab_add_to_physmap(f->d, idx, gpfn);
}

/* The guest's mapping of frame 0 at GT_GFN (what Linux does at boot). */
static void map_table(struct fake *f)
{
    assert_int_equal(add_to_physmap(f, 0, GT_GFN), 0);
}

static struct grant_entry_v1 *entry(struct fake *f, grant_ref_t ref)
{
    uint8_t *h = gpa_host(f, ((GT_GFN + ref / 512) << PAGE_SHIFT) + (ref % 512) * 8);
    assert_non_null(h);
    return (struct grant_entry_v1 *)h;
}

/* Grant as a frontend does: domid and frame, then flags. */
static void grant(struct fake *f, grant_ref_t ref, uint16_t flags, domid_t to, uint32_t gfn)
{
    struct grant_entry_v1 *e = entry(f, ref);
    e->domid = to;
    e->frame = gfn;
    __atomic_store_n(&e->flags, flags, __ATOMIC_SEQ_CST);
}

static uint8_t *page(struct fake *f, uint64_t gpa)
{
    uint8_t *h = gpa_host(f, gpa);
    assert_non_null(h);
    return h;
}

static void fill(struct fake *f, uint64_t gpa, uint8_t seed, size_t len)
{
    uint8_t *p = page(f, gpa);
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static bool filled(struct fake *f, uint64_t gpa, uint8_t seed, size_t len)
{
    uint8_t *p = page(f, gpa);
    for (size_t i = 0; i < len; i++)
        if (p[i] != (uint8_t)(seed + i * 7))
            return false;
    return true;
}

static struct gnttab_copy gref_to_gfn(domid_t dom, grant_ref_t ref, uint16_t soff,
                                      uint64_t gfn, uint16_t doff, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = dom, .offset = soff },
        .dest = { .u.gmfn = gfn, .domid = DOMID_SELF, .offset = doff },
        .len = len, .flags = GNTCOPY_source_gref,
    };
}

static struct gnttab_copy gfn_to_gref(uint64_t gfn, uint16_t soff, domid_t dom,
                                      grant_ref_t ref, uint16_t doff, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.gmfn = gfn, .domid = DOMID_SELF, .offset = soff },
        .dest = { .u.ref = ref, .domid = dom, .offset = doff },
        .len = len, .flags = GNTCOPY_dest_gref,
    };
}

/* One copy by caller; returns its status (the call itself must give 0). */
static int16_t copy1(struct fake *caller, struct gnttab_copy c)
{
    c.status = 0x55;
    assert_int_equal(op_at(caller, GNTTABOP_copy, &c, sizeof(c), 1, false), 0);
    assert_int_equal(refs_held(), 0);       /* whatever the outcome */
    return c.status;
}

static uint16_t flags_of(struct fake *f, grant_ref_t ref)
{
    return __atomic_load_n(&entry(f, ref)->flags, __ATOMIC_SEQ_CST);
}

/* ---- query_size ----------------------------------------------------------------- */

static void test_query_size(void **state)
{
    struct gnttab_query_size q;

    /* A fresh domain has Xen's initial frame and default maximum. */
    assert_int_equal(query_size(D1(), DOMID_SELF, &q), 0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);
    assert_int_equal(q.max_nr_frames, 64);
    assert_int_equal(query_size(D1(), 1, &q), 0);           /* own id */
    assert_int_equal(q.status, GNTST_okay);

    /* Unknown domain, someone else's: statuses, the call succeeds. */
    assert_int_equal(query_size(D1(), 77, &q), 0);
    assert_int_equal(q.status, GNTST_bad_domain);
    assert_int_equal(q.nr_frames, 0xdead);                  /* untouched */
    assert_int_equal(query_size(D1(), DOMID_IO, &q), 0);
    assert_int_equal(q.status, GNTST_bad_domain);
    assert_int_equal(query_size(D1(), 2, &q), 0);
    assert_int_equal(q.status, GNTST_permission_denied);
    /* The control domain may ask about anyone. */
    assert_int_equal(query_size(D0(), 2, &q), 0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);

    /* Exactly one op; the struct must be readable and writable. */
    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    assert_int_equal(op_at(D1(), GNTTABOP_query_size, &q, sizeof(q), 0, false), -EINVAL);
    assert_int_equal(op_at(D1(), GNTTABOP_query_size, &q, sizeof(q), 2, false), -EINVAL);
    struct hypercall_args a = { .a = { GNTTABOP_query_size, HOLE_GFN << PAGE_SHIFT, 1 } };
    cur = D1();
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    /* The last byte of RAM: readable start, unreadable end. */
    a.a[1] = ((uint64_t)RAM_PAGES << PAGE_SHIFT) - 8;
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    /* The same layout for a 32-bit caller. */
    q = (struct gnttab_query_size){ .dom = DOMID_SELF };
    assert_int_equal(op_at(D1(), GNTTABOP_query_size, &q, sizeof(q), 1, true), 0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.max_nr_frames, 64);
}

static void test_bad_cmd_and_count(void **state)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };

    /* A negative count for a command an HVM guest may use. */
    assert_int_equal(op_at(D1(), GNTTABOP_query_size, &q, sizeof(q), 0x80000000u, false), -EINVAL);
    assert_int_equal(op_at(D1(), GNTTABOP_copy, &q, sizeof(q), 0xffffffffu, false), -EINVAL);
    /* Continuation bits make another command, which Xen's HVM filter
     * (hvm_grant_table_op) refuses as it refuses any it does not know. */
    assert_int_equal(op_at(D1(), GNTTABOP_query_size | 0x1000, &q, sizeof(q), 1, false), -ENOSYS);
    assert_int_equal(op_at(D1(), GNTTABOP_copy | 0x80000000u, &q, sizeof(q), 1, true), -ENOSYS);
    /* ... before the count is looked at. */
    assert_int_equal(op_at(D1(), 99, &q, sizeof(q), 0x80000000u, false), -ENOSYS);
    assert_int_equal(op_at(D1(), GNTTABOP_cache_flush, &q, sizeof(q), 0xffffffffu, false), -ENOSYS);
    /* Sub-ops Keel does not offer. */
    static const unsigned int nosys[] = {
        GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref, GNTTABOP_dump_table,
        GNTTABOP_transfer, GNTTABOP_unmap_and_replace, GNTTABOP_get_status_frames,
        GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush, 13, 99, 0xfff,
    };
    for (unsigned int i = 0; i < sizeof(nosys) / sizeof(nosys[0]); i++) {
        assert_int_equal(op_at(D1(), nosys[i], &q, sizeof(q), 1, false), -ENOSYS);
        assert_int_equal(op_at(D1(), nosys[i], &q, sizeof(q), 1, true), -ENOSYS);
    }
    /* cache_flush keeps its continuation bits: still not offered. */
    assert_int_equal(op_at(D1(), GNTTABOP_cache_flush | 0x5000, &q, sizeof(q), 1, false), -ENOSYS);
}

/* ---- versions -------------------------------------------------------------------- */

static void test_set_version(void **state)
{
    struct gnttab_set_version v = { 1 };

    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 1, false), 0);
    assert_int_equal(v.version, 1);
    /* v2 is not offered: -ENOSYS (Xen with max-ver:1); v1 stays. */
    v.version = 2;
    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 1, false), -ENOSYS);
    assert_int_equal(v.version, 1);
    v.version = 0;
    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 1, false), -EINVAL);
    assert_int_equal(v.version, 1);
    v.version = 3;
    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 1, true), -EINVAL);
    assert_int_equal(v.version, 1);
    v.version = 0xffffffffu;
    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 1, false), -EINVAL);
    /* count is not looked at, as in Xen. */
    v.version = 1;
    assert_int_equal(op_at(D1(), GNTTABOP_set_version, &v, sizeof(v), 0, false), 0);
    struct hypercall_args a = { .a = { GNTTABOP_set_version, HOLE_GFN << PAGE_SHIFT, 1 } };
    cur = D1();
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    /* The table is still there, still v1, entries intact. */
    assert_int_equal(nr_frames(D1()), 1);
}

static long get_version(struct fake *caller, domid_t dom, struct gnttab_get_version *g)
{
    *g = (struct gnttab_get_version){ .dom = dom, .pad = 0x1234, .version = 0xdead };
    return op_at(caller, GNTTABOP_get_version, g, sizeof(*g), 1, false);
}

static void test_get_version(void **state)
{
    struct gnttab_get_version g;

    assert_int_equal(get_version(D1(), DOMID_SELF, &g), 0);
    assert_int_equal(g.version, 1);
    assert_int_equal(g.pad, 0x1234);        /* only version is written */
    assert_int_equal(get_version(D1(), 1, &g), 0);
    assert_int_equal(g.version, 1);
    /* Errors here are errnos, as Xen. */
    assert_int_equal(get_version(D1(), 99, &g), -ESRCH);
    assert_int_equal(g.version, 0xdead);
    assert_int_equal(get_version(D1(), 2, &g), -EPERM);
    assert_int_equal(g.version, 0xdead);
    assert_int_equal(get_version(D0(), 2, &g), 0);
    assert_int_equal(g.version, 1);
    struct hypercall_args a = { .a = { GNTTABOP_get_version, HOLE_GFN << PAGE_SHIFT, 1 } };
    cur = D1();
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
}

/* ---- setup_table ------------------------------------------------------------------ */

static long setup_table(struct fake *caller, domid_t dom, uint32_t nr, int16_t *status)
{
    struct gnttab_setup_table s = { .dom = dom, .nr_frames = nr, .status = 0x66, .frame_list = LIST };
    long rc = op_at(caller, GNTTABOP_setup_table, &s, sizeof(s), 1, false);
    *status = s.status;
    assert_int_equal(s.frame_list, LIST);
    return rc;
}

static uint64_t listed(struct fake *f, unsigned int i)
{
    uint64_t v;
    memcpy(&v, page(f, LIST + i * 8), 8);
    return v;
}

static void test_setup_table(void **state)
{
    int16_t st;

    memset(page(D1(), LIST), 0xcc, 64 * 8);
    assert_int_equal(setup_table(D1(), DOMID_SELF, 4, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(nr_frames(D1()), 4);
    /* Not mapped yet: all ones (Xen's invalid M2P entry); nothing beyond. */
    for (unsigned int i = 0; i < 4; i++)
        assert_true(listed(D1(), i) == ~0ULL);
    assert_true(listed(D1(), 4) == 0xccccccccccccccccULL);

    /* Mapped frames are listed by GFN, for a translated guest. */
    assert_int_equal(add_to_physmap(D1(), 0, GT_GFN), 0);
    assert_int_equal(add_to_physmap(D1(), 2, 0x234), 0);
    assert_int_equal(setup_table(D1(), 1, 3, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_true(listed(D1(), 0) == GT_GFN);
    assert_true(listed(D1(), 1) == ~0ULL);
    assert_true(listed(D1(), 2) == 0x234);
    /* Smaller than the table: it does not shrink. */
    assert_int_equal(setup_table(D1(), DOMID_SELF, 0, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(nr_frames(D1()), 4);

    /* Beyond the maximum: general error, nothing grows. */
    assert_int_equal(setup_table(D1(), DOMID_SELF, 65, &st), 0);
    assert_int_equal(st, GNTST_general_error);
    assert_int_equal(nr_frames(D1()), 4);
    assert_int_equal(setup_table(D1(), DOMID_SELF, 0xffffffffu, &st), 0);
    assert_int_equal(st, GNTST_general_error);
    /* Exactly the maximum is fine. */
    assert_int_equal(setup_table(D1(), DOMID_SELF, 64, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(nr_frames(D1()), 64);

    assert_int_equal(setup_table(D1(), 42, 1, &st), 0);
    assert_int_equal(st, GNTST_bad_domain);
    assert_int_equal(setup_table(D1(), 2, 1, &st), 0);
    assert_int_equal(st, GNTST_permission_denied);
    assert_int_equal(setup_table(D0(), 2, 2, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_int_equal(nr_frames(D2()), 2);

    /* A list that cannot be written: bad_virt_addr, still 0. */
    struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 1,
                                    .frame_list = HOLE_GFN << PAGE_SHIFT };
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 1, false), 0);
    assert_int_equal(s.status, GNTST_bad_virt_addr);
    /* One op exactly; an unreadable struct is -EFAULT. */
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 0, false), -EINVAL);
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 2, false), -EINVAL);
    struct hypercall_args a = { .a = { GNTTABOP_setup_table, HOLE_GFN << PAGE_SHIFT, 1 } };
    cur = D1();
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    /* The status cannot be written back: -EFAULT. */
    fail_to_guest_at = to_guest_calls + 2;  /* the frame, then the status */
    s.frame_list = LIST;
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 1, false), -EFAULT);
}

static void test_setup_table_compat(void **state)
{
    struct compat_gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 3,
                                           .status = 0x66, .frame_list = (uint32_t)LIST };

    memset(page(D1(), LIST), 0xcc, 64);
    assert_int_equal(add_to_physmap(D1(), 1, 0x345), 0);
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 1, true), 0);
    assert_int_equal(s.status, GNTST_okay);
    /* compat_pfn_t entries: 4 bytes each, all ones truncated to 32 bits. */
    uint32_t v[4];
    memcpy(v, page(D1(), LIST), sizeof(v));
    assert_int_equal(v[0], 0xffffffffu);
    assert_int_equal(v[1], 0x345);
    assert_int_equal(v[2], 0xffffffffu);
    assert_int_equal(v[3], 0xccccccccu);
    /* Xen's compat wrapper does nothing for count 0, refuses more than 1. */
    s.status = 0x66;
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 0, true), 0);
    assert_int_equal(s.status, 0x66);
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 2, true), -EINVAL);
    s.dom = 2;
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 1, true), 0);
    assert_int_equal(s.status, GNTST_permission_denied);
    s = (struct compat_gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 1,
                                            .frame_list = (uint32_t)(HOLE_GFN << PAGE_SHIFT) };
    assert_int_equal(op_at(D1(), GNTTABOP_setup_table, &s, sizeof(s), 1, true), 0);
    assert_int_equal(s.status, GNTST_bad_virt_addr);
}

/* ---- add_to_physmap ---------------------------------------------------------------- */

static void test_add_to_physmap(void **state)
{
    struct fake *f = D1();
    int16_t st;

    unsigned int flushes = f->flushes;
    assert_int_equal(add_to_physmap(f, 0, GT_GFN), 0);
    assert_true(f->flushes > flushes);
    assert_true(set_under_mem_lock);        /* the lock ballooning takes */
    assert_false(spin_is_locked(&f->d->mem_lock));
    mfn_t f0 = p2m_lookup(f->d, GT_GFN);
    assert_true(f0 != INVALID_MFN);
    /* The frame is zeroed (the allocator hands out 0x5a pages). */
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page(f, GT_GFN << PAGE_SHIFT)[i], 0);
    /* Mapping the same frame at the same place again is harmless. */
    assert_int_equal(add_to_physmap(f, 0, GT_GFN), 0);
    assert_true(p2m_lookup(f->d, GT_GFN) == f0);

    /* A higher index grows the table to take it, as Xen does. */
    assert_int_equal(add_to_physmap(f, 5, GT_GFN + 5), 0);
    assert_int_equal(nr_frames(f), 6);
    assert_int_equal(add_to_physmap(f, 63, GT_GFN + 63), 0);
    assert_int_equal(nr_frames(f), 64);
    /* Beyond the maximum, a v2 status frame with v1, a GFN beyond the P2M. */
    assert_int_equal(add_to_physmap(f, 64, GT_GFN + 64), -EINVAL);
    assert_int_equal(add_to_physmap(f, XENMAPIDX_grant_table_status, GT_GFN + 64), -EINVAL);
    assert_int_equal(add_to_physmap(f, XENMAPIDX_grant_table_status | 1, GT_GFN + 64), -EINVAL);
    assert_int_equal(add_to_physmap(f, 1ULL << 32, GT_GFN + 64), -EINVAL);
    assert_int_equal(add_to_physmap(f, ~0ULL, GT_GFN + 64), -EINVAL);
    assert_int_equal(add_to_physmap(f, 0, 1ULL << 36), -EINVAL);
    assert_int_equal(add_to_physmap(f, 0, ~0ULL), -EINVAL);
    assert_true(p2m_lookup(f->d, GT_GFN + 64) == INVALID_MFN);

    /* Moving a frame: the old spot becomes a hole. */
    assert_int_equal(add_to_physmap(f, 0, 0x200), 0);
    assert_true(p2m_lookup(f->d, 0x200) == f0);
    assert_true(p2m_lookup(f->d, GT_GFN) == INVALID_MFN);

    /* Over RAM: the RAM page goes back to the free pool, as in Xen
     * (it used to stay the domain's, counted but unreachable). */
    assert_int_equal(add_to_physmap(f, 1, DATA_GFN(3)), 0);
    assert_true(p2m_lookup(f->d, DATA_GFN(3)) != f->ram[DATA_GFN(3)]);
    assert_int_equal(f->ram_released, 1);

    /* Over another grant frame: that one is not mapped anywhere now. */
    assert_int_equal(add_to_physmap(f, 2, 0x200), 0);
    mfn_t f2 = p2m_lookup(f->d, 0x200);
    assert_true(f2 != f0);
    assert_int_equal(setup_table(f, DOMID_SELF, 3, &st), 0);
    assert_int_equal(st, GNTST_okay);
    assert_true(listed(f, 0) == ~0ULL);
    assert_true(listed(f, 1) == DATA_GFN(3));
    assert_true(listed(f, 2) == 0x200);
    /* ... and mapping frame 0 somewhere new leaves frame 2 where it is. */
    assert_int_equal(add_to_physmap(f, 0, 0x300), 0);
    assert_true(p2m_lookup(f->d, 0x200) == f2);
    assert_int_equal(setup_table(f, DOMID_SELF, 3, &st), 0);
    assert_true(listed(f, 0) == 0x300);
    assert_true(listed(f, 2) == 0x200);

    /* Over shared_info: Keel forgets where shared_info was. */
    mfn_t old;
    assert_int_equal(p2m_set_4k(f->d, 0x400, virt_to_mfn(f->d->shared_info), &old), 0);
    f->d->shared_info_gfn = 0x400;
    assert_int_equal(add_to_physmap(f, 3, 0x400), 0);
    assert_true(f->d->shared_info_gfn == ~0ULL);

    /* Something else mapped over a frame's GFN (shared_info here): the
     * frame counts as unmapped, and moving it does not unmap the other. */
    assert_int_equal(p2m_set_4k(f->d, 0x300, virt_to_mfn(f->d->shared_info), &old), 0);
    assert_int_equal(setup_table(f, DOMID_SELF, 1, &st), 0);
    assert_true(listed(f, 0) == ~0ULL);
    assert_int_equal(add_to_physmap(f, 0, 0x301), 0);
    assert_true(p2m_lookup(f->d, 0x300) == virt_to_mfn(f->d->shared_info));

    /* A P2M failure is passed on, and nothing is remembered. */
    p2m_fail = true;
    assert_int_equal(add_to_physmap(f, 4, 0x500), -ENOMEM);
    p2m_fail = false;
    assert_int_equal(setup_table(f, DOMID_SELF, 5, &st), 0);
    assert_true(listed(f, 4) == ~0ULL);
}

static void test_add_to_physmap_no_memory(void **state)
{
    struct fake *f = D2();

    assert_int_equal(nr_frames(f), 1);
    /* Growing fails part way: -EINVAL (Xen's answer), what was added stays. */
    heap_fail_after = 4;            /* two frames: a grant page and an active pair each */
    assert_int_equal(add_to_physmap(f, 9, GT_GFN), -EINVAL);
    assert_int_equal(nr_frames(f), 3);
    heap_fail_after = ~0u;
    assert_int_equal(add_to_physmap(f, 9, GT_GFN), 0);
    assert_int_equal(nr_frames(f), 10);

    /* setup_table: general error when it cannot grow. */
    int16_t st;
    heap_fail_after = 1;
    assert_int_equal(setup_table(f, DOMID_SELF, 12, &st), 0);
    assert_int_equal(st, GNTST_general_error);
    heap_fail_after = ~0u;
    assert_int_equal(nr_frames(f), 10);

    /* No table at all yet and no memory for one. */
    struct fake *g = D3();
    fake_xmalloc_budget = 0;
    struct gnttab_query_size q;
    assert_int_equal(query_size(g, DOMID_SELF, &q), 0);
    assert_int_equal(q.status, GNTST_general_error);
    assert_int_equal(add_to_physmap(g, 0, GT_GFN), -ENOMEM);
    assert_int_equal(gnttab_init(g->d), -ENOMEM);
    fake_xmalloc_budget = -1;
    heap_fail_after = 1;            /* the grant page but not its active pair */
    assert_int_equal(gnttab_init(g->d), -ENOMEM);
    assert_null(g->d->grant_table);
    heap_fail_after = ~0u;
    assert_int_equal(gnttab_init(g->d), 0);
    assert_non_null(g->d->grant_table);
    assert_int_equal(nr_frames(g), 1);
}

/* ---- copy ------------------------------------------------------------------------- */

/* d1 grants, d2 copies. */
static void granter_setup(void)
{
    map_table(D1());
    map_table(D2());
}

static void test_copy_from_grant(void **state)
{
    granter_setup();
    fill(D1(), DATA(0), 11, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access | GTF_readonly, 2, DATA_GFN(0));

    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, PAGE_SIZE)), GNTST_okay);
    assert_true(filled(D2(), DATA(1), 11, PAGE_SIZE));
    /* Done: neither in-use flag stays, the rest of the entry is the guest's. */
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);
    assert_int_equal(entry(D1(), 8)->domid, 2);
    assert_int_equal(entry(D1(), 8)->frame, DATA_GFN(0));

    /* Offsets and lengths inside the page, up to its very end. */
    memset(page(D2(), DATA(2)), 0, PAGE_SIZE);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 100, DATA_GFN(2), 4000, 96)), GNTST_okay);
    assert_int_equal(memcmp(page(D2(), DATA(2)) + 4000, page(D1(), DATA(0)) + 100, 96), 0);
    assert_int_equal(page(D2(), DATA(2))[3999], 0);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 4095, DATA_GFN(2), 0, 1)), GNTST_okay);
    assert_int_equal(page(D2(), DATA(2))[0], page(D1(), DATA(0))[4095]);
    /* Zero bytes, even at offset 4096. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 4096, DATA_GFN(2), 4096, 0)), GNTST_okay);

    /* The grantee may name the granter by id; the grant by DOMID_SELF is
     * the caller's own table (d2 has no such grant). */
    assert_int_equal(copy1(D2(), gref_to_gfn(DOMID_SELF, 8, 0, DATA_GFN(2), 0, 8)),
                     GNTST_general_error);
}

static void test_copy_to_grant(void **state)
{
    granter_setup();
    memset(page(D1(), DATA(1)), 0, PAGE_SIZE);
    grant(D1(), 9, GTF_permit_access, 2, DATA_GFN(1));
    fill(D2(), DATA(0), 33, PAGE_SIZE);

    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(0), 0, 1, 9, 0, PAGE_SIZE)), GNTST_okay);
    assert_true(filled(D1(), DATA(1), 33, PAGE_SIZE));
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access);

    /* Both sides grants of other domains: d3 grants to d2 as well. */
    map_table(D3());
    fill(D3(), DATA(2), 77, PAGE_SIZE);
    grant(D3(), 20, GTF_permit_access | GTF_readonly, 2, DATA_GFN(2));
    struct gnttab_copy c = {
        .source = { .u.ref = 20, .domid = 3, .offset = 8 },
        .dest = { .u.ref = 9, .domid = 1, .offset = 16 },
        .len = 1000, .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
    };
    assert_int_equal(copy1(D2(), c), GNTST_okay);
    assert_int_equal(memcmp(page(D1(), DATA(1)) + 16, page(D3(), DATA(2)) + 8, 1000), 0);
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access);
    assert_int_equal(flags_of(D3(), 20), GTF_permit_access | GTF_readonly);

    /* Within one writable grant, overlapping: memmove semantics. */
    fill(D1(), DATA(1), 5, PAGE_SIZE);
    c = (struct gnttab_copy){
        .source = { .u.ref = 9, .domid = 1, .offset = 0 },
        .dest = { .u.ref = 9, .domid = 1, .offset = 1 },
        .len = 100, .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
    };
    assert_int_equal(copy1(D2(), c), GNTST_okay);
    for (unsigned int i = 0; i < 100; i++)
        assert_int_equal(page(D1(), DATA(1))[1 + i], (uint8_t)(5 + i * 7));
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access);

    /* Local to local (no grant at all) works too. */
    fill(D2(), DATA(3), 9, 64);
    c = (struct gnttab_copy){
        .source = { .u.gmfn = DATA_GFN(3), .domid = DOMID_SELF },
        .dest = { .u.gmfn = DATA_GFN(4), .domid = DOMID_SELF },
        .len = 64,
    };
    assert_int_equal(copy1(D2(), c), GNTST_okay);
    assert_true(filled(D2(), DATA(4), 9, 64));

    /* A domain may copy through a grant to itself. */
    grant(D2(), 30, GTF_permit_access, 2, DATA_GFN(5));
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(3), 0, DOMID_SELF, 30, 0, 64)), GNTST_okay);
    assert_true(filled(D2(), DATA(5), 9, 64));
}

static void test_copy_errors(void **state)
{
    granter_setup();
    fill(D1(), DATA(0), 1, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access | GTF_readonly, 2, DATA_GFN(0));
    grant(D1(), 9, GTF_permit_access, 2, DATA_GFN(1));
    grant(D1(), 10, GTF_permit_access, 3, DATA_GFN(1));        /* for d3 */
    grant(D1(), 11, GTF_accept_transfer, 2, DATA_GFN(1));
    grant(D1(), 12, GTF_permit_access, 2, HOLE_GFN);           /* no page there */
    grant(D1(), 13, GTF_permit_access | GTF_readonly, 2, 0x7fffffff);
    grant(D1(), 511, GTF_permit_access, 2, DATA_GFN(1));       /* last of frame 0 */
    memset(page(D2(), DATA(1)), 0xee, PAGE_SIZE);

    /* References beyond the table (one frame: 512 entries). */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 512, 0, DATA_GFN(1), 0, 8)), GNTST_bad_gntref);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 0xffffffffu, 0, DATA_GFN(1), 0, 8)), GNTST_bad_gntref);
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(1), 0, 1, 512 * 64, 0, 8)), GNTST_bad_gntref);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 511, 0, DATA_GFN(1), 0, 8)), GNTST_okay);
    /* Never granted, granted to someone else, the wrong type. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 100, 0, DATA_GFN(1), 0, 8)), GNTST_general_error);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 10, 0, DATA_GFN(1), 0, 8)), GNTST_general_error);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 11, 0, DATA_GFN(1), 0, 8)), GNTST_general_error);
    /* Readonly grants cannot be written; readable they are. */
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(1), 0, 1, 8, 0, 8)), GNTST_general_error);
    assert_true(filled(D1(), DATA(0), 1, PAGE_SIZE));
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);
    /* Granted frame not present in the granter's P2M: bad page, flags
     * as they were. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 12, 0, DATA_GFN(1), 0, 8)), GNTST_bad_page);
    assert_int_equal(flags_of(D1(), 12), GTF_permit_access);
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(1), 0, 1, 12, 0, 8)), GNTST_bad_page);
    assert_int_equal(flags_of(D1(), 12), GTF_permit_access);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 13, 0, DATA_GFN(1), 0, 8)), GNTST_bad_page);
    /* The caller's own frame not present. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, HOLE_GFN, 0, 8)), GNTST_bad_page);
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, 1ULL << 40, 0, 8)), GNTST_bad_page);
    assert_int_equal(copy1(D2(), gfn_to_gref(~0ULL, 0, 1, 9, 0, 8)), GNTST_bad_page);
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access);

    /* Crossing the end of a page, either side, by one byte. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 4000, DATA_GFN(1), 0, 97)), GNTST_bad_copy_arg);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 4000, 97)), GNTST_bad_copy_arg);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 4097)), GNTST_bad_copy_arg);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0xffff, DATA_GFN(1), 0, 0xffff)), GNTST_bad_copy_arg);
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);
    /* Xen checks the grant before the offsets: a bad ref wins. */
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 5000, 4000, DATA_GFN(1), 0, 97)), GNTST_bad_gntref);
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        assert_int_equal(page(D2(), DATA(1))[i], i < 8 ? page(D1(), DATA(1))[i] : 0xee);

    /* Domains: unknown, dying, reserved ids; a GFN of anyone but the
     * caller (even naming itself by id). */
    assert_int_equal(copy1(D2(), gref_to_gfn(55, 8, 0, DATA_GFN(1), 0, 8)), GNTST_bad_domain);
    assert_int_equal(copy1(D2(), gref_to_gfn(DOMID_IO, 8, 0, DATA_GFN(1), 0, 8)), GNTST_bad_domain);
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(1), 0, 55, 9, 0, 8)), GNTST_bad_domain);
    struct gnttab_copy c = gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 8);
    c.dest.domid = 2;
    assert_int_equal(copy1(D2(), c), GNTST_permission_denied);
    c.dest.domid = 1;
    assert_int_equal(copy1(D2(), c), GNTST_permission_denied);
    /* Source checked first: a bad source domain beats a bad dest one. */
    c = gref_to_gfn(55, 8, 0, DATA_GFN(1), 0, 8);
    c.dest.domid = 1;
    assert_int_equal(copy1(D2(), c), GNTST_bad_domain);
    c = gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 8);
    c.source.offset = 4090;         /* crossing, but the dest domain is wrong first */
    c.dest.domid = 1;
    assert_int_equal(copy1(D2(), c), GNTST_permission_denied);
    D1()->d->state = DOMAIN_DYING;
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 8)), GNTST_bad_domain);
    D1()->d->state = DOMAIN_RUNNING;

    /* A bystander cannot use grants given to d2. */
    map_table(D3());
    assert_int_equal(copy1(D3(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 8)), GNTST_general_error);
    assert_int_equal(copy1(D3(), gref_to_gfn(1, 10, 0, DATA_GFN(1), 0, 8)), GNTST_okay);
    /* Privilege does not help either. */
    map_table(D0());
    assert_int_equal(copy1(D0(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 8)), GNTST_general_error);

    /* Nothing above left an in-use flag behind. */
    for (grant_ref_t r = 8; r <= 13; r++)
        assert_int_equal(flags_of(D1(), r) & (GTF_reading | GTF_writing), 0);
    assert_int_equal(flags_of(D1(), 511) & (GTF_reading | GTF_writing), 0);
}

static void test_copy_revoked(void **state)
{
    granter_setup();
    fill(D1(), DATA(0), 3, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access | GTF_readonly, 2, DATA_GFN(0));
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 16)), GNTST_okay);

    /* The frontend revokes as Linux does: cmpxchg flags to 0 when no
     * in-use bit is set.  After that the grant is refused and untouched. */
    uint16_t expect = GTF_permit_access | GTF_readonly;
    assert_true(__atomic_compare_exchange_n(&entry(D1(), 8)->flags, &expect, 0, false,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 16)), GNTST_general_error);
    assert_int_equal(flags_of(D1(), 8), 0);
    /* Only the flags matter: domid and frame still name d2 and the page. */
    assert_int_equal(entry(D1(), 8)->domid, 2);

    /* Re-granted to someone else, then back. */
    grant(D1(), 8, GTF_permit_access, 3, DATA_GFN(0));
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 16)), GNTST_general_error);
    grant(D1(), 8, GTF_permit_access, 2, DATA_GFN(2));
    fill(D1(), DATA(2), 99, 16);
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 16)), GNTST_okay);
    assert_true(filled(D2(), DATA(1), 99, 16));
}

/* ---- in-use flags while a copy runs -------------------------------------------- */

static uint16_t seen[2][4];
static unsigned int seen_refs[4];
static bool seen_locked[4];         /* the looked-up domain's mem_lock held */
static unsigned int nr_seen;

/* At each P2M lookup of d1 by the copy: what grants 8 and 9 say now. */
static void watch_flags(struct domain *d, uint64_t gfn)
{
    lookup_hook = NULL;             /* entry() looks up too */
    if (nr_seen < 4) {
        seen[0][nr_seen] = entry(D1(), 8)->flags;
        seen[1][nr_seen] = entry(D1(), 9)->flags;
        seen_refs[nr_seen] = refs_held();
        seen_locked[nr_seen] = spin_is_locked(&d->mem_lock);
        nr_seen++;
    }
    lookup_hook = watch_flags;
}

static void test_in_use_flags(void **state)
{
    granter_setup();
    grant(D1(), 8, GTF_permit_access | GTF_readonly | GTF_PWT, 2, DATA_GFN(0));
    grant(D1(), 9, GTF_permit_access | GTF_PCD, 2, DATA_GFN(1));

    /* Source grant 8, dest grant 9: the lookups are (1) 8's frame, just
     * after 8 went in use, then (2) 9's frame, just after 9 did. */
    struct gnttab_copy c = {
        .source = { .u.ref = 8, .domid = 1 }, .dest = { .u.ref = 9, .domid = 1 },
        .len = 64, .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
    };
    nr_seen = 0;
    lookup_hook = watch_flags;
    assert_int_equal(copy1(D2(), c), GNTST_okay);
    lookup_hook = NULL;
    assert_int_equal(nr_seen, 2);
    assert_int_equal(seen[0][0], GTF_permit_access | GTF_readonly | GTF_PWT | GTF_reading);
    assert_int_equal(seen[1][0], GTF_permit_access | GTF_PCD);
    assert_int_equal(seen[0][1], GTF_permit_access | GTF_readonly | GTF_PWT | GTF_reading);
    assert_int_equal(seen[1][1], GTF_permit_access | GTF_PCD | GTF_reading | GTF_writing);
    /* The source's frame is referenced by the time the destination's is
     * looked up (so ballooning cannot free it under the copy). */
    assert_int_equal(seen_refs[0], 0);
    assert_int_equal(seen_refs[1], 1);
    assert_true(seen_locked[0] && seen_locked[1]);

    /* A GFN side is referenced too: the caller's own frame, looked up first
     * (under the caller's mem_lock), then the granter's. */
    nr_seen = 0;
    lookup_hook = watch_flags;
    assert_int_equal(copy1(D2(), gfn_to_gref(DATA_GFN(0), 0, 1, 9, 0, 16)), GNTST_okay);
    lookup_hook = NULL;
    assert_int_equal(nr_seen, 2);
    assert_int_equal(seen_refs[0], 0);
    assert_int_equal(seen_refs[1], 1);
    assert_true(seen_locked[0] && seen_locked[1]);
    assert_false(spin_is_locked(&D1()->d->mem_lock) || spin_is_locked(&D2()->d->mem_lock));
    /* After: exactly the guest's bits, nothing else touched. */
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly | GTF_PWT);
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access | GTF_PCD);

    /* The same writable grant read and written by one copy: reading from
     * the source, then writing joins it (one lookup only: same frame). */
    c.source.u.ref = 9;
    nr_seen = 0;
    lookup_hook = watch_flags;
    assert_int_equal(copy1(D2(), c), GNTST_okay);
    lookup_hook = NULL;
    assert_int_equal(nr_seen, 1);
    assert_int_equal(seen[1][0], GTF_permit_access | GTF_PCD | GTF_reading);
    assert_int_equal(flags_of(D1(), 9), GTF_permit_access | GTF_PCD);

    /* A failing destination releases the source it already holds. */
    c.source.u.ref = 8;
    c.dest.u.ref = 8;               /* readonly */
    assert_int_equal(copy1(D2(), c), GNTST_general_error);
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly | GTF_PWT);
    c.dest.u.ref = 600;
    assert_int_equal(copy1(D2(), c), GNTST_bad_gntref);
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly | GTF_PWT);

    /* A guest that sets GTF_reading itself gains nothing: the bit is the
     * hypervisor's, and the last user clears it, as in Xen. */
    grant(D1(), 10, GTF_permit_access | GTF_reading, 2, DATA_GFN(0));
    assert_int_equal(copy1(D2(), gref_to_gfn(1, 10, 0, DATA_GFN(2), 0, 8)), GNTST_okay);
    assert_int_equal(flags_of(D1(), 10), GTF_permit_access);
}

/* ---- batches ---------------------------------------------------------------------- */

static void test_copy_batch(void **state)
{
    granter_setup();
    fill(D1(), DATA(0), 21, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access | GTF_readonly, 2, DATA_GFN(0));

    struct gnttab_copy c[3] = {
        gref_to_gfn(1, 8, 0, DATA_GFN(1), 0, 100),
        gref_to_gfn(1, 9, 0, DATA_GFN(1), 0, 100),          /* not granted */
        gref_to_gfn(1, 8, 100, DATA_GFN(1), 100, 100),
    };
    for (unsigned int i = 0; i < 3; i++)
        c[i].status = 0x55;
    /* Mixed statuses: the call still returns 0 (Linux BUG()s otherwise). */
    assert_int_equal(op_at(D2(), GNTTABOP_copy, c, sizeof(c), 3, false), 0);
    assert_int_equal(c[0].status, GNTST_okay);
    assert_int_equal(c[1].status, GNTST_general_error);
    assert_int_equal(c[2].status, GNTST_okay);
    assert_true(filled(D2(), DATA(1), 21, 200));
    /* Only status is written: the rest of each op is as the guest left it. */
    assert_int_equal(c[1].source.u.ref, 9);
    assert_int_equal(c[2].len, 100);

    /* count 0 does nothing. */
    c[0].status = 0x55;
    assert_int_equal(op_at(D2(), GNTTABOP_copy, c, sizeof(c), 0, false), 0);
    assert_int_equal(c[0].status, 0x55);

    /* An unreadable array: -EFAULT. */
    struct hypercall_args a = { .a = { GNTTABOP_copy, HOLE_GFN << PAGE_SHIFT, 1 } };
    cur = D2();
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    /* The second op unreadable: -EFAULT, the first one done. */
    uint64_t last = ((uint64_t)RAM_PAGES << PAGE_SHIFT) - sizeof(struct gnttab_copy);
    struct gnttab_copy one = gref_to_gfn(1, 8, 0, DATA_GFN(2), 0, 50);
    one.status = 0x55;
    assert_int_equal(guest_copy(last, &one, sizeof(one), true), 0);
    a.a[1] = last;
    a.a[2] = 2;
    assert_int_equal(do_grant_table_op(&a), -EFAULT);
    assert_int_equal(guest_copy(last, &one, sizeof(one), false), 0);
    assert_int_equal(one.status, GNTST_okay);
    assert_true(filled(D2(), DATA(2), 21, 50));
    /* A status that cannot be written: -EFAULT, the grant released. */
    fail_to_guest_at = to_guest_calls + 1;
    c[0].status = 0x55;
    assert_int_equal(op_at(D2(), GNTTABOP_copy, c, sizeof(c), 1, false), -EFAULT);
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);
}

/* Run a call to the end, restarting it as the arch would; how many times. */
static unsigned int run_restarting(struct fake *caller, struct hypercall_args *a, long *rc)
{
    unsigned int restarts = 0;
    cur = caller;
    while ((*rc = do_grant_table_op(a)) == HYPERCALL_RESTART)
        restarts++;
    return restarts;
}

static void test_copy_continuation(void **state)
{
    enum { N = 40 };
    struct gnttab_copy c[N];
    struct compat_gnttab_copy cc[N];

    granter_setup();
    fill(D1(), DATA(0), 0, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access | GTF_readonly, 2, DATA_GFN(0));
    memset(page(D2(), DATA(1)), 0, PAGE_SIZE);
    for (unsigned int i = 0; i < N; i++) {
        c[i] = gref_to_gfn(1, 8, (uint16_t)(i * 100), DATA_GFN(1), (uint16_t)(i * 100), 100);
        c[i].status = 0x55;
    }
    assert_int_equal(guest_copy(ARG, c, sizeof(c), true), 0);

    /* The first entry does 16 and asks to be restarted with the rest. */
    struct hypercall_args a = { .a = { GNTTABOP_copy, ARG, N } };
    cur = D2();
    assert_int_equal(do_grant_table_op(&a), HYPERCALL_RESTART);
    assert_int_equal(a.a[0], GNTTABOP_copy);
    assert_int_equal(a.a[1], ARG + 16 * sizeof(struct gnttab_copy));
    assert_int_equal(a.a[2], N - 16);
    long rc;
    assert_int_equal(run_restarting(D2(), &a, &rc), 1);
    assert_int_equal(rc, 0);
    assert_int_equal(guest_copy(ARG, c, sizeof(c), false), 0);
    for (unsigned int i = 0; i < N; i++)
        assert_int_equal(c[i].status, GNTST_okay);
    assert_true(filled(D2(), DATA(1), 0, N * 100));
    assert_int_equal(flags_of(D1(), 8), GTF_permit_access | GTF_readonly);

    /* The same from a 32-bit caller: 24-byte ops. */
    memset(page(D2(), DATA(1)), 0, PAGE_SIZE);
    for (unsigned int i = 0; i < N; i++) {
        cc[i] = (struct compat_gnttab_copy){
            .source = { .u.ref = 8, .domid = 1, .offset = (uint16_t)(i * 100) },
            .dest = { .u.gmfn = DATA_GFN(1), .domid = DOMID_SELF, .offset = (uint16_t)(i * 100) },
            .len = 100, .flags = GNTCOPY_source_gref, .status = 0x55,
        };
    }
    assert_int_equal(guest_copy(ARG, cc, sizeof(cc), true), 0);
    a = (struct hypercall_args){ .a = { GNTTABOP_copy, ARG, N }, .compat = true };
    cur = D2();
    assert_int_equal(do_grant_table_op(&a), HYPERCALL_RESTART);
    assert_int_equal(a.a[1], ARG + 16 * 24);
    assert_int_equal(run_restarting(D2(), &a, &rc), 1);
    assert_int_equal(rc, 0);
    assert_int_equal(guest_copy(ARG, cc, sizeof(cc), false), 0);
    for (unsigned int i = 0; i < N; i++)
        assert_int_equal(cc[i].status, GNTST_okay);
    assert_true(filled(D2(), DATA(1), 0, N * 100));
}

static void test_copy_compat(void **state)
{
    granter_setup();
    fill(D1(), DATA(0), 44, PAGE_SIZE);
    grant(D1(), 8, GTF_permit_access, 2, DATA_GFN(0));
    fill(D2(), DATA(3), 66, PAGE_SIZE);

    /* The 32-bit layout: 4-byte gmfn, status at 20. */
    struct compat_gnttab_copy c[2] = {
        { .source = { .u.ref = 8, .domid = 1, .offset = 0 },
          .dest = { .u.gmfn = DATA_GFN(1), .domid = DOMID_SELF, .offset = 0 },
          .len = 512, .flags = GNTCOPY_source_gref, .status = 0x55 },
        { .source = { .u.gmfn = DATA_GFN(3), .domid = DOMID_SELF, .offset = 0 },
          .dest = { .u.ref = 8, .domid = 1, .offset = 1024 },
          .len = 512, .flags = GNTCOPY_dest_gref, .status = 0x55 },
    };
    assert_int_equal(op_at(D2(), GNTTABOP_copy, c, sizeof(c), 2, true), 0);
    assert_int_equal(c[0].status, GNTST_okay);
    assert_int_equal(c[1].status, GNTST_okay);
    assert_true(filled(D2(), DATA(1), 44, 512));
    assert_int_equal(memcmp(page(D1(), DATA(0)) + 1024, page(D2(), DATA(3)), 512), 0);
    assert_int_equal(c[1].len, 512);        /* nothing but status written */

    /* Errors come back in the compat status field too. */
    c[0].source.u.ref = 4096;
    c[1].dest.offset = 3700;
    assert_int_equal(op_at(D2(), GNTTABOP_copy, c, sizeof(c), 2, true), 0);
    assert_int_equal(c[0].status, GNTST_bad_gntref);
    assert_int_equal(c[1].status, GNTST_bad_copy_arg);

    /* A 64-bit caller's gmfn is 64 bits: the high half matters. */
    struct gnttab_copy n = gref_to_gfn(1, 8, 0, DATA_GFN(1) | (1ULL << 32), 0, 8);
    assert_int_equal(copy1(D2(), n), GNTST_bad_page);
    /* A compat array wraps at 4 GiB: op 0 in the last 24 bytes below it,
     * op 1 at address 0 (RAM page 0 here). */
    mfn_t old;
    assert_int_equal(p2m_set_4k(D2()->d, 0xfffff, D2()->ram[DATA_GFN(6)], &old), 0);
    c[0] = (struct compat_gnttab_copy){
        .source = { .u.ref = 8, .domid = 1 }, .dest = { .u.gmfn = DATA_GFN(4), .domid = DOMID_SELF },
        .len = 32, .flags = GNTCOPY_source_gref, .status = 0x55 };
    c[1] = c[0];
    c[1].dest.u.gmfn = DATA_GFN(5);
    cur = D2();
    assert_int_equal(guest_copy(0xffffffe8u, &c[0], sizeof(c[0]), true), 0);
    assert_int_equal(guest_copy(0, &c[1], sizeof(c[1]), true), 0);
    struct hypercall_args a = { .a = { GNTTABOP_copy, 0xffffffe8u, 2 }, .compat = true };
    assert_int_equal(do_grant_table_op(&a), 0);
    assert_int_equal(guest_copy(0xffffffe8u, &c[0], sizeof(c[0]), false), 0);
    assert_int_equal(guest_copy(0, &c[1], sizeof(c[1]), false), 0);
    assert_int_equal(c[0].status, GNTST_okay);
    assert_int_equal(c[1].status, GNTST_okay);
    assert_true(filled(D2(), DATA(4), 44, 32));
    assert_true(filled(D2(), DATA(5), 44, 32));
}

/* ---- lifetime -------------------------------------------------------------------------- */

static void test_lifetime(void **state)
{
    /* Created at domain creation or on first use, freed whole at destroy. */
    assert_null(D1()->d->grant_table);
    assert_int_equal(gnttab_init(D1()->d), 0);
    struct grant_table *gt = D1()->d->grant_table;
    assert_non_null(gt);
    assert_int_equal(gnttab_init(D1()->d), 0);          /* idempotent */
    assert_ptr_equal(D1()->d->grant_table, gt);
    assert_int_equal(heap_pages, heap_before + 3);      /* frame + active pair */
    assert_int_equal(fake_xmalloc_live, 1);

    assert_int_equal(add_to_physmap(D1(), 20, GT_GFN), 0);
    assert_int_equal(heap_pages, heap_before + 21 * 3);
    gnttab_destroy(D1()->d);
    assert_null(D1()->d->grant_table);
    assert_int_equal(heap_pages, heap_before);
    assert_int_equal(fake_xmalloc_live, 0);
    gnttab_destroy(D1()->d);                            /* twice: nothing */

    /* A dying domain gets no new table. */
    D2()->d->state = DOMAIN_DYING;
    assert_int_equal(add_to_physmap(D2(), 0, GT_GFN), -EINVAL);
    assert_null(D2()->d->grant_table);
    struct gnttab_query_size q;
    assert_int_equal(query_size(D0(), 2, &q), 0);
    assert_int_equal(q.status, GNTST_bad_domain);
    D2()->d->state = DOMAIN_RUNNING;

    /* First use makes one: query_size of a domain without a table. */
    assert_int_equal(query_size(D3(), DOMID_SELF, &q), 0);
    assert_int_equal(q.status, GNTST_okay);
    assert_int_equal(q.nr_frames, 1);
    assert_non_null(D3()->d->grant_table);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_query_size),
        T(test_bad_cmd_and_count),
        T(test_set_version),
        T(test_get_version),
        T(test_setup_table),
        T(test_setup_table_compat),
        T(test_add_to_physmap),
        T(test_add_to_physmap_no_memory),
        T(test_copy_from_grant),
        T(test_copy_to_grant),
        T(test_copy_errors),
        T(test_copy_revoked),
        T(test_in_use_flags),
        T(test_copy_batch),
        T(test_copy_continuation),
        T(test_copy_compat),
        T(test_lifetime),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

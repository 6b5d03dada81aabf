/*
 * memory_op (common/memory_op.c) with the real page allocator: ballooning
 * (decrease_reservation, populate_physmap, increase_reservation), the
 * shared_info placement that frees the RAM page it replaces, and every
 * error answer, against fake domains.  The harness side: a fake P2M per
 * domain (4 KiB entries and 2 MiB leaves, with the real one's rules: a
 * leaf is split when part of it changes, table pages are only ever added),
 * a flat fake guest address space for hypercall arguments, current and
 * domain_by_id over the fake domains.  After every call the allocator's
 * invariants, the domain's page list and tot_pages, and the P2M's
 * ownership are checked.
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
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/pvh_build.h>
#include <asm/page.h>
#include <public/memory.h>
#include "include/harness.h"
#include "fake_p2m.h"

#define NR_FRAMES   16384               /* 64 MiB of host memory */
#define FAKE_GFNS   (1UL << 20)         /* guest-physical space the fake P2M holds: 4 GiB */
#define GFN_LIMIT   FAKE_P2M_GFN_LIMIT
#define RAM_PAGES   2048                /* 8 MiB of guest RAM, gfns 0-2047 */
#define CONSOLE_GFN 0xfefffUL           /* a hypervisor page in the P2M */

#define OP_INC  XENMEM_increase_reservation
#define OP_DEC  XENMEM_decrease_reservation
#define OP_POP  XENMEM_populate_physmap

/* ---- the fake P2M (tests/unit/fake_p2m.c) ------------------------------------ */

struct fake {
    struct domain *d;
    mfn_t ring;                         /* the hypervisor page at CONSOLE_GFN */
};
static struct fake fakes[4];
static unsigned int nr_fakes;
static struct vcpu *cur;

static unsigned int flushes;
static uint64_t free_at_flush;          /* allocator's free pages at the last flush */
static void (*on_flush)(struct domain *d);     /* what "another CPU" does meanwhile */

static struct fake_p2m *p2m_of(struct domain *d)
{
    return fake_p2m_of(d);
}

struct vcpu *current_vcpu(void)
{
    return cur;
}

struct domain *domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        if (fakes[i].d->domain_id == id)
            return fakes[i].d;
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
    assert_int_not_equal(d->refs, 0);
    d->refs--;
}

/* Grant frames are common/grant_table.c's, tested in test_grant_table.c. */
long gnttab_add_to_physmap(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    (void)d, (void)idx, (void)gpfn;
    return -ENOSYS;
}

unsigned int guest_ram_ranges(uint64_t mem_bytes, struct mem_range out[PVH_MEMMAP_MAX])
{
    out[0] = (struct mem_range){ 0, mem_bytes, MEM_RAM };
    return 1;
}

static void count_flush(struct domain *d)
{
    flushes++;
    free_at_flush = page_alloc_free_pages();
    if (on_flush)
        on_flush(d);
}

/* ---- the fake guest address space (hypercall arguments) ------------------------ */

#define GVA_BASE   0x40000000ULL
#define GVA_SIZE   (64 * 1024)
#define GVA_ARG    GVA_BASE                 /* the reservation struct */
#define GVA_LIST   (GVA_BASE + 4096)        /* the extent list */
#define GVA_BAD    0xdead00000000ULL        /* nothing there */
static uint8_t guest_mem[GVA_SIZE];
static uint64_t hole_start, hole_end;       /* a range that faults */

static bool gva_ok(uint64_t gva, size_t len)
{
    if (gva < GVA_BASE || gva + len > GVA_BASE + GVA_SIZE || gva + len < gva)
        return false;
    return gva + len <= hole_start || gva >= hole_end;
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    if (!gva_ok(gva, len))
        return -EFAULT;
    memcpy(dst, guest_mem + (gva - GVA_BASE), len);
    return 0;
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    if (!gva_ok(gva, len))
        return -EFAULT;
    memcpy(guest_mem + (gva - GVA_BASE), src, len);
    return 0;
}

/* ---- fake domains ------------------------------------------------------------------ */

static struct page_info *frame_table;

static struct domain *make_domain(domid_t id, bool privileged, uint64_t ram_pages)
{
    struct fake *f = &fakes[nr_fakes++];
    struct domain *d = calloc(1, sizeof(*d));
    mfn_t old;

    assert_non_null(d);
    d->domain_id = id;
    snprintf(d->name, sizeof(d->name), "dom%u", id);
    d->is_privileged = privileged;
    d->max_pages = ram_pages;
    d->config.memory_mib = ram_pages >> 8;
    d->shared_info_gfn = ~0ULL;
    d->shared_info = alloc_xenheap_pages(0);
    assert_non_null(d->shared_info);
    f->d = d;
    fake_p2m_init(d, FAKE_GFNS);
    /* RAM as the domain builder makes it: 2 MiB blocks mapped by leaves. */
    for (uint64_t gfn = 0; gfn < ram_pages; gfn += 512) {
        mfn_t m = alloc_owned_pages(&d->pages, id, 9);
        assert_int_not_equal(m, INVALID_MFN);
        memset(mfn_to_virt(m), 0x5a, 512 * PAGE_SIZE);  /* the guest's data */
        assert_int_equal(p2m_set_range(d, gfn, m, 512), 0);
    }
    d->tot_pages = d->pages.pages;
    /* A hypervisor page in the P2M, as the console ring is. */
    void *ring = alloc_xenheap_pages(0);
    assert_non_null(ring);
    f->ring = virt_to_mfn(ring);
    assert_int_equal(p2m_set_4k(d, CONSOLE_GFN, f->ring, &old), 0);
    return d;
}

static void destroy_domain(struct fake *f)
{
    struct domain *d = f->d;

    assert_int_equal(page_list_free(&d->pages), d->tot_pages);
    assert_int_equal(d->pages.pages, 0);
    free_xenheap_pages(d->shared_info, 0);
    free_pages(f->ring, 0);
    fake_p2m_free(d);
    free(d);
}

static struct vcpu vcpus[4];

static void become(struct domain *d)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        if (fakes[i].d == d) {
            vcpus[i].domain = d;
            cur = &vcpus[i];
        }
}

static uint64_t free_before_domains;

static int setup(void **state)
{
    frame_table = malloc(page_alloc_table_bytes(NR_FRAMES));
    assert_non_null(frame_table);
    harness_directmap_init(NR_FRAMES);
    page_alloc_init(frame_table, NR_FRAMES);
    page_alloc_add_range(1, NR_FRAMES);
    free_before_domains = page_alloc_free_pages();
    nr_fakes = 0;
    memset(fakes, 0, sizeof(fakes));
    memset(guest_mem, 0, sizeof(guest_mem));
    hole_start = hole_end = 0;
    flushes = 0;
    fake_p2m_on_flush = count_flush;
    harness_log_clear();
    return 0;
}

static int teardown(void **state)
{
    for (unsigned int i = 0; i < nr_fakes; i++)
        destroy_domain(&fakes[i]);
    /* Destroying the domains gave back every page, ballooned or not. */
    assert_int_equal(page_alloc_free_pages(), free_before_domains);
    assert_int_equal(page_alloc_verify(), 0);
    harness_directmap_free();
    free(frame_table);
    return 0;
}

/* ---- calls ----------------------------------------------------------------------------- */

static unsigned int restarts;
static uint64_t last_cmd;               /* cmd of the last entry (after restarts) */

/* One hypercall as the arch makes it, re-entered while it asks to be. */
static long memory_op(uint64_t cmd, uint64_t arg, bool compat)
{
    struct hypercall_args args = { .nr = 12, .a = { cmd, arg }, .compat = compat };
    long rc;

    restarts = 0;
    for (;;) {
        last_cmd = args.a[0];
        rc = do_memory_op(&args);
        if (rc != HYPERCALL_RESTART)
            return rc;
        restarts++;
        assert_true(restarts < 10000);
    }
}

static void put_list(const uint64_t *gfns, unsigned int n)
{
    assert_true(n * 8 <= GVA_SIZE - 4096);
    memcpy(guest_mem + (GVA_LIST - GVA_BASE), gfns, n * 8);
}

static long reserve_op(unsigned int op, const uint64_t *gfns, unsigned int n,
                       unsigned int order, domid_t domid, unsigned int flags)
{
    struct xen_memory_reservation r = {
        .extent_start = gfns ? GVA_LIST : 0, .nr_extents = n,
        .extent_order = order, .mem_flags = flags, .domid = domid,
    };
    if (gfns)
        put_list(gfns, n);
    memcpy(guest_mem, &r, sizeof(r));
    return memory_op(op, GVA_ARG, false);
}

static long op1(unsigned int op, uint64_t gfn, unsigned int order)
{
    return reserve_op(op, &gfn, 1, order, DOMID_SELF, 0);
}

static long reservation_of(domid_t id)
{
    memcpy(guest_mem, &id, sizeof(id));
    return memory_op(XENMEM_current_reservation, GVA_ARG, false);
}

static mfn_t hv_frame = INVALID_MFN;    /* another hypervisor page a test placed */

/* Every invariant after a call: allocator, the domain's list and count,
 * and every mapped RAM frame of the domain being its own. */
static void check_domain(struct domain *d)
{
    struct fake_p2m *p = p2m_of(d);
    uint64_t mapped_ram = 0;

    assert_int_equal(page_alloc_verify(), 0);
    assert_int_equal(page_list_verify(&d->pages, d->domain_id), 0);
    assert_int_equal(d->tot_pages, d->pages.pages);
    assert_true(d->tot_pages <= d->max_pages);
    assert_int_equal(d->refs, 0);           /* every call put what it got */
    for (uint64_t gfn = 0; gfn < RAM_PAGES * 4; gfn++) {
        mfn_t m = p->map[gfn];
        if (m == INVALID_MFN || m == virt_to_mfn(d->shared_info) || m == hv_frame)
            continue;
        assert_int_not_equal(page_owned_block(m, d->domain_id, NULL), INVALID_MFN);
        mapped_ram++;
    }
    assert_true(mapped_ram <= d->tot_pages);
}

static bool frame_is_zero(mfn_t m)
{
    const uint8_t *p = mfn_to_virt(m);
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- decrease_reservation ---------------------------------------------------------------- */

static void test_decrease_single_pages_across_2m(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t gfns[1024], free0 = page_alloc_free_pages(), tables0 = p2m_of(d)->tables;

    become(d);
    for (unsigned int i = 0; i < 1024; i++)
        gfns[i] = 256 + i;                  /* 1 MiB .. 5 MiB: three 2 MiB leaves */
    flushes = 0;
    assert_int_equal(reserve_op(OP_DEC, gfns, 1024, 0, DOMID_SELF, 0), 1024);
    assert_int_equal(restarts, 1);          /* 512 pages per entry */
    assert_int_equal(d->tot_pages, RAM_PAGES - 1024);
    assert_int_equal(reservation_of(DOMID_SELF), RAM_PAGES - 1024);
    /* Three leaves were split (one table each); every page freed. */
    assert_int_equal(p2m_of(d)->tables - tables0, 3);
    assert_int_equal(page_alloc_free_pages(), free0 + 1024);
    /* Flushed before anything was freed, once per entry. */
    assert_int_equal(flushes, 2);
    for (unsigned int i = 0; i < 1024; i++)
        assert_int_equal(p2m_lookup(d, 256 + i), INVALID_MFN);
    assert_int_not_equal(p2m_lookup(d, 255), INVALID_MFN);
    assert_int_not_equal(p2m_lookup(d, 1280), INVALID_MFN);
    assert_true(harness_log_contains("d1 dom1: balloon -512 pages (now 1536)"));
    assert_true(harness_log_contains("d1 dom1: balloon -512 pages (now 1024)"));
    check_domain(d);

    /* The same frames again: not populated any more, nothing done. */
    assert_int_equal(reserve_op(OP_DEC, gfns, 1024, 0, DOMID_SELF, 0), 0);
    assert_int_equal(d->tot_pages, RAM_PAGES - 1024);
    check_domain(d);
}

static void test_flush_comes_before_free(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t free0 = page_alloc_free_pages();

    become(d);
    flushes = 0;
    assert_int_equal(op1(OP_DEC, 1024, 9), 1);
    assert_int_equal(flushes, 1);
    assert_int_equal(free_at_flush, free0);     /* nothing freed before the flush */
    assert_int_equal(page_alloc_free_pages(), free0 + 512);
}

static void test_decrease_2m_leaf_whole(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t tables0 = p2m_of(d)->tables, free0 = page_alloc_free_pages();
    struct page_alloc_stats st0, st1;

    become(d);
    page_alloc_get_stats(&st0);
    assert_int_equal(op1(OP_DEC, 512, 9), 1);
    page_alloc_get_stats(&st1);
    assert_int_equal(d->tot_pages, RAM_PAGES - 512);
    assert_int_equal(p2m_of(d)->tables, tables0);       /* no split needed */
    assert_int_equal(page_alloc_free_pages(), free0 + 512);
    assert_int_equal(st1.owned_blocks, st0.owned_blocks - 1);  /* the block went whole */
    check_domain(d);

    /* Order 9 over 4 KiB entries (after one page went): frame by frame. */
    assert_int_equal(op1(OP_DEC, 1024 + 7, 0), 1);
    assert_int_equal(op1(OP_DEC, 1024, 9), 0);          /* frame 7 is missing: stops there */
    assert_int_equal(d->tot_pages, RAM_PAGES - 512 - 1 - 7);  /* frames 0-6 went, as Xen */
    check_domain(d);
    assert_int_equal(op1(OP_POP, 1024 + 7, 0), 1);
    assert_int_equal(op1(OP_DEC, 1024, 9), 0);          /* now frame 0 is missing */
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1024 }, 1, 0, DOMID_SELF, 0), 1);
    for (uint64_t g = 1025; g < 1031; g++)
        assert_int_equal(op1(OP_POP, g, 0), 1);
    assert_int_equal(op1(OP_DEC, 1024, 9), 1);          /* all there: all go */
    assert_int_equal(d->tot_pages, RAM_PAGES - 1024);
    check_domain(d);
}

static void test_decrease_errors_change_nothing(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    struct domain *other = make_domain(2, false, RAM_PAGES);
    uint64_t free0 = page_alloc_free_pages();
    mfn_t old;

    become(d);
    assert_int_equal(p2m_set_4k(d, 2047, virt_to_mfn(d->shared_info), &old), 0);
    d->shared_info_gfn = 2047;
    free0 = page_alloc_free_pages();
    uint64_t tot0 = d->tot_pages;

    assert_int_equal(op1(OP_DEC, 4096, 0), 0);              /* above RAM, unpopulated */
    assert_int_equal(op1(OP_DEC, 100000, 0), 0);
    assert_int_equal(op1(OP_DEC, GFN_LIMIT, 0), 0);         /* beyond guest-physical */
    assert_int_equal(op1(OP_DEC, ~0ULL, 0), 0);
    assert_int_equal(op1(OP_DEC, ~0ULL - 3, 2), 0);         /* would wrap */
    assert_int_equal(op1(OP_DEC, 2047, 0), 0);              /* shared_info: refused */
    assert_int_equal(p2m_lookup(d, 2047), virt_to_mfn(d->shared_info));
    assert_int_equal(op1(OP_DEC, CONSOLE_GFN, 0), 0);       /* another hypervisor page */
    assert_int_equal(op1(OP_DEC, 0, 10), 0);                /* order above a domU's 9 */
    assert_int_equal(op1(OP_DEC, 0, 63), 0);
    assert_int_equal(op1(OP_DEC, 0, 0xffffffff), 0);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, 2, 0), 0);       /* not ours */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, 99, 0), 0);      /* no domain */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, DOMID_XEN, 0), 0);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, DOMID_SELF, 12), 0); /* bits <= 12 */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, DOMID_SELF,
                                (3 + 1) << 8 | XENMEMF_exact_node_request), 0);

    /* Bad pointers: the reservation itself, the list, part of the list. */
    assert_int_equal(memory_op(OP_DEC, GVA_BAD, false), 0);
    assert_int_equal(memory_op(OP_DEC, 0, false), 0);
    struct xen_memory_reservation r = { .extent_start = GVA_BAD, .nr_extents = 1,
                                        .domid = DOMID_SELF };
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC, GVA_ARG, false), 0);
    r.extent_start = GVA_LIST;
    r.nr_extents = (UINT32_MAX >> 6) + 1;                   /* too many to continue */
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC, GVA_ARG, false), 0);
    /* A start index at or past the end comes straight back. */
    r.nr_extents = 1;
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC | (5 << MEMOP_EXTENT_SHIFT), GVA_ARG, false), 5);

    assert_int_equal(d->tot_pages, tot0);
    assert_int_equal(other->tot_pages, RAM_PAGES);
    assert_int_equal(page_alloc_free_pages(), free0);
    check_domain(d);
    check_domain(other);

    /* A list that faults part-way: the extents before the fault are done. */
    put_list((uint64_t[]){ 10, 11, 12, 13 }, 4);
    hole_start = GVA_LIST + 16, hole_end = GVA_LIST + 24;
    r = (struct xen_memory_reservation){ .extent_start = GVA_LIST, .nr_extents = 4,
                                         .domid = DOMID_SELF };
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC, GVA_ARG, false), 2);
    hole_start = hole_end = 0;
    /* An extent that fails stops the list: [ok, hole, ok] does one. */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 20, 4000, 21 }, 3, 0, DOMID_SELF, 0), 1);
    assert_int_equal(p2m_lookup(d, 20), INVALID_MFN);
    assert_int_not_equal(p2m_lookup(d, 21), INVALID_MFN);
    assert_int_equal(d->tot_pages, tot0 - 3);
    check_domain(d);

    /* Hints Xen ignores are accepted. */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 30 }, 1, 0, DOMID_SELF, 32), 1);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 31 }, 1, 0, DOMID_SELF, (2 + 1) << 8), 1);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 32 }, 1, 0, DOMID_SELF,
                                XENMEMF_vnode | XENMEMF_exact_node_request | (5 + 1) << 8), 1);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 33 }, 1, 0, 1, 0), 1);  /* own ID */
    check_domain(d);
}

static void test_control_domain_may_act_on_others(void **state)
{
    struct domain *ctl = make_domain(0, true, RAM_PAGES);
    struct domain *u = make_domain(3, false, RAM_PAGES);

    become(ctl);
    assert_int_equal(reservation_of(3), RAM_PAGES);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 1024 }, 1, 9, 3, 0), 1);
    assert_int_equal(u->tot_pages, RAM_PAGES - 512);
    assert_int_equal(ctl->tot_pages, RAM_PAGES);
    assert_true(harness_log_contains("d3 dom3: balloon -512 pages"));
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1024 }, 1, 9, 3, 0), 1);
    assert_int_equal(u->tot_pages, RAM_PAGES);
    /* Orders up to 18 for the control domain: 4 MiB of its own at once. */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 0 }, 1, 10, DOMID_SELF, 0), 1);
    assert_int_equal(ctl->tot_pages, RAM_PAGES - 1024);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 0 }, 1, 10, DOMID_SELF, 0), 1);
    assert_int_equal(op1(OP_DEC, 0, 19), 0);
    /* Node hints: any node below 64, exact or not; none beyond. */
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 5 }, 1, 0, DOMID_SELF,
                                (7 + 1) << 8 | XENMEMF_exact_node_request), 1);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 6 }, 1, 0, DOMID_SELF, (64 + 1) << 8), 0);
    /* Populate-on-demand is refused, for others as for itself. */
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 5 }, 1, 0, 3, XENMEMF_populate_on_demand), 0);
    check_domain(ctl);
    check_domain(u);

    /* The other way round: a domU gets nothing done on the control domain. */
    become(u);
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 7 }, 1, 0, 0, 0), 0);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 5 }, 1, 0, 0, 0), 0);
    assert_int_equal(reservation_of(0), -EPERM);
    assert_int_equal(reservation_of(77), -ESRCH);
    assert_int_equal(ctl->tot_pages, RAM_PAGES - 1);
}

static void test_referenced_frame_stays_until_destroy(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    mfn_t m = p2m_lookup(d, 700);
    uint64_t free0 = page_alloc_free_pages();

    become(d);
    page_get_ref(m);                        /* as a registered vcpu_info does */
    assert_int_equal(op1(OP_DEC, 700, 0), 1);   /* done, as Xen answers */
    assert_int_equal(p2m_lookup(d, 700), INVALID_MFN);
    assert_int_equal(d->tot_pages, RAM_PAGES);  /* still the domain's */
    assert_int_not_equal(page_owned_block(m, 1, NULL), INVALID_MFN);
    assert_int_equal(page_alloc_free_pages(), free0);        /* nothing freed */
    check_domain(d);
    /* The GFN is free: populating it needs room under max_pages. */
    assert_int_equal(op1(OP_POP, 700, 0), 0);
    assert_int_equal(op1(OP_DEC, 701, 0), 1);
    assert_int_equal(op1(OP_POP, 700, 0), 1);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    /* An order-9 extent over a leaf with a referenced frame: that frame stays. */
    mfn_t n = p2m_lookup(d, 1536 + 3);
    page_get_ref(n);
    assert_int_equal(op1(OP_DEC, 1536, 9), 1);
    assert_int_equal(d->tot_pages, RAM_PAGES - 511);
    check_domain(d);
    page_put_ref(n);
    page_put_ref(m);
}

static mfn_t racing_frame;

static void take_ref_racing(struct domain *d)
{
    page_get_ref(racing_frame);
}

/* A reference taken (wrongly, outside mem_lock) while the frame was on its
 * way out: it is not freed but stays the domain's. */
static void test_reference_racing_release(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t free0 = page_alloc_free_pages();

    become(d);
    racing_frame = p2m_lookup(d, 800);
    on_flush = take_ref_racing;
    assert_int_equal(reserve_op(OP_DEC, (uint64_t[]){ 799, 800, 801 }, 3, 0, DOMID_SELF, 0), 3);
    on_flush = NULL;
    assert_true(harness_log_contains("still has 1 references"));
    assert_int_equal(d->tot_pages, RAM_PAGES - 2);
    assert_int_equal(page_alloc_free_pages(), free0 + 2);
    assert_int_not_equal(page_owned_block(racing_frame, 1, NULL), INVALID_MFN);
    assert_true(harness_log_contains("d1 dom1: balloon -2 pages (now 2046)"));
    check_domain(d);
    page_put_ref(racing_frame);
}

/* ---- populate_physmap --------------------------------------------------------------------- */

static void test_populate_back_zeroed(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t gfns[600], free0 = page_alloc_free_pages();

    become(d);
    for (unsigned int i = 0; i < 600; i++)
        gfns[i] = 400 + i;
    assert_int_equal(reserve_op(OP_DEC, gfns, 600, 0, DOMID_SELF, 0), 600);
    assert_int_equal(page_alloc_free_pages(), free0 + 600);
    /* Populate them back: the host's free pool pays exactly that. */
    uint64_t free1 = page_alloc_free_pages();
    assert_int_equal(reserve_op(OP_POP, gfns, 600, 0, DOMID_SELF, 0), 600);
    assert_int_equal(restarts, 1);
    assert_int_equal(page_alloc_free_pages(), free1 - 600);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    for (unsigned int i = 0; i < 600; i++) {
        mfn_t m = p2m_lookup(d, gfns[i]);
        assert_int_not_equal(m, INVALID_MFN);
        assert_true(frame_is_zero(m));
    }
    /* The frames around kept the guest's data. */
    assert_int_equal(*(uint8_t *)mfn_to_virt(p2m_lookup(d, 399)), 0x5a);
    assert_true(harness_log_contains("d1 dom1: balloon +512 pages (now 1960)"));
    assert_true(harness_log_contains("d1 dom1: balloon +88 pages (now 2048)"));
    check_domain(d);
}

static void test_populate_order9_and_max_pages(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    unsigned int order;

    become(d);
    assert_int_equal(op1(OP_DEC, 1536, 9), 1);
    /* At max_pages minus 512: an order-9 extent above RAM fits once. */
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 8192, 9216 }, 2, 9, DOMID_SELF, 0), 1);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    assert_int_not_equal(p2m_lookup_order(d, 8192 + 17, &order), INVALID_MFN);
    assert_int_equal(order, 9);                 /* mapped by a 2 MiB leaf */
    assert_true(frame_is_zero(p2m_lookup(d, 8192 + 17)));
    assert_int_equal(p2m_lookup(d, 9216), INVALID_MFN);
    /* Full: nothing more, not even a page. */
    assert_int_equal(op1(OP_POP, 1536, 0), 0);
    assert_int_equal(op1(OP_INC, 0, 0), 0);
    /* Three single pages with room for one: a partial count. */
    assert_int_equal(op1(OP_DEC, 8192, 0), 1);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1536, 1537, 1538 }, 3, 0, DOMID_SELF, 0), 1);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    /* Bad orders and places. */
    assert_int_equal(op1(OP_DEC, 1536, 0), 1);
    assert_int_equal(op1(OP_POP, 1536, 10), 0);
    assert_int_equal(op1(OP_POP, GFN_LIMIT - 1, 1), 0);
    assert_int_equal(op1(OP_POP, GFN_LIMIT, 0), 0);
    assert_int_equal(op1(OP_POP, ~0ULL, 0), 0);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1536 }, 1, 0, DOMID_SELF, 12), 0);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1536 }, 1, 0, DOMID_SELF,
                                XENMEMF_populate_on_demand), 0);
    assert_int_equal(reserve_op(OP_POP, (uint64_t[]){ 1536 }, 1, 0, DOMID_SELF, 13), 1);
    check_domain(d);
}

static void test_populate_over_existing(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    mfn_t old_frame = p2m_lookup(d, 50), si = virt_to_mfn(d->shared_info), m;

    become(d);
    assert_int_equal(p2m_set_4k(d, 2000, si, &m), 0);
    d->shared_info_gfn = 2000;
    assert_int_equal(op1(OP_DEC, 1024, 9), 1);          /* room for the test */
    /* Own RAM there: replaced, the old frame stays the domain's (Xen). */
    assert_int_equal(op1(OP_POP, 50, 0), 1);
    assert_int_equal(d->tot_pages, RAM_PAGES - 511);
    assert_int_not_equal(p2m_lookup(d, 50), old_frame);
    assert_true(frame_is_zero(p2m_lookup(d, 50)));
    assert_int_not_equal(page_owned_block(old_frame, 1, NULL), INVALID_MFN);
    /* A hypervisor page in the range: refused, nothing mapped, nothing kept. */
    uint64_t free0 = page_alloc_free_pages(), tot0 = d->tot_pages;
    assert_int_equal(op1(OP_POP, 2000, 0), 0);
    assert_int_equal(op1(OP_POP, 1536, 9), 0);          /* shared_info at 2000 inside */
    assert_int_equal(op1(OP_POP, CONSOLE_GFN, 0), 0);
    assert_int_equal(p2m_lookup(d, 2000), si);
    assert_int_equal(page_alloc_free_pages(), free0);
    assert_int_equal(d->tot_pages, tot0);
    check_domain(d);
}

static void test_populate_p2m_failure(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);

    become(d);
    assert_int_equal(op1(OP_DEC, 0, 9), 1);
    uint64_t free0 = page_alloc_free_pages();
    p2m_of(d)->fail_table = 1;                  /* the next table cannot be had */
    assert_int_equal(op1(OP_POP, 3, 0), 0);
    /* Nothing of the page got mapped: it goes back to the free pool. */
    assert_int_equal(d->tot_pages, RAM_PAGES - 512);
    assert_int_equal(page_alloc_free_pages(), free0);
    check_domain(d);
    /* 510-511 map (a new table), 512-513 need a split that cannot be had:
     * as Xen, the block stays the domain's (counted), freed when it dies. */
    p2m_of(d)->fail_table = 2;
    assert_int_equal(op1(OP_POP, 510, 2), 0);
    assert_int_not_equal(p2m_lookup(d, 510), INVALID_MFN);
    assert_int_equal(d->tot_pages, RAM_PAGES - 508);
    check_domain(d);
    /* A split that cannot be had fails a decrease too. */
    p2m_of(d)->fail_table = 1;
    assert_int_equal(op1(OP_DEC, 600, 0), 0);
    assert_int_not_equal(p2m_lookup(d, 600), INVALID_MFN);
    check_domain(d);
}

/* ---- increase_reservation ------------------------------------------------------------------ */

static void test_increase_reservation(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);

    become(d);
    assert_int_equal(op1(OP_DEC, 512, 9), 1);
    /* No list needed for a translated guest; frames it cannot map. */
    assert_int_equal(reserve_op(OP_INC, NULL, 3, 0, DOMID_SELF, 0), 3);
    assert_int_equal(d->tot_pages, RAM_PAGES - 509);
    assert_int_equal(reserve_op(OP_INC, NULL, 2, 9, DOMID_SELF, 0), 0);  /* past max_pages */
    assert_int_equal(reserve_op(OP_INC, NULL, 1000, 0, DOMID_SELF, 0), 509);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    assert_int_equal(op1(OP_INC, 0, 10), 0);
    check_domain(d);
}

/* ---- continuations and the 32-bit layout -------------------------------------------------- */

static void test_continuation_index(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint64_t gfns[1500];
    struct hypercall_args args = { .nr = 12, .a = { OP_DEC, GVA_ARG } };

    become(d);
    for (unsigned int i = 0; i < 1500; i++)
        gfns[i] = i;
    struct xen_memory_reservation r = { .extent_start = GVA_LIST, .nr_extents = 1500,
                                        .domid = DOMID_SELF };
    put_list(gfns, 1500);
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(do_memory_op(&args), HYPERCALL_RESTART);
    assert_int_equal(args.a[0], OP_DEC | (512 << MEMOP_EXTENT_SHIFT));
    assert_int_equal(args.a[1], GVA_ARG);
    assert_int_equal(d->tot_pages, RAM_PAGES - 512);
    /* A guest may start anywhere in its list: the rest is done from there. */
    assert_int_equal(memory_op(OP_DEC | (1000 << MEMOP_EXTENT_SHIFT), GVA_ARG, false), 1500);
    assert_int_equal(d->tot_pages, RAM_PAGES - 1012);
    assert_int_not_equal(p2m_lookup(d, 600), INVALID_MFN);
    assert_int_equal(p2m_lookup(d, 1200), INVALID_MFN);
    check_domain(d);
    /* Order-9 extents: a 2 MiB extent fills an entry's budget. */
    uint64_t big[2] = { 1536, 1024 };
    assert_int_equal(reserve_op(OP_DEC, big, 2, 9, DOMID_SELF, 0), 1);   /* 1024.. partly gone */
    assert_int_equal(restarts, 1);
    /* The reservation queries take no index. */
    memcpy(guest_mem, &(domid_t){ DOMID_SELF }, 2);
    assert_int_equal(memory_op(XENMEM_current_reservation | (1 << MEMOP_EXTENT_SHIFT), GVA_ARG, false),
                     -EINVAL);
    assert_int_equal(memory_op(XENMEM_maximum_reservation, GVA_ARG, false), RAM_PAGES);
    check_domain(d);
}

static void test_compat_layout(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    uint32_t gfns[3] = { 40, 41, 1200 };
    struct compat_xen_memory_reservation r = {
        .extent_start = (uint32_t)GVA_LIST, .nr_extents = 3, .extent_order = 0,
        .mem_flags = 0, .domid = DOMID_SELF,
    };

    become(d);
    memcpy(guest_mem + (GVA_LIST - GVA_BASE), gfns, sizeof(gfns));
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC, (uint32_t)GVA_ARG, true), 3);
    assert_int_equal(p2m_lookup(d, 41), INVALID_MFN);
    assert_int_equal(p2m_lookup(d, 1200), INVALID_MFN);
    assert_int_not_equal(p2m_lookup(d, 42), INVALID_MFN);
    assert_int_equal(memory_op(OP_POP, (uint32_t)GVA_ARG, true), 3);
    assert_true(frame_is_zero(p2m_lookup(d, 1200)));
    /* A 32-bit list that would run past 4 GiB faults; a bad struct is 0 done. */
    r.extent_start = 0xfffffffc;
    r.nr_extents = 2;
    memcpy(guest_mem, &r, sizeof(r));
    assert_int_equal(memory_op(OP_DEC, (uint32_t)GVA_ARG, true), 0);
    assert_int_equal(memory_op(OP_DEC, 0xfffff000, true), 0);
    assert_int_equal(d->tot_pages, RAM_PAGES);
    check_domain(d);
}

/* ---- shared_info placement ------------------------------------------------------------------- */

static long map_si(domid_t id, uint64_t gpfn)
{
    struct xen_add_to_physmap x = { .domid = id, .space = XENMAPSPACE_shared_info,
                                    .idx = 0, .gpfn = gpfn };
    memcpy(guest_mem, &x, sizeof(x));
    return memory_op(XENMEM_add_to_physmap, GVA_ARG, false);
}

static void test_shared_info_frees_the_page_it_replaces(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    mfn_t si = virt_to_mfn(d->shared_info), ram = p2m_lookup(d, 2047);
    uint64_t free0 = page_alloc_free_pages();

    become(d);
    assert_int_equal(map_si(DOMID_SELF, 2047), 0);
    assert_int_equal(p2m_lookup(d, 2047), si);
    assert_int_equal(d->tot_pages, RAM_PAGES - 1);
    assert_int_equal(page_owned_block(ram, 1, NULL), INVALID_MFN);     /* freed */
    assert_int_equal(page_alloc_free_pages(), free0 + 1);
    assert_true(harness_log_contains("d1 dom1: balloon -1 pages (now 2047)"));
    check_domain(d);
    /* Again at the same place: nothing changes. */
    assert_int_equal(map_si(DOMID_SELF, 2047), 0);
    assert_int_equal(d->tot_pages, RAM_PAGES - 1);
    /* Somewhere else: that RAM page goes too, the old place is left empty. */
    assert_int_equal(map_si(DOMID_SELF, 100), 0);
    assert_int_equal(p2m_lookup(d, 100), si);
    assert_int_equal(p2m_lookup(d, 2047), INVALID_MFN);
    assert_int_equal(d->tot_pages, RAM_PAGES - 2);
    /* Over a referenced frame: unmapped, kept. */
    mfn_t held = p2m_lookup(d, 300);
    page_get_ref(held);
    assert_int_equal(map_si(DOMID_SELF, 300), 0);
    assert_int_equal(d->tot_pages, RAM_PAGES - 2);
    assert_int_equal(p2m_lookup(d, 100), INVALID_MFN);
    /* Over an unpopulated GFN or a hypervisor page: only unhooked. */
    assert_int_equal(map_si(DOMID_SELF, 5000), 0);
    assert_int_equal(map_si(DOMID_SELF, CONSOLE_GFN), 0);
    assert_int_equal(p2m_lookup(d, CONSOLE_GFN), si);
    assert_int_equal(d->tot_pages, RAM_PAGES - 2);
    assert_int_equal(map_si(DOMID_SELF, GFN_LIMIT), -EINVAL);
    check_domain(d);
    page_put_ref(held);
}

static void test_hypervisor_page_placement(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    void *frame = alloc_xenheap_pages(0);
    mfn_t g = virt_to_mfn(frame), ram = p2m_lookup(d, 901), other;

    assert_non_null(frame);
    hv_frame = g;
    become(d);
    /* As a grant-table frame would be placed: the RAM there is freed. */
    assert_int_equal(p2m_add_hypervisor_page(d, 900, g, ~0ULL), 0);
    assert_int_equal(p2m_add_hypervisor_page(d, 901, g, 900), 0);
    assert_int_equal(p2m_lookup(d, 900), INVALID_MFN);
    assert_int_equal(p2m_lookup(d, 901), g);
    assert_int_equal(page_owned_block(ram, 1, NULL), INVALID_MFN);
    assert_int_equal(d->tot_pages, RAM_PAGES - 2);
    /* The old place is emptied only while it still maps the page. */
    other = p2m_lookup(d, 902);
    assert_int_equal(p2m_add_hypervisor_page(d, 903, g, 902), 0);
    assert_int_equal(p2m_lookup(d, 902), other);
    assert_int_equal(p2m_lookup(d, 901), g);        /* two places now: the caller's choice */
    assert_int_equal(d->tot_pages, RAM_PAGES - 3);
    assert_int_equal(p2m_add_hypervisor_page(d, GFN_LIMIT, g, ~0ULL), -EINVAL);
    /* Neither place can be released or populated over. */
    assert_int_equal(op1(OP_DEC, 901, 0), 0);
    assert_int_equal(op1(OP_POP, 903, 0), 0);
    check_domain(d);
    assert_int_equal(p2m_set_range(d, 901, INVALID_MFN, 3), 0);
    free_xenheap_pages(frame, 0);
    hv_frame = INVALID_MFN;
}

/* ---- a random balloon ---------------------------------------------------------------------------- */

static void test_random_balloon(void **state)
{
    struct domain *d = make_domain(1, false, RAM_PAGES);
    static uint64_t gfns[64];
    uint64_t rng = 12345;

    become(d);
    for (int step = 0; step < 400; step++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        unsigned int op = rng % 2 ? OP_DEC : OP_POP;
        unsigned int order = rng % 7 == 0 ? 9 : 0;
        unsigned int n = order ? 1 : (unsigned int)(rng >> 8) % 64 + 1;
        uint64_t tot0 = d->tot_pages;

        for (unsigned int i = 0; i < n; i++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            gfns[i] = order ? (rng % 6) * 512 : rng % (RAM_PAGES + 256);
        }
        long done = reserve_op(op, gfns, n, order, DOMID_SELF, 0);
        assert_true(done >= 0 && done <= (long)n);
        if (op == OP_POP)
            assert_true(d->tot_pages >= tot0);
        else
            assert_true(d->tot_pages <= tot0);
        check_domain(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decrease_single_pages_across_2m, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_comes_before_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decrease_2m_leaf_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decrease_errors_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_domain_may_act_on_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_referenced_frame_stays_until_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_racing_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_populate_back_zeroed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_populate_order9_and_max_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_populate_over_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_populate_p2m_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_increase_reservation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuation_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compat_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_info_frees_the_page_it_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hypervisor_page_placement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_balloon, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

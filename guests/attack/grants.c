/*
 * mode=granter / mode=copier (peer= the other's domain ID): grants that a
 * hostile granter revokes, retargets and balloons out while the copier's
 * GNTTABOP_copy batches use them.
 *
 * The granter grants the copier, readonly, refs 8-15 on two pattern pages
 * (P and Q, each page all one pattern), ref 20 on a spare frame it keeps
 * ballooning out and back in, and ref 16 writable on page W (the copier's
 * "done" flag).  Then, until the copier is done, it keeps: clearing refs
 * 8-15 (whether in use or not: Linux would wait for GTF_reading to go, a
 * hostile granter does not), granting them again, pointing them at the
 * other pattern page, giving them to another domain, and ballooning the
 * frame behind ref 20 out and in.
 *
 * The copier copies from those refs in batches long enough to be
 * continued, and also tries to write through the readonly refs.  Every
 * copy must end with a status a copy may have (okay, general_error for a
 * grant not granted to it at that moment, bad_page for the frame that is
 * out); an okay copy of a pattern page must bring exactly one page's
 * pattern, never a mix or anything else; no write through a readonly
 * grant may land.  It stops once it has seen at least MIN_EACH copies
 * succeed and MIN_EACH refused, and sets the done flag through ref 16.
 *
 * The granter then checks that its pattern pages are untouched and that
 * no entry is left marked in use (GTF_reading/GTF_writing).  The leak
 * check of the scenario (free pages as before) shows that every page
 * reference a copy took was dropped.
 */
#include "attack.h"
#include <public/grant_table.h>
#include <public/memory.h>

#ifdef __x86_64__     /* the 32-bit build (attack32) has the random mode only */

#define REF_FIRST     8
#define REF_LAST      15
#define REF_DONE      16
#define REF_BALLOON   20
#define PATTERN_P     0x50u
#define PATTERN_Q     0x51u
#define DONE_MAGIC    0x656e6f64u       /* "done" */
#define MIN_EACH      300
#define LIMIT_S       60

/* Grant frame 0 of our table, mapped at the first spare frame. */
#define TABLE_GFN     (SPARE_START / PAGE_SIZE)
/* The frame ref 20 names: spare, ballooned out and in. */
#define BALLOON_GFN   (SPARE_START / PAGE_SIZE + 16)

static uint8_t page_p[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_q[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t page_w[PAGE_SIZE] __attribute__((aligned(4096)));

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;        /* identity mapped */
}

static long gnttab_op(unsigned int cmd, void *arg, unsigned int count)
{
    return hypercall(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count, 0, 0);
}

static long memory_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static uint64_t deadline(void)
{
    return attack_now() + LIMIT_S * 1000000000ull;
}

/* ---- granter ------------------------------------------------------------------ */

static volatile struct grant_entry_v1 *table;

/* Grant ref to dom, as a granter must: frame and domid first, then flags. */
static void grant(grant_ref_t ref, domid_t dom, uint64_t gfn, bool readonly)
{
    table[ref].domid = dom;
    table[ref].frame = (uint32_t)gfn;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    table[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

static long balloon(unsigned int cmd, uint64_t gfn)
{
    xen_pfn_t list[1] = { gfn };
    struct xen_memory_reservation r = {
        .extent_start = (uintptr_t)list, .nr_extents = 1, .domid = DOMID_SELF,
    };
    return memory_op(cmd, &r);
}

void attack_granter(void)
{
    domid_t copier = env.nr_peers ? env.peers[0] : 0;
    struct xen_add_to_physmap x = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table, .idx = 0, .gpfn = TABLE_GFN,
    };

    if (memory_op(XENMEM_add_to_physmap, &x))
        test_fail("granter: cannot map grant frame 0");
    table = (volatile struct grant_entry_v1 *)(uintptr_t)(TABLE_GFN * PAGE_SIZE);
    memset(page_p, PATTERN_P, PAGE_SIZE);
    memset(page_q, PATTERN_Q, PAGE_SIZE);
    for (grant_ref_t ref = REF_FIRST; ref <= REF_LAST; ref++)
        grant(ref, copier, gfn_of(page_p), true);
    grant(REF_DONE, copier, gfn_of(page_w), false);
    grant(REF_BALLOON, copier, BALLOON_GFN, true);
    printf("granter: refs %u-%u, %u, %u granted to d%u\n", REF_FIRST, REF_LAST, REF_DONE,
           REF_BALLOON, copier);

    uint64_t limit = deadline();
    uint32_t rounds = 0, out = 0;
    while (__atomic_load_n((volatile uint32_t *)page_w, __ATOMIC_SEQ_CST) != DONE_MAGIC) {
        if (attack_now() > limit)
            test_fail("granter: the copier did not finish within %u s", LIMIT_S);
        grant_ref_t ref = REF_FIRST + prng_below(REF_LAST - REF_FIRST + 1);
        switch (prng_below(4)) {
        case 0:     /* revoke, in use or not */
            table[ref].flags = 0;
            break;
        case 1:     /* grant again, the same page or the other one */
            grant(ref, copier, gfn_of(prng_percent(50) ? page_p : page_q), true);
            break;
        case 2:     /* to someone else */
            grant(ref, (domid_t)(copier + 1), gfn_of(page_p), true);
            break;
        default:    /* the frame behind ref 20 goes, and comes back (zeroed) */
            if (balloon(XENMEM_decrease_reservation, BALLOON_GFN) == 1) {
                out++;
                if (balloon(XENMEM_populate_physmap, BALLOON_GFN) != 1)
                    test_fail("granter: cannot populate gfn %#llx again",
                              (unsigned long long)BALLOON_GFN);
            }
            break;
        }
        rounds++;
        for (unsigned int i = prng_below(2000); i; i--)
            cpu_relax();
    }
    printf("granter: copier done after %u changes (%u balloon cycles)\n", rounds, out);

    /* Nothing wrote our readonly pages; no entry is left in use. */
    bool intact = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        intact &= page_p[i] == PATTERN_P && page_q[i] == PATTERN_Q;
    check(intact, "granter: pattern pages untouched by readonly grants");
    uint32_t busy = 0;
    for (grant_ref_t ref = 0; ref < PAGE_SIZE / sizeof(*table); ref++)
        busy += (table[ref].flags & (GTF_reading | GTF_writing)) != 0;
    check_ret(busy, 0, "granter: no entry left marked in use");
}

/* ---- copier -------------------------------------------------------------------- */

#define BATCH 40            /* continued after 16 */

static struct gnttab_copy ops[BATCH];
/* Each op its own destination page, so each can be checked afterwards. */
static uint8_t local[BATCH][PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t write_src[PAGE_SIZE] __attribute__((aligned(4096)));

static struct gnttab_copy from_ref(domid_t dom, grant_ref_t ref, void *to, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = dom },
        .dest = { .u.gmfn = gfn_of(to), .domid = DOMID_SELF },
        .len = len, .flags = GNTCOPY_source_gref, .status = 0x55,
    };
}

/* All of a page's len bytes one pattern, P's or Q's. */
static bool one_pattern(const uint8_t *p, unsigned int len)
{
    if (p[0] != PATTERN_P && p[0] != PATTERN_Q)
        return false;
    for (unsigned int i = 1; i < len; i++)
        if (p[i] != p[0])
            return false;
    return true;
}

void attack_copier(void)
{
    domid_t granter = env.nr_peers ? env.peers[0] : 0;
    uint32_t okay = 0, refused = 0, bad_page = 0, balloon_ok = 0, calls = 0;
    uint64_t limit = deadline();

    printf("copier: copying from d%u's grants\n", granter);
    while (okay < MIN_EACH || refused < MIN_EACH) {
        if (attack_now() > limit)
            test_fail("copier: %u okay and %u refused copies after %u s", okay, refused, LIMIT_S);
        /* Whole pages and pieces of the pattern refs, writes through the
         * readonly refs, the ballooned frame. */
        for (unsigned int i = 0; i < BATCH; i++) {
            unsigned int k = prng_below(8);
            grant_ref_t ref = REF_FIRST + prng_below(REF_LAST - REF_FIRST + 1);
            memset(local[i], 0, PAGE_SIZE);
            if (k < 5) {
                ops[i] = from_ref(granter, ref, local[i],
                                  k < 3 ? PAGE_SIZE : 1 + prng_below(PAGE_SIZE));
            } else if (k < 7) {
                ops[i] = (struct gnttab_copy){
                    .source = { .u.gmfn = gfn_of(write_src), .domid = DOMID_SELF },
                    .dest = { .u.ref = ref, .domid = granter },
                    .len = 64, .flags = GNTCOPY_dest_gref, .status = 0x55,
                };
            } else {
                ops[i] = from_ref(granter, REF_BALLOON, local[i], PAGE_SIZE);
            }
        }
        long rc = gnttab_op(GNTTABOP_copy, ops, BATCH);
        calls++;
        if (rc)
            test_fail("copier: GNTTABOP_copy = %ld (call %u)", rc, calls);
        for (unsigned int i = 0; i < BATCH; i++) {
            int16_t st = ops[i].status;
            bool write = ops[i].flags == GNTCOPY_dest_gref;
            bool balloon = !write && ops[i].source.u.ref == REF_BALLOON;
            if (write) {
                if (st != GNTST_general_error)
                    test_fail("copier: write through readonly ref %u: status %d",
                              ops[i].dest.u.ref, st);
                continue;
            }
            if (st == GNTST_okay) {
                if (balloon)
                    balloon_ok++;
                else if (!one_pattern(local[i], ops[i].len))
                    test_fail("copier: an okay copy of ref %u did not bring one page's pattern",
                              ops[i].source.u.ref);
                else
                    okay++;
            } else if (st == GNTST_general_error) {
                refused += !balloon;
            } else if (st == GNTST_bad_page && balloon) {
                bad_page++;
            } else {
                test_fail("copier: copy from ref %u: status %d", ops[i].source.u.ref, st);
            }
        }
    }
    printf("copier: %u calls: %u okay, %u refused, ballooned frame %u okay / %u bad_page\n",
           calls, okay, refused, balloon_ok, bad_page);

    /* Done: through the writable grant, which the granter never touches. */
    static uint32_t done = DONE_MAGIC;
    struct gnttab_copy d = {
        .source = { .u.gmfn = gfn_of(&done), .domid = DOMID_SELF,
                    .offset = (uint16_t)((uintptr_t)&done & (PAGE_SIZE - 1)) },
        .dest = { .u.ref = REF_DONE, .domid = granter },
        .len = sizeof(done), .flags = GNTCOPY_dest_gref,
    };
    check_ret(gnttab_op(GNTTABOP_copy, &d, 1), 0, "copier: GNTTABOP_copy of the done flag");
    check_ret(d.status, GNTST_okay, "copier: done flag written through ref %u", REF_DONE);
}

#endif

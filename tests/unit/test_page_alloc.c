/* Unit tests for the buddy page allocator (hypervisor/common/page_alloc.c). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <asm/page.h>
#include "harness.h"

#define NR_FRAMES 4096      /* the default table: one block of order 12 */

static struct page_info *table;

static void heap_create(mfn_t nr_frames)
{
    table = malloc(page_alloc_table_bytes(nr_frames));
    assert_non_null(table);
    memset(table, 0x5a, page_alloc_table_bytes(nr_frames));  /* init must clear it */
    page_alloc_init(table, nr_frames);
}

static int setup_empty(void **state)
{
    heap_create(NR_FRAMES);
    harness_log_clear();
    return 0;
}

static int setup_full(void **state)
{
    heap_create(NR_FRAMES);
    page_alloc_add_range(0, NR_FRAMES);
    harness_log_clear();
    return 0;
}

static int teardown(void **state)
{
    free(table);
    table = NULL;
    return 0;
}

static struct page_alloc_stats stats(void)
{
    struct page_alloc_stats st;

    page_alloc_get_stats(&st);
    return st;
}

/* The allocator's own invariants plus the stats adding up. */
static void assert_consistent(void)
{
    struct page_alloc_stats st = stats();
    uint64_t free = 0;

    assert_int_equal(page_alloc_verify(), 0);
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++)
        free += st.free_blocks[k] << k;
    assert_int_equal(free, st.free_pages);
    assert_int_equal(page_alloc_free_pages(), st.free_pages);
}

/* Assert exactly `count` free blocks of `order` and none of any other order. */
static void assert_only_free_blocks(unsigned int order, uint64_t count)
{
    struct page_alloc_stats st = stats();

    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++)
        assert_int_equal(st.free_blocks[k], k == order ? count : 0);
}

/* xorshift64: a fixed seed makes every "random" test repeatable. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void shuffle(mfn_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = rng() % i;
        mfn_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Mark the frames of a block as ours; fail if any already was. */
static void claim(uint8_t *owned, mfn_t mfn, unsigned int order)
{
    for (mfn_t m = mfn; m < mfn + (1UL << order); m++) {
        assert_int_equal(owned[m], 0);
        owned[m] = 1;
    }
}

/* ---- allocation and freeing ------------------------------------------- */

static void test_init_starts_empty(void **state)
{
    struct page_alloc_stats st = stats();

    assert_int_equal(st.total_pages, 0);
    assert_int_equal(st.free_pages, 0);
    assert_only_free_blocks(0, 0);
    assert_int_equal(alloc_pages(0), INVALID_MFN);
    assert_int_equal(stats().failed_allocs, 1);
    for (mfn_t m = 0; m < NR_FRAMES; m++)
        assert_int_equal(mfn_to_page(m)->state, PGS_RESERVED);
    assert_consistent();
}

static void test_alloc_free_every_order(void **state)
{
    /* A table of 2^19 frames holds two blocks of the largest order. */
    const mfn_t nr = 2UL << (PAGE_ORDER_MAX - 1);
    mfn_t got[PAGE_ORDER_MAX];
    uint8_t *owned = calloc(nr, 1);

    free(table);
    heap_create(nr);
    page_alloc_add_range(0, nr);
    assert_only_free_blocks(PAGE_ORDER_MAX - 1, 2);

    /* Each order alone: aligned, counted, and merged back on free. */
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++) {
        mfn_t m = alloc_pages(k);

        assert_int_not_equal(m, INVALID_MFN);
        assert_true(m % (1UL << k) == 0);
        assert_int_equal(page_alloc_free_pages(), nr - (1UL << k));
        assert_int_equal(mfn_to_page(m)->state, PGS_ALLOC_HEAD);
        assert_int_equal(mfn_to_page(m)->order, k);
        assert_consistent();
        free_pages(m, k);
        assert_only_free_blocks(PAGE_ORDER_MAX - 1, 2);
    }

    /* All orders at once (2^19 - 1 frames): disjoint, one frame left. */
    for (int k = PAGE_ORDER_MAX - 1; k >= 0; k--) {
        got[k] = alloc_pages(k);
        assert_int_not_equal(got[k], INVALID_MFN);
        assert_true(got[k] % (1UL << k) == 0);
        claim(owned, got[k], k);
    }
    assert_int_equal(page_alloc_free_pages(), 1);
    assert_consistent();
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++)
        assert_int_equal(free_pages_checked(got[k], k), 0);
    assert_only_free_blocks(PAGE_ORDER_MAX - 1, 2);
    assert_int_equal(stats().allocs, 2 * PAGE_ORDER_MAX);
    assert_int_equal(stats().frees, 2 * PAGE_ORDER_MAX);
    assert_consistent();
    free(owned);
}

static void test_order_too_big_fails(void **state)
{
    assert_int_equal(alloc_pages(PAGE_ORDER_MAX), INVALID_MFN);
    assert_int_equal(alloc_pages(~0u), INVALID_MFN);
    assert_int_equal(alloc_pages(13), INVALID_MFN);    /* bigger than the table */
    assert_int_equal(stats().failed_allocs, 3);
    assert_int_equal(stats().allocs, 0);
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES);
    assert_only_free_blocks(12, 1);
}

static void test_mixed_orders_aligned_and_disjoint(void **state)
{
    uint8_t owned[NR_FRAMES] = { 0 };
    mfn_t got[64];
    unsigned int order[64];
    uint64_t used = 0;

    rng_state = 0x1234567;
    for (int i = 0; i < 64; i++) {
        order[i] = rng() % 6;
        got[i] = alloc_pages(order[i]);
        assert_int_not_equal(got[i], INVALID_MFN);
        assert_true(got[i] % (1UL << order[i]) == 0);
        claim(owned, got[i], order[i]);
        used += 1UL << order[i];
    }
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES - used);
    assert_consistent();
    for (int i = 0; i < 64; i++)
        free_pages(got[i], order[i]);
    assert_only_free_blocks(12, 1);
}

static void test_exhaustion(void **state)
{
    static mfn_t got[NR_FRAMES];
    uint8_t owned[NR_FRAMES] = { 0 };
    size_t n = 0;
    mfn_t m;

    page_alloc_add_range(1, NR_FRAMES);         /* frame 0 stays reserved */
    while ((m = alloc_pages(0)) != INVALID_MFN) {
        assert_true(n < NR_FRAMES - 1);
        assert_int_not_equal(m, 0);
        claim(owned, m, 0);
        got[n++] = m;
    }
    assert_int_equal(n, NR_FRAMES - 1);
    assert_int_equal(page_alloc_free_pages(), 0);
    assert_int_equal(stats().failed_allocs, 1);
    assert_int_equal(alloc_pages(3), INVALID_MFN);
    assert_int_equal(stats().failed_allocs, 2);
    assert_int_equal(stats().allocs, NR_FRAMES - 1);
    assert_consistent();

    for (size_t i = 0; i < n; i++)
        free_pages(got[i], 0);
    /* [1, 4096) merges back into one block of each order 0 .. 11. */
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++)
        assert_int_equal(stats().free_blocks[k], k < 12 ? 1 : 0);
    assert_consistent();
}

static void test_coalescing_random_order(void **state)
{
    static mfn_t got[NR_FRAMES];

    for (uint64_t seed = 1; seed <= 5; seed++) {
        size_t n = 0;
        mfn_t m;

        rng_state = seed * 0x9e3779b97f4a7c15ull;
        /* Mixed orders so that merges happen at every level. */
        while ((m = alloc_pages(rng() % 4)) != INVALID_MFN)
            got[n++] = m;
        while ((m = alloc_pages(0)) != INVALID_MFN)
            got[n++] = m;
        assert_int_equal(page_alloc_free_pages(), 0);
        shuffle(got, n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(free_pages_checked(got[i], mfn_to_page(got[i])->order), 0);
            if (i % 97 == 0)
                assert_consistent();
        }
        assert_only_free_blocks(12, 1);
        assert_consistent();
    }
}

static void test_fragmentation(void **state)
{
    for (mfn_t i = 0; i < NR_FRAMES; i++)
        assert_int_equal(alloc_pages(0), i);    /* splits hand out ascending frames */

    for (mfn_t i = 0; i < NR_FRAMES; i += 2)
        free_pages(i, 0);
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES / 2);
    assert_only_free_blocks(0, NR_FRAMES / 2);
    assert_int_equal(alloc_pages(1), INVALID_MFN);
    assert_consistent();

    for (mfn_t i = 1; i < NR_FRAMES; i += 2)
        free_pages(i, 0);
    assert_only_free_blocks(12, 1);
    assert_int_equal(alloc_pages(12), 0);
    assert_consistent();
}

/* ---- adding ranges ------------------------------------------------------- */

static void test_add_range_unaligned(void **state)
{
    struct page_alloc_stats st;

    /* [3, 37) carves into 3, 4-7, 8-15, 16-31, 32-35, 36. */
    page_alloc_add_range(3, 37);
    st = stats();
    assert_int_equal(st.total_pages, 34);
    assert_int_equal(st.free_pages, 34);
    assert_int_equal(st.free_blocks[0], 2);
    assert_int_equal(st.free_blocks[1], 0);
    assert_int_equal(st.free_blocks[2], 2);
    assert_int_equal(st.free_blocks[3], 1);
    assert_int_equal(st.free_blocks[4], 1);
    assert_int_equal(st.free_blocks[5], 0);
    assert_int_equal(mfn_to_page(2)->state, PGS_RESERVED);
    assert_int_equal(mfn_to_page(37)->state, PGS_RESERVED);
    assert_consistent();

    /* [0, 3) completes 0-31, which merges across the two ranges. */
    page_alloc_add_range(0, 3);
    st = stats();
    assert_int_equal(st.total_pages, 37);
    assert_int_equal(st.free_blocks[5], 1);
    assert_int_equal(st.free_blocks[2], 1);
    assert_int_equal(st.free_blocks[0], 1);
    assert_int_equal(st.free_pages, 37);
    assert_int_equal(alloc_pages(5), 0);
    assert_consistent();
}

static void test_add_range_clipped_to_table(void **state)
{
    /* [4000, 4096) is 4000-4031 (order 5) and 4032-4095 (order 6). */
    page_alloc_add_range(4000, 5000);
    assert_int_equal(stats().total_pages, 96);
    assert_int_equal(stats().free_blocks[5], 1);
    assert_int_equal(stats().free_blocks[6], 1);

    page_alloc_add_range(5000, 6000);
    page_alloc_add_range(NR_FRAMES, INVALID_MFN);
    page_alloc_add_range(20, 10);
    page_alloc_add_range(7, 7);
    assert_int_equal(stats().total_pages, 96);
    assert_null(mfn_to_page(NR_FRAMES));
    assert_non_null(mfn_to_page(NR_FRAMES - 1));

    /* A big range from 0 to past the end: everything, as one block. */
    page_alloc_add_range(0, INVALID_MFN);
    assert_int_equal(stats().total_pages, NR_FRAMES);
    assert_only_free_blocks(12, 1);
    assert_consistent();
}

static void test_add_range_twice_is_ignored(void **state)
{
    mfn_t m;

    page_alloc_add_range(100, 200);
    m = alloc_pages(2);
    assert_int_not_equal(m, INVALID_MFN);
    page_alloc_add_range(90, 210);          /* overlaps free and allocated frames */
    assert_true(harness_log_contains("already added"));
    assert_int_equal(stats().total_pages, 120);
    assert_int_equal(page_alloc_free_pages(), 116);
    assert_int_equal(mfn_to_page(m)->state, PGS_ALLOC_HEAD);
    assert_consistent();
    free_pages(m, 2);
    assert_int_equal(page_alloc_free_pages(), 120);
    assert_consistent();
}

/* ---- bad frees ------------------------------------------------------------- */

static void assert_bad_free_changes_nothing(mfn_t mfn, unsigned int order)
{
    struct page_alloc_stats before = stats(), after;
    struct page_info *copy = malloc(page_alloc_table_bytes(NR_FRAMES));

    memcpy(copy, table, page_alloc_table_bytes(NR_FRAMES));
    assert_int_equal(free_pages_checked(mfn, order), -EINVAL);
    after = stats();
    assert_memory_equal(&before, &after, sizeof(before));
    assert_memory_equal(copy, table, page_alloc_table_bytes(NR_FRAMES));
    free(copy);
}

static void test_bad_frees_detected(void **state)
{
    mfn_t a, b;

    page_alloc_add_range(0, NR_FRAMES - 16);    /* the top 16 frames stay reserved */
    a = alloc_pages(2);
    b = alloc_pages(0);
    assert_int_not_equal(a, INVALID_MFN);
    assert_int_not_equal(b, INVALID_MFN);

    assert_bad_free_changes_nothing(a, 1);              /* wrong order */
    assert_bad_free_changes_nothing(a, 3);
    assert_bad_free_changes_nothing(a, PAGE_ORDER_MAX);
    assert_bad_free_changes_nothing(a, ~0u);
    assert_bad_free_changes_nothing(a + 1, 0);          /* a tail */
    assert_bad_free_changes_nothing(a + 2, 1);
    assert_bad_free_changes_nothing(NR_FRAMES - 1, 0);  /* reserved */
    assert_bad_free_changes_nothing(NR_FRAMES, 0);      /* outside the table */
    assert_bad_free_changes_nothing(INVALID_MFN, 0);
    assert_bad_free_changes_nothing(1UL << 40, 0);

    /* A free frame that was never allocated: a head and a tail. */
    assert_bad_free_changes_nothing(NR_FRAMES / 2, 0);
    assert_bad_free_changes_nothing(NR_FRAMES / 2 + 1, 0);

    /* Double free, both when the block stays a head and when it merged away. */
    assert_int_equal(free_pages_checked(b, 0), 0);
    assert_bad_free_changes_nothing(b, 0);
    assert_int_equal(free_pages_checked(a, 2), 0);
    assert_bad_free_changes_nothing(a, 2);
    assert_bad_free_changes_nothing(a, 0);
    assert_int_equal(stats().frees, 2);
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES - 16);
    assert_consistent();
}

static void free_tail_page(void)
{
    mfn_t m = alloc_pages(1);

    free_pages(m + 1, 0);
}

static void free_twice(void)
{
    mfn_t m = alloc_pages(0);

    free_pages(m, 0);
    free_pages(m, 0);
}

static void test_free_pages_panics_on_bad_free(void **state)
{
    assert_true(harness_panics(free_tail_page));
    assert_true(harness_panics(free_twice));
    /* The children's frees did not happen here. */
    assert_only_free_blocks(12, 1);
}

/* ---- stats, lookups, xenheap ---------------------------------------------- */

static void test_stats_follow_random_workload(void **state)
{
    static mfn_t got[NR_FRAMES];
    static unsigned int order[NR_FRAMES];
    uint64_t allocs = 0, frees = 0, failed = 0, used = 0;
    size_t n = 0;

    rng_state = 42;
    for (int step = 0; step < 20000; step++) {
        if (n && rng() % 5 < 2) {      /* lean to allocating: reach exhaustion */
            size_t i = rng() % n;

            free_pages(got[i], order[i]);
            used -= 1UL << order[i];
            got[i] = got[--n];
            order[i] = order[n];
            frees++;
        } else {
            unsigned int k = rng() % 8;
            mfn_t m = alloc_pages(k);

            if (m == INVALID_MFN) {
                failed++;
            } else {
                got[n] = m;
                order[n++] = k;
                used += 1UL << k;
                allocs++;
            }
        }
        assert_int_equal(page_alloc_free_pages(), NR_FRAMES - used);
        if (step % 500 == 0)
            assert_consistent();
    }
    assert_true(failed > 0);    /* the workload did reach exhaustion */
    assert_int_equal(stats().allocs, allocs);
    assert_int_equal(stats().frees, frees);
    assert_int_equal(stats().failed_allocs, failed);
    assert_int_equal(stats().total_pages, NR_FRAMES);
    assert_consistent();
    while (n--)
        free_pages(got[n], order[n]);
    assert_only_free_blocks(12, 1);
}

static void test_page_block_head(void **state)
{
    unsigned int order = 99;
    enum page_state st = PGS_RESERVED;
    mfn_t a;

    page_alloc_add_range(8, 64);
    a = alloc_pages(3);
    for (mfn_t m = a; m < a + 8; m++) {
        assert_int_equal(page_block_head(m, &order, &st), a);
        assert_int_equal(order, 3);
        assert_int_equal(st, PGS_ALLOC_HEAD);
    }
    /* Free frames: 16-31 and 32-63 stay whole blocks. */
    assert_int_equal(page_block_head(40, &order, &st), 32);
    assert_int_equal(order, 5);
    assert_int_equal(st, PGS_FREE_HEAD);
    assert_int_equal(page_block_head(17, NULL, NULL), 16);
    assert_int_equal(page_block_head(7, &order, &st), INVALID_MFN);
    page_alloc_add_range(100, 101);         /* a reserved frame just above a head */
    assert_int_equal(page_block_head(100, NULL, NULL), 100);
    assert_int_equal(page_block_head(101, NULL, NULL), INVALID_MFN);
    assert_int_equal(page_block_head(64, NULL, NULL), INVALID_MFN);
    assert_int_equal(page_block_head(NR_FRAMES, NULL, NULL), INVALID_MFN);
    assert_int_equal(page_block_head(INVALID_MFN, NULL, NULL), INVALID_MFN);
    free_pages(a, 3);
    assert_int_equal(page_block_head(a + 5, &order, &st), 8);
    assert_int_equal(order, 3);
    assert_int_equal(st, PGS_FREE_HEAD);
}

/* verify() must refuse the table as it is now, naming the problem. */
static void assert_verify_finds(const char *problem)
{
    harness_log_clear();
    assert_int_equal(page_alloc_verify(), -EINVAL);
    assert_true(harness_log_contains(problem));
}

static void test_verify_catches_corruption(void **state)
{
    struct page_info saved;
    mfn_t m;

    page_alloc_add_range(0, 64);                /* 0-63: one block of order 6 */
    m = alloc_pages(1);
    assert_int_equal(m, 0);
    assert_consistent();

    mfn_to_page(1)->state = PGS_ALLOC_HEAD;
    assert_verify_finds("tail is not PGS_FREE_TAIL");
    mfn_to_page(1)->state = PGS_FREE_TAIL;

    mfn_to_page(0)->order = 2;
    assert_verify_finds("tail is not PGS_FREE_TAIL");
    mfn_to_page(0)->order = 1;

    mfn_to_page(100)->state = PGS_FREE_TAIL;
    assert_verify_finds("tail outside any block");
    mfn_to_page(100)->state = PGS_RESERVED;

    saved = *mfn_to_page(2);                    /* the free block 2-3 */
    mfn_to_page(2)->prev = 7;
    assert_verify_finds("back link");
    *mfn_to_page(2) = saved;
    assert_int_equal(page_alloc_verify(), 0);

    /* Two free buddies of one order that were never merged. */
    mfn_to_page(0)->state = PGS_FREE_HEAD;
    mfn_to_page(0)->order = 0;
    mfn_to_page(1)->state = PGS_FREE_HEAD;
    mfn_to_page(1)->order = 0;
    assert_verify_finds("not merged");
}

static void test_xenheap_pages(void **state)
{
    unsigned char *va;

    harness_directmap_init(NR_FRAMES);
    va = alloc_xenheap_pages(2);
    assert_non_null(va);
    assert_true(((uintptr_t)va & (PAGE_SIZE - 1)) == 0);
    assert_true(virt_to_mfn(va) < NR_FRAMES);
    assert_int_equal(mfn_to_page(virt_to_mfn(va))->state, PGS_ALLOC_HEAD);
    memset(va, 0x11, 4 * PAGE_SIZE);
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES - 4);
    assert_null(alloc_xenheap_pages(12));
    free_xenheap_pages(va, 2);
    free_xenheap_pages(NULL, 0);
    assert_only_free_blocks(12, 1);
    harness_directmap_free();
}

/* ---- blocks with an owner: a domain's memory ------------------------------ */

#define OWNER_A 1
#define OWNER_B 7

/* The list is well formed and holds exactly `pages` frames in `blocks` blocks. */
static void assert_list(const struct page_list *l, uint16_t owner, uint64_t blocks, uint64_t pages)
{
    assert_int_equal(page_list_verify(l, owner), 0);
    assert_int_equal(l->blocks, blocks);
    assert_int_equal(l->pages, pages);
}

static void test_owned_alloc_and_free(void **state)
{
    struct page_list a = { 0 }, b = { 0 };
    mfn_t m9 = alloc_owned_pages(&a, OWNER_A, 9);
    mfn_t m0 = alloc_owned_pages(&a, OWNER_A, 0);
    mfn_t mb = alloc_owned_pages(&b, OWNER_B, 3);
    mfn_t hv = alloc_pages(2);
    unsigned int order = 99;

    assert_int_not_equal(m9, INVALID_MFN);
    assert_int_not_equal(m0, INVALID_MFN);
    assert_int_not_equal(mb, INVALID_MFN);
    assert_list(&a, OWNER_A, 2, 513);
    assert_list(&b, OWNER_B, 1, 8);
    assert_int_equal(stats().owned_pages, 521);
    assert_int_equal(stats().owned_blocks, 3);
    assert_int_equal(page_alloc_free_pages(), NR_FRAMES - 525);
    assert_consistent();

    /* Every frame of a block is found as its owner's, and only its owner's. */
    for (mfn_t m = m9; m < m9 + 512; m += 37) {
        assert_int_equal(page_owned_block(m, OWNER_A, &order), m9);
        assert_int_equal(order, 9);
        assert_int_equal(page_owned_block(m, OWNER_B, NULL), INVALID_MFN);
    }
    assert_int_equal(page_owned_block(m0, OWNER_A, NULL), m0);
    assert_int_equal(page_owned_block(mb + 7, OWNER_B, NULL), mb);
    assert_int_equal(page_owned_block(hv, OWNER_A, NULL), INVALID_MFN);
    assert_int_equal(page_owned_block(hv, PAGE_OWNER_NONE, NULL), INVALID_MFN);
    assert_int_equal(page_owned_block(NR_FRAMES - 1, OWNER_A, NULL), INVALID_MFN); /* free */
    assert_int_equal(page_owned_block(INVALID_MFN, OWNER_A, NULL), INVALID_MFN);

    /* An owned block goes back through its list only. */
    assert_bad_free_changes_nothing(m9, 9);
    assert_bad_free_changes_nothing(m0, 0);

    assert_int_equal(page_list_free(&a), 513);
    assert_list(&a, OWNER_A, 0, 0);
    assert_int_equal(page_list_free(&a), 0);
    assert_int_equal(page_list_free(&b), 8);
    free_pages(hv, 2);
    assert_int_equal(stats().owned_pages, 0);
    assert_int_equal(stats().owned_blocks, 0);
    assert_only_free_blocks(12, 1);
    assert_consistent();
}

/* After isolating frame f of an order-9 block at base: orders 8..1, 0, 0. */
static void assert_split_around(mfn_t base, mfn_t f)
{
    mfn_t h = base;

    for (unsigned int k = 9; k > 0; k--) {
        mfn_t half = 1UL << (k - 1);
        mfn_t other = f >= h + half ? h : h + half;
        unsigned int order = 99;

        assert_int_equal(page_owned_block(other, OWNER_A, &order), other);
        assert_int_equal(order, k - 1);
        if (f >= h + half)
            h += half;
    }
    assert_int_equal(h, f);
    assert_int_equal(page_block_head(f, NULL, NULL), f);
}

static void test_isolate_single_frames(void **state)
{
    static const mfn_t offsets[] = { 0, 511, 1, 256, 255, 300, 77 };

    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        struct page_list a = { 0 }, dying = { 0 };
        mfn_t base = alloc_owned_pages(&a, OWNER_A, 9), f = base + offsets[i];
        unsigned int order = 99;

        assert_int_equal(page_isolate(&a, OWNER_A, f, 0), 0);
        assert_split_around(base, f);
        assert_int_equal(page_owned_block(f, OWNER_A, &order), f);
        assert_int_equal(order, 0);
        assert_list(&a, OWNER_A, 10, 512);          /* k + 1 blocks, O(k) heads */
        assert_int_equal(stats().owned_blocks, 10);
        assert_consistent();

        /* Isolating it again is a no-op. */
        assert_int_equal(page_isolate(&a, OWNER_A, f, 0), 0);
        assert_list(&a, OWNER_A, 10, 512);

        /* The frame alone goes back; the rest stays the owner's. */
        assert_int_equal(page_list_move(&a, &dying, f), 0);
        assert_list(&a, OWNER_A, 9, 511);
        assert_list(&dying, OWNER_A, 1, 1);
        assert_int_equal(page_list_free(&dying), 1);
        assert_int_equal(page_alloc_free_pages(), NR_FRAMES - 511);
        assert_int_equal(page_owned_block(f, OWNER_A, NULL), INVALID_MFN);
        assert_consistent();

        /* Freeing the pieces merges everything again. */
        assert_int_equal(page_list_free(&a), 511);
        assert_only_free_blocks(12, 1);
        assert_consistent();
    }
}

static void test_isolate_sub_block(void **state)
{
    struct page_list a = { 0 }, dying = { 0 };
    mfn_t base = alloc_owned_pages(&a, OWNER_A, 11), sub = base + 3 * 512;
    unsigned int order;

    /* 2 MiB out of 8 MiB: blocks of orders 10, 9, 9. */
    assert_int_equal(page_isolate(&a, OWNER_A, sub, 9), 0);
    assert_int_equal(page_owned_block(sub + 100, OWNER_A, &order), sub);
    assert_int_equal(order, 9);
    assert_int_equal(page_owned_block(base, OWNER_A, &order), base);
    assert_int_equal(order, 10);
    assert_int_equal(page_owned_block(base + 1024, OWNER_A, &order), base + 1024);
    assert_int_equal(order, 9);
    assert_list(&a, OWNER_A, 3, 2048);
    /* Then one frame of that 2 MiB. */
    assert_int_equal(page_isolate(&a, OWNER_A, sub + 5, 0), 0);
    assert_list(&a, OWNER_A, 12, 2048);
    assert_int_equal(page_list_move(&a, &dying, sub + 5), 0);
    assert_int_equal(page_list_free(&dying), 1);
    assert_consistent();
    assert_int_equal(page_list_free(&a), 2047);
    assert_only_free_blocks(12, 1);
}

static void test_isolate_refuses_what_is_not_owned(void **state)
{
    struct page_list a = { 0 }, b = { 0 };
    mfn_t m = alloc_owned_pages(&a, OWNER_A, 4), hv = alloc_pages(4);
    struct page_info *copy = malloc(page_alloc_table_bytes(NR_FRAMES));

    memcpy(copy, table, page_alloc_table_bytes(NR_FRAMES));
    assert_int_equal(page_isolate(&a, OWNER_B, m + 1, 0), -EINVAL);     /* another owner */
    assert_int_equal(page_isolate(&a, PAGE_OWNER_NONE, hv, 0), -EINVAL); /* the hypervisor's */
    assert_int_equal(page_isolate(&a, OWNER_A, hv + 1, 0), -EINVAL);
    assert_int_equal(page_isolate(&a, OWNER_A, NR_FRAMES - 1, 0), -EINVAL); /* free */
    assert_int_equal(page_isolate(&a, OWNER_A, m + 1, 1), -EINVAL);     /* misaligned */
    assert_int_equal(page_isolate(&a, OWNER_A, m, 5), -EINVAL);         /* bigger than the block */
    assert_int_equal(page_isolate(&a, OWNER_A, INVALID_MFN, 0), -EINVAL);
    /* Moving what is not an owned head. */
    assert_int_equal(page_list_move(&a, &b, hv), -EINVAL);
    assert_int_equal(page_list_move(&a, &b, NR_FRAMES - 1), -EINVAL);
    assert_int_equal(page_list_move(&b, &a, m), -EINVAL);               /* b is empty */
    assert_memory_equal(copy, table, page_alloc_table_bytes(NR_FRAMES));
    free(copy);
    assert_list(&a, OWNER_A, 1, 16);
    assert_int_equal(page_list_free(&a), 16);
    free_pages(hv, 4);
    assert_only_free_blocks(12, 1);
}

static void test_referenced_frames_are_not_freed(void **state)
{
    struct page_list a = { 0 };
    mfn_t m = alloc_owned_pages(&a, OWNER_A, 2), other = alloc_owned_pages(&a, OWNER_A, 0);

    page_get_ref(m + 3);
    page_get_ref(m + 3);
    assert_int_equal(page_refs(m + 3), 2);
    harness_log_clear();
    assert_int_equal(page_list_free(&a), 1);            /* only the other block */
    assert_true(harness_log_contains("still has 2 references"));
    assert_list(&a, OWNER_A, 1, 4);
    assert_int_equal(page_owned_block(m, OWNER_A, NULL), m);
    assert_consistent();
    page_put_ref(m + 3);
    page_put_ref(m + 3);
    assert_int_equal(page_refs(m + 3), 0);
    assert_int_equal(page_list_free(&a), 4);
    assert_int_equal(page_owned_block(other, OWNER_A, NULL), INVALID_MFN);
    assert_only_free_blocks(12, 1);
    assert_consistent();
}

static void put_unreferenced(void)
{
    page_put_ref(5);
}

static void test_put_ref_underflow_panics(void **state)
{
    assert_true(harness_panics(put_unreferenced));
}

/*
 * A balloon-like workload: owners take 2 MiB blocks, give back random
 * single frames and sub-blocks in batches (isolate, move to a dying list,
 * free), take more; the accounting stays exact and everything merges back.
 */
static void test_random_owned_workload(void **state)
{
    struct page_list lists[2] = { { 0 }, { 0 } };
    const uint16_t owners[2] = { OWNER_A, OWNER_B };
    uint64_t used = 0;

    rng_state = 7;
    for (int step = 0; step < 3000; step++) {
        unsigned int w = rng() % 2;
        struct page_list *l = &lists[w];

        if (!l->blocks || rng() % 4 == 0) {
            unsigned int order = rng() % 2 ? 9 : rng() % 4;
            if (alloc_owned_pages(l, owners[w], order) != INVALID_MFN)
                used += 1UL << order;
            continue;
        }
        struct page_list dying = { 0 };
        for (unsigned int n = rng() % 8 + 1; n && l->blocks; n--) {
            /* A random frame of a random block on the list. */
            mfn_t h = l->first;
            for (unsigned int hop = rng() % l->blocks; hop; hop--)
                h = mfn_to_page(h)->next;
            unsigned int order = mfn_to_page(h)->order;
            unsigned int want = order && rng() % 3 == 0 ? rng() % order : 0;
            mfn_t f = ROUNDDOWN(h + rng() % (1UL << order), 1UL << want);

            assert_int_equal(page_isolate(l, owners[w], f, want), 0);
            assert_int_equal(page_block_head(f, NULL, NULL), f);
            assert_int_equal(page_list_move(l, &dying, f), 0);
        }
        used -= page_list_free(&dying);
        assert_int_equal(page_list_verify(l, owners[w]), 0);
        assert_int_equal(lists[0].pages + lists[1].pages, used);
        assert_int_equal(stats().owned_pages, used);
        assert_int_equal(page_alloc_free_pages(), NR_FRAMES - used);
        if (step % 100 == 0)
            assert_consistent();
    }
    assert_consistent();
    used -= page_list_free(&lists[0]);
    used -= page_list_free(&lists[1]);
    assert_int_equal(used, 0);
    assert_only_free_blocks(12, 1);
    assert_consistent();
}

static void test_verify_catches_owner_corruption(void **state)
{
    struct page_list a = { 0 }, b = { 0 };
    struct page_info saved;
    mfn_t m, n, hv;

    page_alloc_add_range(0, 64);
    m = alloc_owned_pages(&a, OWNER_A, 2);
    n = alloc_owned_pages(&a, OWNER_A, 0);
    hv = alloc_pages(0);
    assert_consistent();

    /* An owned block that lost its owner (it is still on a's list). */
    saved = *mfn_to_page(n);
    mfn_to_page(n)->owner = PAGE_OWNER_NONE;
    assert_verify_finds("hypervisor block is linked");
    mfn_to_page(n)->next = mfn_to_page(n)->prev = UINT32_MAX;
    assert_verify_finds("owned blocks differ");
    *mfn_to_page(n) = saved;
    mfn_to_page(n)->owner = OWNER_B;            /* another owner's block on a's list */
    assert_int_equal(page_alloc_verify(), 0);
    assert_int_equal(page_list_verify(&a, OWNER_A), -EINVAL);
    *mfn_to_page(n) = saved;

    mfn_to_page(hv)->next = (uint32_t)m;
    assert_verify_finds("hypervisor block is linked");
    mfn_to_page(hv)->next = UINT32_MAX;

    mfn_to_page(40)->count = 1;                 /* inside a free block */
    assert_verify_finds("free frame holds references");
    mfn_to_page(40)->count = 0;

    mfn_to_page(32)->owner = OWNER_A;           /* the free block 32-63 */
    assert_verify_finds("free block has an owner");
    mfn_to_page(32)->owner = PAGE_OWNER_NONE;
    assert_int_equal(page_alloc_verify(), 0);

    /* The list's own checks. */
    assert_int_equal(page_list_verify(&a, OWNER_B), -EINVAL);
    a.pages++;
    assert_int_equal(page_list_verify(&a, OWNER_A), -EINVAL);
    a.pages--;
    saved = *mfn_to_page(m);
    mfn_to_page(m)->prev = 3;
    assert_int_equal(page_list_verify(&a, OWNER_A), -EINVAL);
    *mfn_to_page(m) = saved;
    b = a;
    b.blocks = 1;                               /* shorter than the chain */
    assert_int_equal(page_list_verify(&b, OWNER_A), -EINVAL);
    assert_int_equal(page_list_verify(&a, OWNER_A), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_starts_empty, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_free_every_order, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_order_too_big_fails, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_orders_aligned_and_disjoint, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_exhaustion, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_coalescing_random_order, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_fragmentation, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_add_range_unaligned, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_add_range_clipped_to_table, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_add_range_twice_is_ignored, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_bad_frees_detected, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_free_pages_panics_on_bad_free, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_stats_follow_random_workload, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_page_block_head, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_verify_catches_corruption, setup_empty, teardown),
        cmocka_unit_test_setup_teardown(test_xenheap_pages, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_owned_alloc_and_free, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_isolate_single_frames, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_isolate_sub_block, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_isolate_refuses_what_is_not_owned, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_referenced_frames_are_not_freed, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_put_ref_underflow_panics, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_random_owned_workload, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_verify_catches_owner_corruption, setup_empty, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

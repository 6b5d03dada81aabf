/* Unit tests for the small-object allocator (hypervisor/common/xmalloc.c). */
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

#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <keel/xmalloc.h>
#include <asm/page.h>
#include "harness.h"

#define NR_FRAMES 4096
#define RESERVED_FRAME 0    /* never given to the page allocator */

static struct page_info *table;
static uint64_t start_free_pages;

static int setup(void **state)
{
    harness_directmap_init(NR_FRAMES);
    table = malloc(page_alloc_table_bytes(NR_FRAMES));
    assert_non_null(table);
    page_alloc_init(table, NR_FRAMES);
    page_alloc_add_range(RESERVED_FRAME + 1, NR_FRAMES);
    xmalloc_init();
    start_free_pages = page_alloc_free_pages();
    return 0;
}

static int teardown(void **state)
{
    free(table);
    table = NULL;
    harness_directmap_free();
    return 0;
}

static struct xmalloc_stats stats(void)
{
    struct xmalloc_stats st;

    xmalloc_get_stats(&st);
    return st;
}

/* Everything handed back: no live object, no page held, page count as at start. */
static void assert_all_returned(void)
{
    struct xmalloc_stats st = stats();

    assert_int_equal(st.live_objects, 0);
    assert_int_equal(st.live_bytes, 0);
    assert_int_equal(st.pages, 0);
    assert_int_equal(st.allocs, st.frees);
    assert_int_equal(page_alloc_free_pages(), start_free_pages);
    assert_int_equal(page_alloc_verify(), 0);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void assert_aligned(const void *p)
{
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
}

/* Fill an object with a pattern unique to its tag, and check it is intact. */
static void fill(void *p, size_t size, unsigned int tag)
{
    unsigned char *b = p;

    for (size_t i = 0; i < size; i++)
        b[i] = (unsigned char)(tag * 131 + i * 7 + 1);
}

static void assert_filled(const void *p, size_t size, unsigned int tag)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < size; i++)
        if (b[i] != (unsigned char)(tag * 131 + i * 7 + 1))
            fail_msg("object %u corrupted at byte %zu", tag, i);
}

/* The stats, the page counts and a set of live objects, to compare after a bad free. */
struct snapshot {
    struct xmalloc_stats xm;
    struct page_alloc_stats pa;
};

static struct snapshot snapshot(void)
{
    struct snapshot s;

    memset(&s, 0, sizeof(s));
    xmalloc_get_stats(&s.xm);
    page_alloc_get_stats(&s.pa);
    return s;
}

static void assert_bad_free_changes_nothing(void *p)
{
    struct snapshot before = snapshot(), after;

    assert_int_equal(xfree_checked(p), -EINVAL);
    after = snapshot();
    assert_memory_equal(&before, &after, sizeof(before));
}

/* ---- sizes, alignment, contents ------------------------------------------ */

static void test_every_size_one_at_a_time(void **state)
{
    for (size_t size = 1; size <= 5000; size++) {
        void *p = xmalloc_bytes(size);

        assert_aligned(p);
        fill(p, size, (unsigned int)size);
        assert_filled(p, size, (unsigned int)size);
        assert_int_equal(stats().live_objects, 1);
        assert_int_equal(xfree_checked(p), 0);
    }
    assert_int_equal(stats().allocs, 5000);
    assert_all_returned();
}

static void *live_p[1000];
static size_t live_size[1000];

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)live_p[*(const unsigned int *)a];
    uintptr_t y = (uintptr_t)live_p[*(const unsigned int *)b];

    return x < y ? -1 : x > y;
}

static void test_many_sizes_live_together(void **state)
{
    enum { N = 1000 };
    unsigned int order[N];

    for (unsigned int i = 0; i < N; i++) {
        live_size[i] = (i * 37u) % 5000 + 1;    /* spreads over 1 .. 5000 */
        live_p[i] = xmalloc_bytes(live_size[i]);
        assert_aligned(live_p[i]);
        fill(live_p[i], live_size[i], i);
        order[i] = i;
    }
    assert_int_equal(stats().live_objects, N);
    for (unsigned int i = 0; i < N; i++)
        assert_filled(live_p[i], live_size[i], i);

    /* No two objects overlap: sorted by address, each ends before the next. */
    qsort(order, N, sizeof(order[0]), by_address);
    for (unsigned int k = 0; k + 1 < N; k++) {
        unsigned int i = order[k], j = order[k + 1];

        assert_true((uintptr_t)live_p[i] + live_size[i] <= (uintptr_t)live_p[j]);
    }

    for (unsigned int i = 0; i < N; i += 2)
        assert_int_equal(xfree_checked(live_p[i]), 0);
    for (unsigned int i = 1; i < N; i += 2)
        assert_filled(live_p[i], live_size[i], i);
    for (unsigned int i = 1; i < N; i += 2)
        assert_int_equal(xfree_checked(live_p[i]), 0);
    assert_all_returned();
}

static void test_slab_pages_are_shared_and_returned(void **state)
{
    void *p[200];

    for (int i = 0; i < 200; i++)
        p[i] = xmalloc_bytes(16);
    assert_int_equal(stats().pages, 1);    /* 200 16-byte objects share a page */
    assert_int_equal(stats().live_bytes, 200 * 16);
    assert_int_equal(page_alloc_free_pages(), start_free_pages - 1);
    for (int i = 0; i < 199; i++)
        xfree(p[i]);
    assert_int_equal(stats().pages, 1);
    xfree(p[199]);
    assert_int_equal(stats().pages, 0);

    /* Two of the biggest class share a page; one byte more takes its own. */
    p[0] = xmalloc_bytes(XMALLOC_MAX_SMALL);
    p[1] = xmalloc_bytes(XMALLOC_MAX_SMALL);
    assert_int_equal(stats().pages, 1);
    p[2] = xmalloc_bytes(XMALLOC_MAX_SMALL + 1);
    assert_int_equal(stats().pages, 2);
    p[3] = xmalloc_bytes(PAGE_SIZE);        /* header too: two pages */
    assert_int_equal(stats().pages, 4);
    for (int i = 0; i < 4; i++)
        xfree(p[i]);
    assert_all_returned();
}

static void test_xzalloc_zeroes(void **state)
{
    size_t sizes[] = { 1, 24, 100, 2000, 3000, 9000 };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        unsigned char *p = xmalloc_bytes(sizes[i]), *q;

        memset(p, 0xff, sizes[i]);
        xfree(p);
        q = xzalloc_bytes(sizes[i]);
        assert_non_null(q);
        for (size_t j = 0; j < sizes[i]; j++)
            assert_int_equal(q[j], 0);
        xfree(q);
    }
    assert_all_returned();
}

static void test_zero_size_and_null(void **state)
{
    assert_null(xmalloc_bytes(0));
    assert_null(xzalloc_bytes(0));
    assert_null(xzalloc_array_bytes(0, 8));
    assert_null(xzalloc_array_bytes(8, 0));
    assert_int_equal(xfree_checked(NULL), 0);
    xfree(NULL);
    assert_int_equal(stats().allocs, 0);
    assert_int_equal(stats().frees, 0);
    assert_all_returned();
}

static void test_typed_helpers(void **state)
{
    struct thing { uint64_t a; char name[40]; } *t = xzalloc(struct thing);
    struct thing *arr = xzalloc_array(struct thing, 100);

    assert_aligned(t);
    assert_aligned(arr);
    assert_int_equal(t->a, 0);
    assert_int_equal(arr[99].a, 0);
    arr[99].name[39] = 'x';
    xfree(t);
    xfree(arr);
    assert_all_returned();
}

/* ---- bad pointers ---------------------------------------------------------- */

static void test_double_free_detected(void **state)
{
    void *a = xmalloc_bytes(64), *b = xmalloc_bytes(64);
    void *big = xmalloc_bytes(10000);

    /* The slab stays (b is live): the bitmap catches it. */
    assert_int_equal(xfree_checked(a), 0);
    assert_bad_free_changes_nothing(a);
    /* The slab went back to the page allocator: its frame is free now. */
    assert_int_equal(xfree_checked(b), 0);
    assert_bad_free_changes_nothing(b);
    assert_int_equal(xfree_checked(big), 0);
    assert_bad_free_changes_nothing(big);
    assert_all_returned();
}

static void test_interior_and_foreign_pointers_rejected(void **state)
{
    unsigned char *small = xmalloc_bytes(64);
    unsigned char *small2 = xmalloc_bytes(64);
    unsigned char *big = xmalloc_bytes(3 * PAGE_SIZE);
    unsigned char *page = alloc_xenheap_pages(0);
    unsigned char *page2 = alloc_xenheap_pages(0);
    unsigned char *slab = (unsigned char *)((uintptr_t)small & ~(PAGE_SIZE - 1));
    int local;
    void *heap = malloc(64);

    fill(small, 64, 1);
    fill(small2, 64, 2);
    assert_bad_free_changes_nothing(small + 1);
    assert_bad_free_changes_nothing(small + 16);
    assert_bad_free_changes_nothing(small + 63);
    assert_bad_free_changes_nothing(slab);                  /* the slab header */
    assert_bad_free_changes_nothing(slab + 16);
    assert_bad_free_changes_nothing(slab + 64 + 5 * 64);    /* a free object */
    assert_bad_free_changes_nothing(slab + PAGE_SIZE - 16);
    assert_bad_free_changes_nothing(big + 16);
    assert_bad_free_changes_nothing(big - 16);              /* the large header */
    assert_bad_free_changes_nothing(big + PAGE_SIZE);       /* a tail page */
    assert_bad_free_changes_nothing(big + 2 * PAGE_SIZE + 16);
    assert_bad_free_changes_nothing(page);                  /* page allocator pages */
    assert_bad_free_changes_nothing(page + 16);
    memset(page2, 0, PAGE_SIZE);
    assert_bad_free_changes_nothing(page2 + 16);
    assert_bad_free_changes_nothing(mfn_to_virt(RESERVED_FRAME) + 64);
    assert_bad_free_changes_nothing(mfn_to_virt(NR_FRAMES - 1));  /* a free frame */
    assert_bad_free_changes_nothing(&local);
    assert_bad_free_changes_nothing(heap);
    assert_bad_free_changes_nothing((void *)(uintptr_t)16);
    assert_bad_free_changes_nothing((void *)~(uintptr_t)15);

    /* The real objects are untouched and still free normally. */
    assert_filled(small, 64, 1);
    assert_filled(small2, 64, 2);
    xfree(small);
    xfree(small2);
    xfree(big);
    free_xenheap_pages(page, 0);
    free_xenheap_pages(page2, 0);
    free(heap);
    assert_all_returned();
}

/* Pages that xmalloc gave back and someone else got do not pass as objects. */
static void test_stale_pointer_into_reused_page(void **state)
{
    unsigned char *big = xmalloc_bytes(5000);       /* two pages */
    unsigned char *obj = xmalloc_bytes(48);
    unsigned char *page, *pages;

    xfree(big);
    pages = alloc_xenheap_pages(1);                 /* the same block again */
    assert_ptr_equal(pages, big - 16);
    assert_bad_free_changes_nothing(big);

    xfree(obj);
    page = alloc_xenheap_pages(0);
    assert_ptr_equal(page, (void *)((uintptr_t)obj & ~(PAGE_SIZE - 1)));
    assert_bad_free_changes_nothing(obj);

    free_xenheap_pages(pages, 1);
    free_xenheap_pages(page, 0);
    assert_all_returned();
}

/* A large object whose header was overwritten (an underrun) is refused. */
static void test_corrupt_large_header_rejected(void **state)
{
    unsigned char *big = xmalloc_bytes(5000);
    uint32_t *order = (uint32_t *)(big - 16 + 8);

    assert_int_equal(*order, 1);
    *order = 0;
    assert_bad_free_changes_nothing(big);
    *order = 1;
    xfree(big);
    assert_all_returned();
}

/* A copy of a slab header at the start of another page does not pass. */
static void test_copied_header_rejected(void **state)
{
    unsigned char *obj = xmalloc_bytes(32);
    unsigned char *slab = (unsigned char *)((uintptr_t)obj & ~(PAGE_SIZE - 1));
    unsigned char *page = alloc_xenheap_pages(0);

    memcpy(page, slab, PAGE_SIZE);
    assert_bad_free_changes_nothing(page + (obj - slab));
    xfree(obj);
    free_xenheap_pages(page, 0);
    assert_all_returned();
}

static void free_interior(void)
{
    char *p = xmalloc_bytes(100);

    xfree(p + 16);
}

static void test_xfree_panics_on_bad_pointer(void **state)
{
    assert_true(harness_panics(free_interior));
}

/* ---- limits ---------------------------------------------------------------- */

static void test_out_of_memory(void **state)
{
    static void *p[2 * NR_FRAMES];
    size_t n = 0;
    void *q;

    /* Two biggest-class objects per page: exactly two per free frame. */
    while ((q = xmalloc_bytes(XMALLOC_MAX_SMALL)) != NULL) {
        assert_true(n < 2 * NR_FRAMES);
        p[n++] = q;
    }
    assert_int_equal(n, 2 * start_free_pages);
    assert_int_equal(page_alloc_free_pages(), 0);
    assert_int_equal(stats().failed, 1);
    assert_null(xmalloc_bytes(16));
    assert_null(xmalloc_bytes(5000));
    assert_int_equal(stats().failed, 3);

    /* One free object makes room for exactly one more of its class. */
    xfree(p[--n]);
    p[n] = xmalloc_bytes(XMALLOC_MAX_SMALL);
    assert_non_null(p[n++]);
    assert_null(xmalloc_bytes(XMALLOC_MAX_SMALL));
    while (n)
        xfree(p[--n]);
    assert_all_returned();
}

static void test_too_big_fails(void **state)
{
    assert_null(xmalloc_bytes(NR_FRAMES * PAGE_SIZE));    /* more than there is */
    assert_null(xmalloc_bytes((size_t)1 << 30));            /* over the largest order */
    assert_null(xmalloc_bytes(SIZE_MAX));
    assert_null(xmalloc_bytes(SIZE_MAX - 8));
    assert_null(xzalloc_bytes(SIZE_MAX));
    assert_int_equal(stats().failed, 5);
    assert_int_equal(stats().allocs, 0);
    assert_all_returned();
}

static void test_array_overflow(void **state)
{
    unsigned char *p;

    assert_null(xzalloc_array_bytes(SIZE_MAX, 2));
    assert_null(xzalloc_array_bytes(SIZE_MAX / 16 + 1, 16));
    assert_null(xzalloc_array_bytes((size_t)1 << 32, (size_t)1 << 32));
    assert_null(xzalloc_array_bytes(2, SIZE_MAX / 2 + 1));
    assert_int_equal(stats().failed, 4);
    assert_int_equal(page_alloc_free_pages(), start_free_pages);

    p = xzalloc_array_bytes(300, 24);      /* 7200 bytes: fine */
    assert_aligned(p);
    for (size_t i = 0; i < 7200; i++)
        assert_int_equal(p[i], 0);
    xfree(p);
    assert_all_returned();
}

/* ---- stats and churn ------------------------------------------------------- */

static void test_stats(void **state)
{
    void *a = xmalloc_bytes(10);            /* class 16 */
    void *b = xmalloc_bytes(100);           /* class 128 */
    void *c = xmalloc_bytes(5000);          /* 2 pages less the header */
    struct xmalloc_stats st = stats();

    assert_int_equal(st.live_objects, 3);
    assert_int_equal(st.live_bytes, 16 + 128 + 2 * PAGE_SIZE - 16);
    assert_int_equal(st.pages, 1 + 1 + 2);
    assert_int_equal(st.allocs, 3);
    assert_int_equal(st.frees, 0);
    assert_int_equal(page_alloc_free_pages(), start_free_pages - 4);
    xfree(b);
    st = stats();
    assert_int_equal(st.live_objects, 2);
    assert_int_equal(st.live_bytes, 16 + 2 * PAGE_SIZE - 16);
    assert_int_equal(st.pages, 3);
    assert_int_equal(st.frees, 1);
    xfree(a);
    xfree(c);
    assert_all_returned();
}

static void test_random_churn(void **state)
{
    enum { SLOTS = 512 };
    static void *p[SLOTS];
    static size_t size[SLOTS];
    static unsigned int tag[SLOTS];
    uint64_t live = 0;

    rng_state = 0xfeedface;
    for (unsigned int step = 0; step < 30000; step++) {
        unsigned int i = rng() % SLOTS;

        if (p[i]) {
            assert_filled(p[i], size[i], tag[i]);
            assert_int_equal(xfree_checked(p[i]), 0);
            p[i] = NULL;
            live--;
            continue;
        }
        /* Mostly small objects, some large ones. */
        size[i] = rng() % 8 ? rng() % 600 + 1 : rng() % 12000 + 1;
        p[i] = xmalloc_bytes(size[i]);
        assert_aligned(p[i]);
        tag[i] = step;
        fill(p[i], size[i], step);
        live++;
        assert_int_equal(stats().live_objects, live);
    }
    for (unsigned int i = 0; i < SLOTS; i++) {
        if (p[i]) {
            assert_filled(p[i], size[i], tag[i]);
            xfree(p[i]);
            p[i] = NULL;
        }
    }
    assert_all_returned();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_size_one_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_sizes_live_together, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slab_pages_are_shared_and_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xzalloc_zeroes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_size_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_free_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interior_and_foreign_pointers_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_pointer_into_reused_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_large_header_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copied_header_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xfree_panics_on_bad_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_big_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_array_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_churn, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for memory map arithmetic (common/memmap.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <keel/bootinfo.h>
#include <keel/errno.h>
#include "include/harness.h"

#define R(s, e, t) ((struct mem_range){ (s), (e), (t) })

static void assert_range(const struct mem_range *r, uint64_t start, uint64_t end,
                         uint32_t type)
{
    if (r->start != start || r->end != end || r->type != type)
        fail_msg("got [0x%llx, 0x%llx) type %u, want [0x%llx, 0x%llx) type %u",
                 (unsigned long long)r->start, (unsigned long long)r->end, r->type,
                 (unsigned long long)start, (unsigned long long)end, type);
}

static int setup(void **state)
{
    harness_log_clear();
    return 0;
}

/*
 * The documented order, weakest first: a type later in this list wins
 * where two ranges overlap.  RESERVED and unknown types share a rank; the
 * larger type number breaks the tie.
 */
static const uint32_t strength[] = { MEM_RAM, MEM_ACPI, MEM_NVS, MEM_RESERVED, 7, 12, MEM_BAD };

static int strength_of(uint32_t type)
{
    for (int i = 0; i < (int)(sizeof(strength) / sizeof(strength[0])); i++) {
        if (strength[i] == type)
            return i;
    }
    fail_msg("type %u not in the test's order", type);
    return -1;
}

/* ---- sanitize: basic cases ---------------------------------------------- */

static void test_sanitize_empty(void **state)
{
    struct mem_range r[4] = { R(5, 5, MEM_RAM), R(9, 3, MEM_RAM) };

    assert_int_equal(memmap_sanitize(r, 0, 4), 0);
    assert_int_equal(memmap_sanitize(r, 2, 4), 0);
}

static void test_sanitize_sorts_and_merges(void **state)
{
    struct mem_range r[8] = {
        R(0x3000, 0x4000, MEM_RAM),
        R(0x1000, 0x2000, MEM_RAM),
        R(0x2000, 0x3000, MEM_RAM),         /* adjacent: merges with both */
        R(0x8000, 0x9000, MEM_RAM),         /* after a gap: stays apart */
        R(0x4000, 0x5000, MEM_ACPI),        /* adjacent, other type: apart */
    };

    assert_int_equal(memmap_sanitize(r, 5, 8), 3);
    assert_range(&r[0], 0x1000, 0x4000, MEM_RAM);
    assert_range(&r[1], 0x4000, 0x5000, MEM_ACPI);
    assert_range(&r[2], 0x8000, 0x9000, MEM_RAM);
    assert_string_equal(harness_log(), "");
}

static void test_sanitize_same_type_overlap(void **state)
{
    struct mem_range r[4] = {
        R(0, 100, MEM_RESERVED),
        R(50, 150, MEM_RESERVED),
        R(10, 20, MEM_RESERVED),
    };

    assert_int_equal(memmap_sanitize(r, 3, 4), 1);
    assert_range(&r[0], 0, 150, MEM_RESERVED);
}

static void test_sanitize_hole_splits_ram(void **state)
{
    /* Three entries out of two: this is why sanitize takes a capacity. */
    struct mem_range r[3] = {
        R(0, 0x100000, MEM_RAM),
        R(0x40000, 0x60000, MEM_RESERVED),
    };

    assert_int_equal(memmap_sanitize(r, 2, 3), 3);
    assert_range(&r[0], 0, 0x40000, MEM_RAM);
    assert_range(&r[1], 0x40000, 0x60000, MEM_RESERVED);
    assert_range(&r[2], 0x60000, 0x100000, MEM_RAM);
}

static void test_sanitize_rank_order(void **state)
{
    size_t nt = sizeof(strength) / sizeof(strength[0]);

    for (size_t i = 0; i < nt; i++) {
        for (size_t j = 0; j < nt; j++) {
            uint32_t a = strength[i], b = strength[j];
            uint32_t win = i >= j ? a : b;
            struct mem_range r[4] = { R(0, 10, a), R(5, 15, b) };
            unsigned int n = memmap_sanitize(r, 2, 4);

            if (a == b) {
                assert_int_equal(n, 1);
                assert_range(&r[0], 0, 15, a);
                continue;
            }
            /* [0,5) a, [5,10) the winner, [10,15) b; merged where equal. */
            assert_int_equal(n, 2);
            if (win == a) {
                assert_range(&r[0], 0, 10, a);
                assert_range(&r[1], 10, 15, b);
            } else {
                assert_range(&r[0], 0, 5, a);
                assert_range(&r[1], 5, 15, b);
            }
        }
    }
}

static void test_sanitize_unknown_beats_ram(void **state)
{
    struct mem_range r[8] = { R(0, 0x10000, MEM_RAM), R(0x1000, 0x2000, 0), R(0x3000, 0x4000, 99) };

    assert_int_equal(memmap_sanitize(r, 3, 8), 5);
    assert_range(&r[1], 0x1000, 0x2000, 0);
    assert_range(&r[3], 0x3000, 0x4000, 99);
    assert_int_equal(r[0].type, MEM_RAM);
    assert_int_equal(r[2].type, MEM_RAM);
    assert_int_equal(r[4].type, MEM_RAM);
}

static void test_sanitize_top_of_address_space(void **state)
{
    struct mem_range r[4] = {
        R(UINT64_MAX - 0x2000, UINT64_MAX, MEM_RAM),
        R(UINT64_MAX - 0x1000, UINT64_MAX, MEM_RESERVED),
        R(0, 0x1000, MEM_RAM),
    };

    assert_int_equal(memmap_sanitize(r, 3, 4), 3);
    assert_range(&r[0], 0, 0x1000, MEM_RAM);
    assert_range(&r[1], UINT64_MAX - 0x2000, UINT64_MAX - 0x1000, MEM_RAM);
    assert_range(&r[2], UINT64_MAX - 0x1000, UINT64_MAX, MEM_RESERVED);
}

/* ---- sanitize against a brute-force reference --------------------------- */

#define SPACE 64            /* random ranges live in [0, SPACE) */

static uint32_t rng_state = 0x1234567;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Type of byte x by the documented rule; 0xffffffff for "not covered". */
static uint32_t expected_type(const struct mem_range *in, unsigned int n, uint64_t x)
{
    uint32_t best = 0xffffffff;

    for (unsigned int i = 0; i < n; i++) {
        if (in[i].start <= x && x < in[i].end &&
            (best == 0xffffffff || strength_of(in[i].type) > strength_of(best)))
            best = in[i].type;
    }
    return best;
}

static uint32_t output_type(const struct mem_range *out, unsigned int n, uint64_t x)
{
    for (unsigned int i = 0; i < n; i++) {
        if (out[i].start <= x && x < out[i].end)
            return out[i].type;
    }
    return 0xffffffff;
}

/* Sorted, non-empty, non-overlapping, and adjacent ranges differ in type. */
static void check_well_formed(const struct mem_range *out, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        assert_true(out[i].start < out[i].end);
        if (i > 0) {
            assert_true(out[i - 1].end <= out[i].start);
            if (out[i - 1].end == out[i].start)
                assert_int_not_equal(out[i - 1].type, out[i].type);
        }
    }
}

static void random_input(struct mem_range *in, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        uint64_t a = rng() % SPACE, b = rng() % SPACE;

        in[i] = R(a, b + (rng() % 4 == 0 ? 0 : 1),
                  strength[rng() % (sizeof(strength) / sizeof(strength[0]))]);
    }
}

static void test_sanitize_random(void **state)
{
    for (int trial = 0; trial < 3000; trial++) {
        struct mem_range in[12], r[2 * 12];
        unsigned int n = 1 + rng() % 12;

        random_input(in, n);
        memcpy(r, in, sizeof(in));
        /* With room for 2n - 1 entries nothing can be left out. */
        unsigned int out = memmap_sanitize(r, n, 2 * n - 1);

        check_well_formed(r, out);
        for (uint64_t x = 0; x <= SPACE; x++) {
            if (output_type(r, out, x) != expected_type(in, n, x))
                fail_msg("trial %d: byte %llu has type %u, want %u", trial,
                         (unsigned long long)x, output_type(r, out, x),
                         expected_type(in, n, x));
        }
    }
    assert_string_equal(harness_log(), "");
}

static void test_sanitize_out_of_room(void **state)
{
    /* Seven pieces in four slots: some are left out, which leaves holes
     * (unusable memory), never RAM where something stronger was. */
    struct mem_range in[4] = {
        R(0, 100, MEM_RAM), R(10, 20, MEM_RESERVED),
        R(30, 40, MEM_NVS), R(50, 60, MEM_BAD),
    };
    struct mem_range r[4];
    unsigned int out;

    memcpy(r, in, sizeof(in));
    out = memmap_sanitize(r, 4, 4);
    assert_true(out <= 4);
    assert_true(out >= 1);
    check_well_formed(r, out);
    for (uint64_t x = 0; x < 100; x++) {
        uint32_t t = output_type(r, out, x);

        if (t != 0xffffffff)
            assert_int_equal(t, expected_type(in, 4, x));
    }
    assert_true(harness_log_contains("did not fit in 4 entries"));
}

static void test_sanitize_random_tight(void **state)
{
    for (int trial = 0; trial < 3000; trial++) {
        struct mem_range in[10], r[10];
        unsigned int n = 1 + rng() % 10;
        unsigned int max = n + rng() % (11 - n);
        unsigned int out;

        random_input(in, n);
        memcpy(r, in, sizeof(in));
        out = memmap_sanitize(r, n, max);
        assert_true(out <= max);
        check_well_formed(r, out);
        for (uint64_t x = 0; x <= SPACE; x++) {
            uint32_t t = output_type(r, out, x);

            if (t != 0xffffffff && t != expected_type(in, n, x))
                fail_msg("trial %d: byte %llu has type %u, want %u", trial,
                         (unsigned long long)x, t, expected_type(in, n, x));
        }
    }    /* The tight capacities did make it leave pieces out. */
    assert_true(harness_log_contains("did not fit"));
}

/* ---- subtract ---------------------------------------------------------------- */

static void test_subtract_split(void **state)
{
    struct mem_range r[4] = { R(0, 100, MEM_RAM), R(200, 300, MEM_RAM) };

    assert_int_equal(memmap_subtract(r, 2, 4, 40, 60), 3);
    assert_range(&r[0], 0, 40, MEM_RAM);
    assert_range(&r[1], 60, 100, MEM_RAM);          /* stays in order */
    assert_range(&r[2], 200, 300, MEM_RAM);
}

static void test_subtract_trims_and_drops(void **state)
{
    struct mem_range r[5] = {
        R(0, 100, MEM_RAM), R(100, 200, MEM_ACPI), R(200, 300, MEM_RAM),
        R(400, 500, MEM_RAM),
    };

    /* Trims the end of the first, drops the second, trims the third. */
    assert_int_equal(memmap_subtract(r, 4, 4, 50, 250), 3);
    assert_range(&r[0], 0, 50, MEM_RAM);
    assert_range(&r[1], 250, 300, MEM_RAM);
    assert_range(&r[2], 400, 500, MEM_RAM);

    /* Exact match removes; touching edges do nothing. */
    assert_int_equal(memmap_subtract(r, 3, 4, 400, 500), 2);
    assert_int_equal(memmap_subtract(r, 2, 4, 50, 250), 2);
    assert_range(&r[0], 0, 50, MEM_RAM);
    assert_range(&r[1], 250, 300, MEM_RAM);

    /* Everything. */
    assert_int_equal(memmap_subtract(r, 2, 4, 0, UINT64_MAX), 0);
}

static void test_subtract_empty_interval(void **state)
{
    struct mem_range r[2] = { R(0, 100, MEM_RAM) };

    assert_int_equal(memmap_subtract(r, 1, 2, 50, 50), 1);
    assert_int_equal(memmap_subtract(r, 1, 2, 60, 40), 1);
    assert_range(&r[0], 0, 100, MEM_RAM);
}

static void test_subtract_no_room(void **state)
{
    struct mem_range r[2] = { R(0, 100, MEM_RAM), R(200, 300, MEM_RAM) };
    struct mem_range before[2];

    memcpy(before, r, sizeof(r));
    assert_int_equal(memmap_subtract(r, 2, 2, 40, 60), -ENOSPC);
    assert_memory_equal(r, before, sizeof(r));
}

static void test_subtract_room_made_by_removal(void **state)
{
    /* An unsanitized map: the reserved range is removed before the RAM
     * range is split, so the result fits even though max == n. */
    struct mem_range r[2] = { R(0, 100, MEM_RAM), R(40, 50, MEM_RESERVED) };

    assert_int_equal(memmap_subtract(r, 2, 2, 30, 60), 2);
    assert_range(&r[0], 0, 30, MEM_RAM);
    assert_range(&r[1], 60, 100, MEM_RAM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sanitize_empty, setup),
        cmocka_unit_test_setup(test_sanitize_sorts_and_merges, setup),
        cmocka_unit_test_setup(test_sanitize_same_type_overlap, setup),
        cmocka_unit_test_setup(test_sanitize_hole_splits_ram, setup),
        cmocka_unit_test_setup(test_sanitize_rank_order, setup),
        cmocka_unit_test_setup(test_sanitize_unknown_beats_ram, setup),
        cmocka_unit_test_setup(test_sanitize_top_of_address_space, setup),
        cmocka_unit_test_setup(test_sanitize_random, setup),
        cmocka_unit_test_setup(test_sanitize_out_of_room, setup),
        cmocka_unit_test_setup(test_sanitize_random_tight, setup),
        cmocka_unit_test_setup(test_subtract_split, setup),
        cmocka_unit_test_setup(test_subtract_trims_and_drops, setup),
        cmocka_unit_test_setup(test_subtract_empty_interval, setup),
        cmocka_unit_test_setup(test_subtract_no_room, setup),
        cmocka_unit_test_setup(test_subtract_room_made_by_removal, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

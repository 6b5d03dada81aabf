/* The boot-time allocator: free ranges, reservations, hand-over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/bootmem.h>
#include <keel/page_alloc.h>
#include "include/harness.h"

static struct boot_info bi;

static void add_mem(uint64_t start, uint64_t end, uint32_t type)
{
    bi.mem[bi.nr_mem++] = (struct mem_range){ start, end, type };
}

/* A small PC: 639 KiB low RAM, a hole, RAM from 1 MiB to 64 MiB. */
static int setup(void **state)
{
    memset(&bi, 0, sizeof(bi));
    add_mem(0, 0x9fc00, MEM_RAM);
    add_mem(0x9fc00, 0xa0000, MEM_RESERVED);
    add_mem(0xf0000, 0x100000, MEM_RESERVED);
    add_mem(0x100000, 0x4000000, MEM_RAM);
    add_mem(0x4000000, 0x4100000, MEM_ACPI);
    return 0;
}

static void test_free_minus_reserved(void **state)
{
    const struct mem_range res[] = { { 0, 0x100000, MEM_RESERVED },
                                     { 0x200000, 0x280000, MEM_RESERVED } };
    bi.mods[0] = (struct boot_module){ .start = 0x300000, .end = 0x300001 };
    bi.nr_mods = 1;
    bi.info_start = 0x10000;
    bi.info_end = 0x10100;

    assert_int_equal(bootmem_init(&bi, res, 2), 3);    /* split twice */
    /* 63 MiB above 1 MiB, minus 512 KiB image, minus one module page. */
    assert_int_equal(bootmem_free_pages(), (63 << 8) - 128 - 1);
    assert_int_equal(bootmem_max_frame(), 0x4000);
}

static void test_alloc_top_down_and_limit(void **state)
{
    assert_int_equal(bootmem_init(&bi, NULL, 0), 2);
    uint64_t before = bootmem_free_pages();
    paddr_t a = bootmem_alloc(1, ~0ULL);
    assert_int_equal(a, 0x4000000 - 0x1000);
    paddr_t b = bootmem_alloc(16, 0x200000);
    assert_int_equal(b, 0x200000 - 16 * 0x1000);
    /* Nothing of 1 MiB fits below 640 KiB after a low limit. */
    assert_int_equal(bootmem_alloc(256, 0x9f000), 0);
    assert_int_equal(bootmem_alloc(0, ~0ULL), 0);
    assert_int_equal(bootmem_free_pages(), before - 17);
    /* Exhaustion returns 0, never a bogus address. */
    assert_int_equal(bootmem_alloc(1ULL << 30, ~0ULL), 0);
}

/* Unaligned RAM edges are trimmed inward; reservations outward. */
static void test_alignment(void **state)
{
    memset(&bi, 0, sizeof(bi));
    add_mem(0x1800, 0x5800, MEM_RAM);               /* pages 2, 3, 4 */
    const struct mem_range res[] = { { 0x3fff, 0x4001, MEM_RESERVED } };
    assert_int_equal(bootmem_init(&bi, res, 1), 1);
    assert_int_equal(bootmem_free_pages(), 1);      /* only page 2 stays */
    assert_int_equal(bootmem_alloc(1, ~0ULL), 0x2000);
    assert_int_equal(bootmem_alloc(1, ~0ULL), 0);
}

/* What is left goes to the page allocator, nothing more or less. */
static void test_hand_over(void **state)
{
    const struct mem_range res[] = { { 0, 0x100000, MEM_RESERVED } };
    assert_true(bootmem_init(&bi, res, 1) > 0);
    mfn_t frames = bootmem_max_frame();
    struct page_info *table = calloc(1, page_alloc_table_bytes(frames));
    assert_non_null(table);
    paddr_t used = bootmem_alloc(10, ~0ULL);
    assert_int_not_equal(used, 0);
    uint64_t left = bootmem_free_pages();

    page_alloc_init(table, frames);
    bootmem_hand_over();
    assert_int_equal(page_alloc_free_pages(), left);
    assert_int_equal(bootmem_alloc(1, ~0ULL), 0);   /* bootmem is done */
    /* The pages bootmem handed out are not in the allocator. */
    assert_int_equal(free_pages_checked(used >> 12, 0), -22);
    free(table);
}

/* No RAM at all: nothing to allocate, no crash. */
static void test_no_ram(void **state)
{
    memset(&bi, 0, sizeof(bi));
    add_mem(0, 0x100000, MEM_RESERVED);
    assert_int_equal(bootmem_init(&bi, NULL, 0), 0);
    assert_int_equal(bootmem_free_pages(), 0);
    assert_int_equal(bootmem_max_frame(), 0);
    assert_int_equal(bootmem_alloc(1, ~0ULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_free_minus_reserved, setup),
        cmocka_unit_test_setup(test_alloc_top_down_and_limit, setup),
        cmocka_unit_test_setup(test_alignment, setup),
        cmocka_unit_test_setup(test_hand_over, setup),
        cmocka_unit_test_setup(test_no_ram, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

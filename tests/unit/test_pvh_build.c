/*
 * Unit tests for the PVH guest layout and start_info (common/pvh_build.c).
 *
 * The start_info is read back from the fake guest memory as raw bytes and
 * checked at the ABI's byte offsets (not through our own struct), so a
 * layout mistake in public/hvm/start_info.h would show up here too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/pvh_build.h>
#include <public/hvm/start_info.h>
#include "fake_gpa.h"
#include "include/harness.h"

#define PAGE 4096ULL

static char why[256];

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A kernel loaded at [start, end), like Linux at 16 MiB. */
static struct pvh_kernel kernel_at(uint64_t start, uint64_t end)
{
    struct pvh_kernel k;

    memset(&k, 0, sizeof(k));
    k.entry = (uint32_t)start + 0x40;
    k.elf64 = true;
    k.machine = 62;
    k.nr_segments = 1;
    k.seg[0].paddr = start;
    k.seg[0].memsz = end - start;
    k.load_start = start;
    k.load_end = end;
    return k;
}

/* A domain whose RAM is exactly guest_ram_ranges(mem). */
static struct domain *domain_with(uint64_t mem)
{
    struct mem_range r[PVH_MEMMAP_MAX];
    unsigned int n = guest_ram_ranges(mem, r);

    return fake_domain_new(r, n);
}

/* ---- guest_ram_ranges ----------------------------------------------------- */

static void assert_range(const struct mem_range *r, uint64_t start, uint64_t end)
{
    if (r->start != start || r->end != end || r->type != MEM_RAM)
        fail_msg("got [0x%llx, 0x%llx) type %u, want [0x%llx, 0x%llx) RAM",
                 (unsigned long long)r->start, (unsigned long long)r->end, r->type,
                 (unsigned long long)start, (unsigned long long)end);
}

static void test_ram_ranges(void **state)
{
    struct mem_range r[PVH_MEMMAP_MAX];

    assert_int_equal(guest_ram_ranges(0, r), 0);
    assert_int_equal(guest_ram_ranges(4095, r), 0);     /* less than a page */

    assert_int_equal(guest_ram_ranges(MiB(64), r), 1);
    assert_range(&r[0], 0, MiB(64));

    assert_int_equal(guest_ram_ranges(MiB(64) + 100, r), 1);   /* whole pages only */
    assert_range(&r[0], 0, MiB(64));

    assert_int_equal(guest_ram_ranges(GiB(3), r), 1);
    assert_range(&r[0], 0, GiB(3));

    assert_int_equal(guest_ram_ranges(GiB(3) + PAGE, r), 2);
    assert_range(&r[0], 0, GiB(3));
    assert_range(&r[1], GiB(4), GiB(4) + PAGE);

    assert_int_equal(guest_ram_ranges(GiB(8), r), 2);
    assert_range(&r[0], 0, GiB(3));
    assert_range(&r[1], GiB(4), GiB(9));
}

/* ---- layout --------------------------------------------------------------- */

static void test_layout_small_no_ramdisk(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(1), MiB(2));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, "console=hvc0", &l, why, sizeof(why)), 0);
    assert_int_equal(l.nr_ram, 1);
    assert_int_equal(l.ramdisk_gpa, 0);
    assert_int_equal(l.modlist_gpa, 0);
    /* Top page of RAM. */
    assert_int_equal(l.info_size, PAGE);
    assert_int_equal(l.info_gpa, MiB(64) - PAGE);
    assert_int_equal(l.start_info_gpa, l.info_gpa);
    assert_int_equal(l.memmap_gpa, l.info_gpa + 56);
    assert_int_equal(l.cmdline_gpa, l.info_gpa + 56 + 24);
    assert_int_equal(l.cmdline_len, 12);
}

static void test_layout_with_ramdisk(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(16) + 0x3a00000);
    struct pvh_layout l;

    /* A 5 MiB + 1 byte ramdisk: rounded up to whole pages at the top. */
    assert_int_equal(pvh_plan_layout(MiB(256), &k, MiB(5) + 1, "x", &l, why, sizeof(why)), 0);
    assert_int_equal(l.ramdisk_gpa, MiB(256) - MiB(5) - PAGE);
    assert_int_equal(l.ramdisk_len, MiB(5) + 1);
    /* The info region right below it. */
    assert_int_equal(l.info_gpa, l.ramdisk_gpa - PAGE);
    assert_int_equal(l.modlist_gpa, l.info_gpa + 56);
    assert_int_equal(l.memmap_gpa, l.info_gpa + 56 + 32);
    assert_int_equal(l.cmdline_gpa, l.info_gpa + 56 + 32 + 24);
}

/* Above 1 GiB of RAM the info region stays below 1 GiB; the ramdisk does not. */
static void test_layout_info_below_1g(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(90));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(GiB(2), &k, MiB(20), NULL, &l, why, sizeof(why)), 0);
    assert_int_equal(l.ramdisk_gpa, GiB(2) - MiB(20));
    assert_int_equal(l.info_gpa, GiB(1) - PAGE);
    assert_int_equal(l.cmdline_gpa, 0);     /* no command line */
    assert_int_equal(l.cmdline_len, 0);

    /* Ramdisk straddling 1 GiB: the info region goes below it. */
    assert_int_equal(pvh_plan_layout(GiB(1) + MiB(8), &k, MiB(16), "", &l, why, sizeof(why)), 0);
    assert_int_equal(l.ramdisk_gpa, GiB(1) - MiB(8));
    assert_int_equal(l.info_gpa, GiB(1) - MiB(8) - PAGE);
    assert_int_equal(l.cmdline_len, 0);
    assert_true(l.cmdline_gpa != 0);        /* "" is a command line */
}

/* Above 3 GiB: two RAM ranges, ramdisk at the top of low RAM. */
static void test_layout_above_4g(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(90));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(GiB(6), &k, MiB(32), "a b c", &l, why, sizeof(why)), 0);
    assert_int_equal(l.nr_ram, 2);
    assert_int_equal(l.ramdisk_gpa, GiB(3) - MiB(32));
    assert_true(l.ramdisk_gpa + l.ramdisk_len <= GiB(4));
    assert_int_equal(l.info_gpa, GiB(1) - PAGE);
    assert_int_equal(l.memmap_gpa, l.info_gpa + 56 + 32);
    assert_int_equal(l.cmdline_gpa, l.memmap_gpa + 48);
}

/* A kernel covering the top of the space below 1 GiB pushes the info region below the kernel. */
static void test_layout_info_below_kernel(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(64));
    struct pvh_layout l;

    /* RAM ends right at the kernel: no room above it. */
    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, "x", &l, why, sizeof(why)), 0);
    assert_int_equal(l.info_gpa, MiB(16) - PAGE);

    /* Unaligned kernel bounds: the page it starts in is the kernel's. */
    k = kernel_at(MiB(16) + 0x123, MiB(64));
    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, "x", &l, why, sizeof(why)), 0);
    assert_int_equal(l.info_gpa, MiB(16) - PAGE);
}

/* A kernel ending in the middle of a page owns that page: ramdisk and info skip it. */
static void test_layout_kernel_partial_page(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(1), MiB(8) - PAGE - 1);
    struct pvh_layout l;

    /* 8 MiB of RAM: exactly one whole page is left above the kernel. */
    assert_int_equal(pvh_plan_layout(MiB(8), &k, 2 * PAGE, NULL, &l, why, sizeof(why)), -ENOMEM);
    assert_int_equal(pvh_plan_layout(MiB(8), &k, PAGE, NULL, &l, why, sizeof(why)), 0);
    assert_int_equal(l.ramdisk_gpa, MiB(8) - PAGE);
    /* No room above the kernel any more: the info goes right below it. */
    assert_int_equal(l.info_gpa, MiB(1) - PAGE);
}

/* The info region grows past a page with a long command line and stays 8-aligned inside. */
static void test_layout_long_cmdline(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(32));
    struct pvh_layout l;
    char line[PVH_CMDLINE_MAX + 1];

    memset(line, 'a', sizeof(line));
    line[PVH_CMDLINE_MAX - 1] = '\0';       /* 2047 characters: the longest allowed */
    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, line, &l, why, sizeof(why)), 0);
    assert_int_equal(l.cmdline_len, PVH_CMDLINE_MAX - 1);
    assert_int_equal(l.info_size, PAGE);    /* 56 + 24 + 2048 fits in one page */

    line[PVH_CMDLINE_MAX - 1] = 'a';
    line[PVH_CMDLINE_MAX] = '\0';           /* 2048 characters */
    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, line, &l, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "guest command line is longer than 2047 bytes"));
}

/* ---- errors ----------------------------------------------------------------- */

static void test_no_memory(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(1), MiB(2));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(0, &k, 0, NULL, &l, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "the domain has no memory");
}

static void test_kernel_outside_ram(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(80));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(MiB(64), &k, 0, NULL, &l, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "kernel [0x1000000-0x5000000) is not inside guest RAM below "
                             "4 GiB (which ends at 0x4000000)");

    k = kernel_at(GiB(4), GiB(4) + MiB(1));     /* in high RAM: not for PVH */
    assert_int_equal(pvh_plan_layout(GiB(8), &k, 0, NULL, &l, why, sizeof(why)), -EINVAL);

    k = kernel_at(MiB(1), MiB(1));              /* empty */
    assert_int_equal(pvh_plan_layout(GiB(1), &k, 0, NULL, &l, why, sizeof(why)), -EINVAL);
}

static void test_ramdisk_does_not_fit(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(90));
    struct pvh_layout l;

    assert_int_equal(pvh_plan_layout(MiB(128), &k, MiB(40), NULL, &l, why, sizeof(why)), -ENOMEM);
    assert_string_equal(why, "not enough guest memory for the ramdisk (40 MiB) above the "
                             "kernel (kernel ends at 0x5a00000, RAM below 4 GiB ends at 0x8000000)");
    /* 38 MiB fits exactly, with no room left for the info above the kernel. */
    assert_int_equal(pvh_plan_layout(MiB(128), &k, MiB(38), NULL, &l, why, sizeof(why)), 0);
    assert_int_equal(l.ramdisk_gpa, MiB(90));
    assert_int_equal(l.info_gpa, MiB(16) - PAGE);
    /* Sizes are shown rounded up. */
    assert_int_equal(pvh_plan_layout(MiB(128), &k, MiB(38) + 1, NULL, &l, why, sizeof(why)), -ENOMEM);
    assert_non_null(strstr(why, "the ramdisk (39 MiB)"));
}

/* No page anywhere below 1 GiB outside page 0, the kernel and the ramdisk. */
static void test_info_does_not_fit(void **state)
{
    struct pvh_kernel k = kernel_at(PAGE, MiB(4) - PAGE);
    struct pvh_layout l;

    /* RAM: page 0, kernel, one page for the ramdisk.  Nothing left. */
    assert_int_equal(pvh_plan_layout(MiB(4), &k, PAGE, NULL, &l, why, sizeof(why)), -ENOMEM);
    assert_non_null(strstr(why, "no room for the start info"));
    /* Without the ramdisk the last page takes the info. */
    assert_int_equal(pvh_plan_layout(MiB(4), &k, 0, NULL, &l, why, sizeof(why)), 0);
    assert_int_equal(l.info_gpa, MiB(4) - PAGE);

    /* Kernel from page 0 to the top: nothing at all. */
    k = kernel_at(0, MiB(4));
    assert_int_equal(pvh_plan_layout(MiB(4), &k, 0, NULL, &l, why, sizeof(why)), -ENOMEM);

    /* Kernel starting at page 1 with the rest taken: page 0 is never used. */
    k = kernel_at(PAGE, MiB(4));
    assert_int_equal(pvh_plan_layout(MiB(4), &k, 0, NULL, &l, why, sizeof(why)), -ENOMEM);
    assert_non_null(strstr(why, "no room for the start info"));

    /* Kernel starting at page 2: page 1 takes the info. */
    k = kernel_at(2 * PAGE, MiB(4));
    assert_int_equal(pvh_plan_layout(MiB(4), &k, 0, NULL, &l, why, sizeof(why)), 0);
    assert_int_equal(l.info_gpa, PAGE);
}

/* ---- the start_info in guest memory, byte by byte ------------------------------ */

static void test_start_info_bytes(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(60));
    struct domain *d = domain_with(MiB(128));
    uint8_t rd[3 * 4096 + 5], si[56], mod[32], map[24], buf[sizeof(rd)];
    char cmd[64];
    const char *cmdline = "console=hvc0 root=/dev/ram0";
    uint64_t gpa = 0, rd_gpa = MiB(128) - 4 * PAGE;

    for (size_t i = 0; i < sizeof(rd); i++)
        rd[i] = (uint8_t)(i * 13 + 5);
    assert_int_equal(pvh_build_start_info(d, MiB(128), &k, rd, sizeof(rd), cmdline,
                                          0, 0, &gpa, why, sizeof(why)), 0);
    assert_int_equal(gpa, rd_gpa - PAGE);

    assert_true(fake_read(d, gpa, si, sizeof(si)));
    assert_int_equal(rd32(si + 0), 0x336ec578);        /* magic */
    assert_int_equal(rd32(si + 4), 1);                 /* version */
    assert_int_equal(rd32(si + 8), 0);                 /* flags */
    assert_int_equal(rd32(si + 12), 1);                /* nr_modules */
    assert_int_equal(rd64(si + 16), gpa + 56);         /* modlist_paddr */
    assert_int_equal(rd64(si + 24), gpa + 56 + 32 + 24);   /* cmdline_paddr */
    assert_int_equal(rd64(si + 32), 0);                /* rsdp_paddr */
    assert_int_equal(rd64(si + 40), gpa + 56 + 32);    /* memmap_paddr */
    assert_int_equal(rd32(si + 48), 1);                /* memmap_entries */
    assert_int_equal(rd32(si + 52), 0);                /* reserved */

    assert_true(fake_read(d, gpa + 56, mod, sizeof(mod)));
    assert_int_equal(rd64(mod + 0), rd_gpa);           /* paddr */
    assert_int_equal(rd64(mod + 8), sizeof(rd));       /* size */
    assert_int_equal(rd64(mod + 16), 0);               /* cmdline_paddr */
    assert_int_equal(rd64(mod + 24), 0);               /* reserved */

    assert_true(fake_read(d, gpa + 56 + 32, map, sizeof(map)));
    assert_int_equal(rd64(map + 0), 0);                /* addr */
    assert_int_equal(rd64(map + 8), MiB(128));         /* size */
    assert_int_equal(rd32(map + 16), 1);               /* type RAM */
    assert_int_equal(rd32(map + 20), 0);

    assert_true(fake_read(d, gpa + 56 + 32 + 24, cmd, strlen(cmdline) + 1));
    assert_string_equal(cmd, cmdline);

    /* The ramdisk itself, and the rest of its last page zeroed. */
    assert_true(fake_read(d, rd_gpa, buf, sizeof(rd)));
    assert_memory_equal(buf, rd, sizeof(rd));
    assert_true(fake_read(d, rd_gpa + sizeof(rd), buf, 4 * PAGE - sizeof(rd)));
    for (size_t i = 0; i < 4 * PAGE - sizeof(rd); i++)
        assert_int_equal(buf[i], 0);

    /* The whole info page is defined (zero padding after the command line). */
    assert_true(fake_read(d, gpa, buf, PAGE));
    for (size_t i = 56 + 32 + 24 + strlen(cmdline); i < PAGE; i++)
        assert_int_equal(buf[i], 0);
    /* Nothing written below the info page, nor in page 0. */
    assert_false(fake_read(d, gpa - 1, buf, 1));
    assert_false(fake_read(d, 0, buf, 1));
    fake_domain_free(d);
}

static void test_start_info_dom0_no_ramdisk_no_cmdline(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(60));
    struct domain *d = domain_with(GiB(5));
    uint8_t si[56], map[48];
    uint64_t gpa = 0;

    assert_int_equal(pvh_build_start_info(d, GiB(5), &k, NULL, 0, NULL,
                                          SIF_PRIVILEGED | SIF_INITDOMAIN, 0, &gpa,
                                          why, sizeof(why)), 0);
    assert_int_equal(gpa, GiB(1) - PAGE);
    assert_true(fake_read(d, gpa, si, sizeof(si)));
    assert_int_equal(rd32(si + 0), XEN_HVM_START_MAGIC_VALUE);
    assert_int_equal(rd32(si + 8), 3);                 /* SIF_PRIVILEGED | SIF_INITDOMAIN */
    assert_int_equal(rd32(si + 12), 0);                /* no modules */
    assert_int_equal(rd64(si + 16), 0);                /* no modlist */
    assert_int_equal(rd64(si + 24), 0);                /* no command line */
    assert_int_equal(rd64(si + 40), gpa + 56);
    assert_int_equal(rd32(si + 48), 2);

    assert_true(fake_read(d, gpa + 56, map, sizeof(map)));
    assert_int_equal(rd64(map + 0), 0);
    assert_int_equal(rd64(map + 8), GiB(3));
    assert_int_equal(rd32(map + 16), 1);
    assert_int_equal(rd64(map + 24), GiB(4));
    assert_int_equal(rd64(map + 32), GiB(2));
    assert_int_equal(rd32(map + 40), 1);
    assert_int_equal(rd32(map + 44), 0);
    fake_domain_free(d);
}

/* Every address handed to the guest is below 4 GiB, the tables below 1 GiB. */
static void test_start_info_limits_many_sizes(void **state)
{
    static const uint64_t sizes[] = { MiB(96), MiB(128), MiB(512), GiB(1) - PAGE, GiB(1),
                                      GiB(1) + PAGE, GiB(2), GiB(3), GiB(3) + MiB(1), GiB(16) };
    struct pvh_kernel k = kernel_at(MiB(16), MiB(90));

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct pvh_layout l;

        assert_int_equal(pvh_plan_layout(sizes[i], &k, MiB(4) + 17, "ro quiet", &l,
                                         why, sizeof(why)), 0);
        assert_true(l.info_gpa >= PAGE);
        assert_true(l.info_gpa % PAGE == 0);
        assert_true(l.info_gpa + l.info_size <= GiB(1));
        assert_true(l.ramdisk_gpa % PAGE == 0);
        assert_true(l.ramdisk_gpa >= MiB(90));
        assert_true(l.ramdisk_gpa + l.ramdisk_len <= GiB(3));
        assert_true(l.info_gpa + l.info_size <= MiB(16) || l.info_gpa >= MiB(90));
        assert_true(l.info_gpa + l.info_size <= l.ramdisk_gpa ||
                    l.info_gpa >= l.ramdisk_gpa + l.ramdisk_len);
        assert_int_equal(l.ramdisk_gpa, MIN(sizes[i] & ~(PAGE - 1), GiB(3)) - MiB(4) - PAGE);
    }
}

static void test_start_info_copy_fails(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(60));
    uint8_t rd[100] = { 1 };
    uint64_t gpa = 0x1234;

    /* Guest memory smaller than the layout says: the writes fault. */
    struct mem_range small = { 0, MiB(32), MEM_RAM };
    struct domain *d = fake_domain_new(&small, 1);
    assert_int_equal(pvh_build_start_info(d, MiB(128), &k, rd, sizeof(rd), "x", 0, 0, &gpa,
                                          why, sizeof(why)), -EFAULT);
    assert_non_null(strstr(why, "cannot write the start info"));
    assert_int_equal(gpa, 0x1234);      /* untouched on failure */
    fake_domain_free(d);

    /* The ramdisk copy is the one that fails: calls are clear, si, memmap, cmdline, modlist, ramdisk. */
    d = domain_with(MiB(128));
    fake_fail_call(d, 6);
    assert_int_equal(pvh_build_start_info(d, MiB(128), &k, rd, sizeof(rd), "x", 0, 0, &gpa,
                                          why, sizeof(why)), -EFAULT);
    assert_non_null(strstr(why, "cannot copy the ramdisk"));
    fake_domain_free(d);

    /* Length without data. */
    d = domain_with(MiB(128));
    assert_int_equal(pvh_build_start_info(d, MiB(128), &k, NULL, 10, "x", 0, 0, &gpa,
                                          why, sizeof(why)), -EINVAL);
    assert_int_equal(fake_calls(d), 0);
    fake_domain_free(d);
}

static void test_start_info_layout_error_writes_nothing(void **state)
{
    struct pvh_kernel k = kernel_at(MiB(16), MiB(90));
    struct domain *d = domain_with(MiB(64));
    uint8_t rd[16] = { 0 };
    uint64_t gpa = 0;

    /* A kernel that does not fit: refused before any byte is written. */
    assert_int_equal(pvh_build_start_info(d, MiB(64), &k, rd, sizeof(rd), NULL, 0, 0, &gpa,
                                          why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "is not inside guest RAM"));
    assert_int_equal(fake_calls(d), 0);
    fake_domain_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ram_ranges),
        cmocka_unit_test(test_layout_small_no_ramdisk),
        cmocka_unit_test(test_layout_with_ramdisk),
        cmocka_unit_test(test_layout_info_below_1g),
        cmocka_unit_test(test_layout_above_4g),
        cmocka_unit_test(test_layout_info_below_kernel),
        cmocka_unit_test(test_layout_kernel_partial_page),
        cmocka_unit_test(test_layout_long_cmdline),
        cmocka_unit_test(test_no_memory),
        cmocka_unit_test(test_kernel_outside_ram),
        cmocka_unit_test(test_ramdisk_does_not_fit),
        cmocka_unit_test(test_info_does_not_fit),
        cmocka_unit_test(test_start_info_bytes),
        cmocka_unit_test(test_start_info_dom0_no_ramdisk_no_cmdline),
        cmocka_unit_test(test_start_info_limits_many_sizes),
        cmocka_unit_test(test_start_info_copy_fails),
        cmocka_unit_test(test_start_info_layout_error_writes_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

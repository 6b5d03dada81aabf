/*
 * Unit tests for the Multiboot 1/2 parsers (common/multiboot.c).
 *
 * The loader's memory is a fake: FAKE_PAGES pages at physical address
 * fake_base, some of which can be made holes.  The reader hands out a fresh
 * heap copy of exactly the bytes asked for, freed at the next call, so
 * AddressSanitizer catches any read past what the parser asked for and any
 * use of a pointer after the next read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/bootinfo.h>
#include <keel/errno.h>
#include "include/harness.h"

#define FAKE_PAGES 64
#define FAKE_SIZE  (FAKE_PAGES * 4096ULL)
#define LOW_BASE   0x100000ULL

static unsigned char *fake;
static uint64_t fake_base;
static bool hole[FAKE_PAGES];
static void *last_copy;
static unsigned int read_calls;
static size_t read_max_len;
static uint64_t next_free;      /* bump allocator inside the fake */
static struct boot_info bi;

static const void *fake_read(void *ctx, paddr_t pa, size_t len)
{
    uint64_t off;

    assert_ptr_equal(ctx, &fake);
    read_calls++;
    if (len > read_max_len)
        read_max_len = len;
    free(last_copy);
    last_copy = NULL;

    if (len == 0 || pa < fake_base)
        return NULL;
    off = pa - fake_base;
    if (off >= FAKE_SIZE || len > FAKE_SIZE - off)
        return NULL;
    for (uint64_t pg = off / 4096; pg <= (off + len - 1) / 4096; pg++) {
        if (hole[pg])
            return NULL;
    }
    last_copy = malloc(len);
    memcpy(last_copy, fake + off, len);
    return last_copy;
}

static int setup(void **state)
{
    fake = calloc(1, FAKE_SIZE);
    fake_base = LOW_BASE;
    memset(hole, 0, sizeof(hole));
    next_free = fake_base;
    read_calls = 0;
    read_max_len = 0;
    memset(&bi, 0xa5, sizeof(bi));     /* the parser must clear it */
    harness_log_clear();
    return 0;
}

static int teardown(void **state)
{
    free(last_copy);
    last_copy = NULL;
    free(fake);
    return 0;
}

static unsigned char *at(uint64_t pa)
{
    assert_true(pa >= fake_base && pa - fake_base < FAKE_SIZE);
    return fake + (pa - fake_base);
}

static void put32(uint64_t pa, uint32_t v) { memcpy(at(pa), &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(at(pa), &v, 8); }

static uint64_t alloc(size_t len, size_t align)
{
    uint64_t pa = (next_free + align - 1) & ~(uint64_t)(align - 1);

    next_free = pa + len;
    assert_true(next_free - fake_base <= FAKE_SIZE);
    return pa;
}

static uint64_t put_str(const char *s)
{
    uint64_t pa = alloc(strlen(s) + 1, 1);

    memcpy(at(pa), s, strlen(s) + 1);
    return pa;
}

static void set_hole(uint64_t pa)
{
    hole[(pa - fake_base) / 4096] = true;
}

static void assert_range(const struct mem_range *r, uint64_t start, uint64_t end,
                         uint32_t type)
{
    if (r->start != start || r->end != end || r->type != type)
        fail_msg("got [0x%llx, 0x%llx) type %u, want [0x%llx, 0x%llx) type %u",
                 (unsigned long long)r->start, (unsigned long long)r->end, r->type,
                 (unsigned long long)start, (unsigned long long)end, type);
}

static void assert_log(const char *needle)
{
    if (!harness_log_contains(needle))
        fail_msg("log lacks \"%s\"; log is:\n%s", needle, harness_log());
}

/* ---- Multiboot 1 builders -------------------------------------------------- */

enum {
    MB1_FLAGS = 0, MB1_MEM_LOWER = 4, MB1_MEM_UPPER = 8, MB1_CMDLINE = 16,
    MB1_MODS_COUNT = 20, MB1_MODS_ADDR = 24, MB1_MMAP_LENGTH = 44,
    MB1_MMAP_ADDR = 48, MB1_LOADER = 64, MB1_SIZE = 116,
};

static uint64_t mb1_info;

static void mb1_new(void)
{
    mb1_info = alloc(MB1_SIZE, 8);
}

static void mb1_flag(uint32_t bit)
{
    uint32_t f;

    memcpy(&f, at(mb1_info + MB1_FLAGS), 4);
    put32(mb1_info + MB1_FLAGS, f | bit);
}

static void mb1_set(unsigned int off, uint32_t v)
{
    put32(mb1_info + off, v);
}

static void mb1_cmdline(const char *s)
{
    mb1_flag(1 << 2);
    mb1_set(MB1_CMDLINE, (uint32_t)put_str(s));
}

static void mb1_loader(const char *s)
{
    mb1_flag(1 << 9);
    mb1_set(MB1_LOADER, (uint32_t)put_str(s));
}

static void mb1_meminfo(uint32_t lower, uint32_t upper)
{
    mb1_flag(1 << 0);
    mb1_set(MB1_MEM_LOWER, lower);
    mb1_set(MB1_MEM_UPPER, upper);
}

struct mmap_ent {
    uint32_t size;      /* the entry's size field: 20 for a plain entry */
    uint64_t base, len;
    uint32_t type;
};

/* Lay out entries (each size + 4 bytes apart) and point the info at them. */
static uint64_t mb1_mmap(const struct mmap_ent *e, unsigned int n, int length_adjust)
{
    uint64_t total = 0, pa, p;

    for (unsigned int i = 0; i < n; i++)
        total += 4 + (e[i].size >= 20 ? e[i].size : 20);
    pa = p = alloc(total, 4);
    for (unsigned int i = 0; i < n; i++) {
        put32(p, e[i].size);
        put64(p + 4, e[i].base);
        put64(p + 12, e[i].len);
        put32(p + 20, e[i].type);
        p += 4 + (e[i].size >= 20 ? e[i].size : 20);
    }
    mb1_flag(1 << 6);
    mb1_set(MB1_MMAP_ADDR, (uint32_t)pa);
    mb1_set(MB1_MMAP_LENGTH, (uint32_t)((int64_t)total + length_adjust));
    return pa;
}

struct mod_spec {
    uint32_t start, end;
    const char *str;
};

/* The strings first, then the records (so a test can place the records). */
static uint64_t mb1_mods(const struct mod_spec *m, unsigned int n)
{
    uint32_t str[64];
    uint64_t pa;

    assert_true(n <= 64);
    for (unsigned int i = 0; i < n; i++)
        str[i] = m[i].str ? (uint32_t)put_str(m[i].str) : 0;
    pa = alloc(16 * n, 4);
    for (unsigned int i = 0; i < n; i++) {
        put32(pa + 16 * i, m[i].start);
        put32(pa + 16 * i + 4, m[i].end);
        put32(pa + 16 * i + 8, str[i]);
    }
    mb1_flag(1 << 3);
    mb1_set(MB1_MODS_COUNT, n);
    mb1_set(MB1_MODS_ADDR, (uint32_t)pa);
    return pa;
}

static int parse1(void)
{
    return multiboot1_parse(&bi, mb1_info, fake_read, &fake);
}

/* ---- Multiboot 1 tests ----------------------------------------------------- */

static const struct mmap_ent qemu_map[] = {
    { 20, 0, 0x9fc00, MEM_RAM },
    { 20, 0x9fc00, 0x400, MEM_RESERVED },
    { 20, 0xf0000, 0x10000, MEM_RESERVED },
    { 20, 0x100000, 0x7ee0000, MEM_RAM },
    { 20, 0x7fe0000, 0x20000, MEM_RESERVED },
    { 20, 0xfffc0000, 0x40000, MEM_RESERVED },
};

static void test_mb1_qemu(void **state)
{
    static const struct mod_spec mods[] = {
        { 0x200000, 0x280000, "/tmp/dom0.elf domain name=d0 dom0" },
        { 0x280000, 0x280123, "/tmp/initrd.gz ramdisk" },
    };

    mb1_new();
    mb1_loader("qemu");
    mb1_cmdline("build/keel.elf console=com1  loglvl=debug");
    mb1_meminfo(639, 130944);
    mb1_mods(mods, 2);
    mb1_mmap(qemu_map, 6, 0);

    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.protocol, 1);
    assert_string_equal(bi.loader, "qemu");
    /* QEMU puts the image path first; it is not an option. */
    assert_string_equal(bi.cmdline, "console=com1  loglvl=debug");
    assert_true(bi.mod_path_first);
    assert_int_equal(bi.nr_mods, 2);
    assert_int_equal(bi.mods[0].start, 0x200000);
    assert_int_equal(bi.mods[0].end, 0x280000);
    assert_string_equal(bi.mods[0].cmdline, "/tmp/dom0.elf domain name=d0 dom0");
    assert_int_equal(bi.mods[1].end, 0x280123);
    assert_string_equal(bi.mods[1].cmdline, "/tmp/initrd.gz ramdisk");

    /* [0x9fc00, 0xa0000) reserved; the gap up to 0xf0000 is no range. */
    assert_int_equal(bi.nr_mem, 6);
    assert_range(&bi.mem[0], 0, 0x9fc00, MEM_RAM);
    assert_range(&bi.mem[1], 0x9fc00, 0xa0000, MEM_RESERVED);
    assert_range(&bi.mem[2], 0xf0000, 0x100000, MEM_RESERVED);
    assert_range(&bi.mem[3], 0x100000, 0x7fe0000, MEM_RAM);
    assert_range(&bi.mem[4], 0x7fe0000, 0x8000000, MEM_RESERVED);
    assert_range(&bi.mem[5], 0xfffc0000, 0x100000000, MEM_RESERVED);

    assert_false(bi.have_rsdp);
    assert_int_equal(bi.info_start, mb1_info);
    assert_int_equal(bi.info_end, mb1_info + MB1_SIZE);
    assert_int_equal(bi.warnings, 0);
    assert_string_equal(harness_log(), "");
}

static void test_mb1_loader_and_path(void **state)
{
    mb1_new();
    mb1_loader("GRUB 2.06-13+deb12u1");
    mb1_cmdline("console=com1 poweroff_when_idle");
    assert_int_equal(parse1(), 0);
    /* GRUB 2 leaves the path out: nothing to strip. */
    assert_string_equal(bi.cmdline, "console=com1 poweroff_when_idle");
    assert_false(bi.mod_path_first);

    mb1_new();
    mb1_loader("GNU GRUB 0.97");
    mb1_cmdline("  /boot/keel.elf\tconsole=com1");
    assert_int_equal(parse1(), 0);
    assert_string_equal(bi.cmdline, "console=com1");
    assert_true(bi.mod_path_first);

    /* No loader name: assume the path is there. */
    mb1_new();
    mb1_cmdline("/keel.elf");
    assert_int_equal(parse1(), 0);
    assert_string_equal(bi.loader, "");
    assert_string_equal(bi.cmdline, "");
}

static void test_mb1_info_unreadable(void **state)
{
    /* Not mapped at all. */
    assert_int_equal(multiboot1_parse(&bi, 0x1000, fake_read, &fake), -EINVAL);
    assert_log("information structure at 0x1000 cannot be read");

    /* The fields we read run into a hole. */
    uint64_t pa = fake_base + 4096 - 40;

    set_hole(fake_base + 4096);
    assert_int_equal(multiboot1_parse(&bi, pa, fake_read, &fake), -EINVAL);
}

static void test_mb1_no_memory_info(void **state)
{
    mb1_new();
    mb1_cmdline("x");
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 0);
    assert_log("neither a memory map nor memory sizes");
    assert_int_equal(bi.warnings, 1);
}

static void test_mb1_meminfo_fallback(void **state)
{
    mb1_new();
    mb1_meminfo(639, 65536);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 2);
    assert_range(&bi.mem[0], 0, 639 * 1024, MEM_RAM);
    assert_range(&bi.mem[1], 0x100000, 0x100000 + 65536ULL * 1024, MEM_RAM);
    assert_log("no usable memory map; using mem_lower=639 KiB, mem_upper=65536 KiB");
    assert_int_equal(bi.warnings, 1);
}

static void test_mb1_meminfo_lower_clipped(void **state)
{
    mb1_new();
    mb1_meminfo(4000, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0, 640 * 1024, MEM_RAM);
    assert_log("mem_lower=4000 KiB is impossible");
}

static void test_mb1_mmap_zero_entry_size(void **state)
{
    static const struct mmap_ent e[] = {
        { 20, 0, 0x9f000, MEM_RAM },
        { 0, 0x100000, 0x100000, MEM_RAM },
        { 20, 0x200000, 0x100000, MEM_RAM },
    };

    mb1_new();
    mb1_mmap(e, 3, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0, 0x9f000, MEM_RAM);
    assert_log("memory map entry 1 has size 0 (at least 20), map cut short");
}

static void test_mb1_mmap_short_entry_size(void **state)
{
    static const struct mmap_ent e[] = { { 19, 0, 0x9f000, MEM_RAM } };

    mb1_new();
    mb1_meminfo(600, 1024);
    mb1_mmap(e, 1, 0);
    assert_int_equal(parse1(), 0);
    assert_log("memory map entry 0 has size 19");
    /* Nothing usable in the map: the sizes take over. */
    assert_log("no usable memory map");
    assert_int_equal(bi.nr_mem, 2);
    assert_range(&bi.mem[0], 0, 600 * 1024, MEM_RAM);
}

static void test_mb1_mmap_large_entry_size(void **state)
{
    /* Entries with extra bytes: the size field is the stride. */
    static const struct mmap_ent e[] = {
        { 24, 0, 0x9f000, MEM_RAM },
        { 27, 0xf0000, 0x10000, MEM_RESERVED },
        { 20, 0x100000, 0x100000, MEM_ACPI },
    };

    mb1_new();
    mb1_mmap(e, 3, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 3);
    assert_range(&bi.mem[0], 0, 0x9f000, MEM_RAM);
    assert_range(&bi.mem[1], 0xf0000, 0x100000, MEM_RESERVED);
    assert_range(&bi.mem[2], 0x100000, 0x200000, MEM_ACPI);
    assert_int_equal(bi.warnings, 0);
}

static void test_mb1_mmap_past_length(void **state)
{
    static const struct mmap_ent e[] = {
        { 20, 0, 0x9f000, MEM_RAM },
        { 20, 0x100000, 0x100000, MEM_RAM },
    };

    /* mmap_length ends 10 bytes into the second entry. */
    mb1_new();
    mb1_mmap(e, 2, -14);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0, 0x9f000, MEM_RAM);
    assert_log("memory map entry 1 (size 20) runs past mmap_length 34, map cut short");

    /* Stray bytes too short for a size field. */
    harness_log_clear();
    mb1_new();
    mb1_mmap(e, 1, 3);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_log("memory map has 3 stray bytes at its end");
}

static void test_mb1_mmap_unreadable(void **state)
{
    static const struct mmap_ent e[] = { { 20, 0, 0x9f000, MEM_RAM } };
    uint64_t pa;

    mb1_new();
    mb1_meminfo(639, 2048);
    next_free = fake_base + 4096;           /* the map alone on its page */
    pa = mb1_mmap(e, 1, 0);
    set_hole(pa);
    assert_int_equal(parse1(), 0);
    assert_log("memory map entry 0 at 0x");
    assert_log("cannot be read, map cut short");
    assert_int_equal(bi.nr_mem, 2);
    assert_range(&bi.mem[1], 0x100000, 0x100000 + 2048 * 1024, MEM_RAM);
}

static void test_mb1_mmap_runs_into_hole(void **state)
{
    struct mmap_ent e[200];
    uint64_t pa;

    for (unsigned int i = 0; i < 200; i++)
        e[i] = (struct mmap_ent){ 20, i * 0x2000ULL, 0x1000, i % 2 ? MEM_RAM : MEM_ACPI };
    mb1_new();
    next_free = fake_base + 4096 - 3 * 24 - 5;  /* 3 entries, then a hole mid-entry */
    pa = mb1_mmap(e, 200, 0);
    set_hole(fake_base + 4096);
    assert_true(pa + 3 * 24 < fake_base + 4096);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 3);
    assert_range(&bi.mem[2], 0x4000, 0x5000, MEM_ACPI);
    assert_log("memory map entry 3 at 0x");
}

static void test_mb1_mmap_wraps(void **state)
{
    static const struct mmap_ent e[] = {
        { 20, 0, 0x9f000, MEM_RAM },
        { 20, 0xfffffffffffff000ULL, 0x2000, MEM_RESERVED },
        { 20, 0x100000, 0, MEM_RAM },        /* empty: dropped quietly */
    };

    mb1_new();
    mb1_mmap(e, 3, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 2);
    assert_range(&bi.mem[1], 0xfffffffffffff000ULL, UINT64_MAX, MEM_RESERVED);
    assert_log("memory range 0xfffffffffffff000+0x2000 wraps past the top of the address space, clipped");
    assert_int_equal(bi.warnings, 1);
}

static void test_mb1_mmap_overlaps_resolved(void **state)
{
    static const struct mmap_ent e[] = {
        { 20, 0x100000, 0x1000000, MEM_RAM },
        { 20, 0x400000, 0x1000, MEM_NVS },
        { 20, 0x0, 0x9fc00, MEM_RAM },
    };

    mb1_new();
    mb1_mmap(e, 3, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 4);
    assert_range(&bi.mem[0], 0, 0x9fc00, MEM_RAM);
    assert_range(&bi.mem[1], 0x100000, 0x400000, MEM_RAM);
    assert_range(&bi.mem[2], 0x400000, 0x401000, MEM_NVS);
    assert_range(&bi.mem[3], 0x401000, 0x1100000, MEM_RAM);
}

static void test_mb1_many_mergeable_ranges(void **state)
{
    /* 300 adjacent RAM pages: merging as we go makes room, no warning. */
    static struct mmap_ent e[300];

    for (unsigned int i = 0; i < 300; i++)
        e[i] = (struct mmap_ent){ 20, 0x100000 + i * 0x1000ULL, 0x1000, MEM_RAM };
    mb1_new();
    mb1_mmap(e, 300, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0x100000, 0x100000 + 300 * 0x1000, MEM_RAM);
    assert_int_equal(bi.warnings, 0);
}

static void test_mb1_too_many_ranges(void **state)
{
    /* 150 separate RAM ranges fill the map; a reserved range that comes
     * after must still keep the RAM beneath it out of use. */
    static struct mmap_ent e[152];

    for (unsigned int i = 0; i < 150; i++)
        e[i] = (struct mmap_ent){ 20, i * 0x10000ULL, 0x8000, MEM_RAM };
    e[150] = (struct mmap_ent){ 20, 0x21000, 0x1000, MEM_RESERVED };
    e[151] = (struct mmap_ent){ 20, 0x33000, 0x1000, MEM_RAM };
    mb1_new();
    mb1_mmap(e, 152, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, BOOT_MEM_MAX);
    assert_log("memory map has more than 128 distinct ranges, later ones left out");
    assert_int_equal(bi.warnings, 1);
    for (unsigned int i = 0; i < bi.nr_mem; i++) {
        if (bi.mem[i].type == MEM_RAM)
            assert_true(bi.mem[i].end <= 0x21000 || bi.mem[i].start >= 0x22000);
    }
    assert_range(&bi.mem[0], 0, 0x8000, MEM_RAM);
    assert_range(&bi.mem[1], 0x10000, 0x18000, MEM_RAM);
    assert_range(&bi.mem[2], 0x20000, 0x21000, MEM_RAM);   /* cut at the hole */
}

static void test_mb1_mmap_entry_limit(void **state)
{
    static struct mmap_ent e[1100];

    for (unsigned int i = 0; i < 1100; i++)
        e[i] = (struct mmap_ent){ 20, 0, 0x1000, MEM_RAM };
    mb1_new();
    mb1_mmap(e, 1100, 0);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_log("memory map has more than 1024 entries, the rest ignored");
}

static void test_mb1_cmdline_too_long(void **state)
{
    char *s = malloc(3001);

    memset(s, 'x', 3000);
    s[0] = '/';
    s[1] = ' ';
    s[3000] = '\0';
    mb1_new();
    mb1_loader("GRUB 2.06");
    mb1_cmdline(s);
    assert_int_equal(parse1(), 0);
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    assert_memory_equal(bi.cmdline, s, BOOT_CMDLINE_MAX - 1);
    assert_log("command line at 0x");
    assert_log("is longer than 1023 characters, truncated");
    /* Bounded reads: never more than the buffer, never past a page. */
    assert_true(read_max_len <= 4096);
    free(s);
}

static void test_mb1_cmdline_runs_into_hole(void **state)
{
    uint64_t pa;

    mb1_new();
    mb1_loader("GRUB 2.06");
    /* "abcdef" with no NUL, right before an unreadable page. */
    next_free = fake_base + 2 * 4096 - 6;
    pa = alloc(6, 1);
    memcpy(at(pa), "abcdef", 6);
    set_hole(fake_base + 2 * 4096);
    mb1_flag(1 << 2);
    mb1_set(MB1_CMDLINE, (uint32_t)pa);
    assert_int_equal(parse1(), 0);
    assert_string_equal(bi.cmdline, "abcdef");
    assert_log("is not NUL-terminated within readable memory, cut short");
    assert_int_equal(bi.warnings, 2);       /* + no memory information */
}

static void test_mb1_string_ends_at_page_end(void **state)
{
    uint64_t pa;

    /* The NUL is the last readable byte: read whole, no complaint. */
    mb1_new();
    mb1_loader("GRUB 2.06");
    next_free = fake_base + 2 * 4096 - 8;
    pa = put_str("console");
    assert_int_equal(next_free, fake_base + 2 * 4096);
    set_hole(fake_base + 2 * 4096);
    mb1_flag(1 << 2);
    mb1_set(MB1_CMDLINE, (uint32_t)pa);
    assert_int_equal(parse1(), 0);
    assert_string_equal(bi.cmdline, "console");
    assert_false(harness_log_contains("command line"));
    assert_int_equal(bi.warnings, 1);       /* no memory information */
}

static void test_mb1_cmdline_unreadable(void **state)
{
    mb1_new();
    mb1_cmdline("console=com1");
    mb1_set(MB1_CMDLINE, 0x5000);            /* outside the fake */
    assert_int_equal(parse1(), 0);
    assert_string_equal(bi.cmdline, "");
    assert_log("command line at 0x5000 cannot be read, ignored");
}

static void test_mb1_too_many_modules(void **state)
{
    struct mod_spec m[40];
    char names[40][16];

    for (unsigned int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "m%u", i);
        m[i] = (struct mod_spec){ 0x1000 * i, 0x1000 * i + 0x800, names[i] };
    }
    mb1_new();
    mb1_mods(m, 40);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mods, BOOT_MOD_MAX);
    assert_string_equal(bi.mods[31].cmdline, "m31");
    assert_int_equal(bi.mods[31].start, 0x1f000);
    assert_log("40 modules given, only the first 32 are used");
}

static void test_mb1_module_end_before_start(void **state)
{
    static const struct mod_spec m[] = {
        { 0x300000, 0x200000, "bad" },
        { 0x400000, 0x400000, "empty" },
        { 0x500000, 0x501000, NULL },
    };

    mb1_new();
    mb1_mods(m, 3);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mods, 2);
    assert_int_equal(bi.mods[0].start, 0x400000);
    assert_string_equal(bi.mods[0].cmdline, "empty");
    assert_int_equal(bi.mods[1].start, 0x500000);
    assert_string_equal(bi.mods[1].cmdline, "");
    assert_log("module 0 ends (0x200000) before it starts (0x300000), ignored");
    assert_log("module 2 has no string");
    assert_int_equal(bi.warnings, 3);   /* + no memory information */
}

static void test_mb1_modules_unreadable(void **state)
{
    struct mod_spec m[3] = {
        { 0x1000, 0x2000, "a" }, { 0x2000, 0x3000, "b" }, { 0x3000, 0x4000, "c" },
    };
    uint64_t pa;

    /* The third record lies in a hole. */
    mb1_new();
    next_free = fake_base + 3 * 4096 - 32 - 6;    /* the strings, then the records */
    pa = mb1_mods(m, 3);
    assert_int_equal(pa, fake_base + 3 * 4096 - 32);
    set_hole(fake_base + 3 * 4096);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mods, 2);
    assert_string_equal(bi.mods[1].cmdline, "b");
    assert_log("module 2: entry at 0x");
}

static void test_mb1_module_string_too_long(void **state)
{
    char *s = malloc(1001);
    struct mod_spec m[1];

    memset(s, 'y', 1000);
    s[1000] = '\0';
    m[0] = (struct mod_spec){ 0x1000, 0x2000, s };
    mb1_new();
    mb1_mods(m, 1);
    assert_int_equal(parse1(), 0);
    assert_int_equal(bi.nr_mods, 1);
    assert_int_equal(strlen(bi.mods[0].cmdline), BOOT_MODLINE_MAX - 1);
    assert_log("module 0 string at 0x");
    assert_log("is longer than 511 characters, truncated");
    free(s);
}

/* ---- Multiboot 2 builders -------------------------------------------------- */

static uint64_t mb2_info;

static void mb2_new(void)
{
    mb2_info = alloc(8, 8);
}

/* Append a tag with the given payload; size = 8 + len, padded to 8. */
static uint64_t mb2_tag(uint32_t type, const void *data, size_t len)
{
    uint64_t pa = alloc(8 + len, 8);

    put32(pa, type);
    put32(pa + 4, (uint32_t)(8 + len));
    if (data && len)            /* NULL data: leave the zeroes */
        memcpy(at(pa + 8), data, len);
    next_free = (next_free + 7) & ~7ULL;
    return pa;
}

static void mb2_str_tag(uint32_t type, const char *s)
{
    mb2_tag(type, s, strlen(s) + 1);
}

static void mb2_module_tag(uint32_t start, uint32_t end, const char *s)
{
    unsigned char buf[600];

    memcpy(buf, &start, 4);
    memcpy(buf + 4, &end, 4);
    memcpy(buf + 8, s, strlen(s) + 1);
    mb2_tag(3, buf, 8 + strlen(s) + 1);
}

static void mb2_meminfo_tag(uint32_t lower, uint32_t upper)
{
    uint32_t v[2] = { lower, upper };

    mb2_tag(4, v, sizeof(v));
}

/* A memory map tag with the given entry size (>= 24 stores full entries). */
static void mb2_mmap_tag(uint32_t entry_size, const struct mmap_ent *e, unsigned int n)
{
    size_t stride = entry_size >= 24 ? entry_size : 24;
    size_t len = 8 + stride * n;
    unsigned char *buf = calloc(1, len);
    uint32_t version = 0;

    memcpy(buf, &entry_size, 4);
    memcpy(buf + 4, &version, 4);
    for (unsigned int i = 0; i < n; i++) {
        unsigned char *p = buf + 8 + stride * i;

        memcpy(p, &e[i].base, 8);
        memcpy(p + 8, &e[i].len, 8);
        memcpy(p + 16, &e[i].type, 4);
    }
    mb2_tag(6, buf, len);
    free(buf);
}

/* The end tag and total_size; extra lets a test lie about the size. */
static void mb2_finish(int64_t extra)
{
    mb2_tag(0, NULL, 0);
    put32(mb2_info, (uint32_t)((int64_t)(next_free - mb2_info) + extra));
    put32(mb2_info + 4, 0);
}

static int parse2(void)
{
    return multiboot2_parse(&bi, mb2_info, fake_read, &fake);
}

/* ---- Multiboot 2 tests ----------------------------------------------------- */

static void test_mb2_grub(void **state)
{
    unsigned char rsdp[36], fb[24] = { 0 };

    for (unsigned int i = 0; i < sizeof(rsdp); i++)
        rsdp[i] = (unsigned char)(0x40 + i);
    mb2_new();
    mb2_str_tag(1, "console=com1 loglvl=all");
    mb2_str_tag(2, "GRUB 2.06-13+deb12u1");
    mb2_module_tag(0x200000, 0x280000, "domain name=d0 dom0");
    mb2_module_tag(0x280000, 0x290000, "ramdisk");
    mb2_meminfo_tag(639, 523136);
    mb2_tag(8, fb, sizeof(fb));              /* framebuffer: ignored */
    mb2_mmap_tag(24, qemu_map, 6);
    mb2_tag(15, rsdp, sizeof(rsdp));
    mb2_finish(0);

    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.protocol, 2);
    assert_string_equal(bi.cmdline, "console=com1 loglvl=all");
    assert_string_equal(bi.loader, "GRUB 2.06-13+deb12u1");
    assert_false(bi.mod_path_first);
    assert_int_equal(bi.nr_mods, 2);
    assert_int_equal(bi.mods[0].start, 0x200000);
    assert_int_equal(bi.mods[0].end, 0x280000);
    assert_string_equal(bi.mods[0].cmdline, "domain name=d0 dom0");
    assert_string_equal(bi.mods[1].cmdline, "ramdisk");
    assert_int_equal(bi.nr_mem, 6);
    assert_range(&bi.mem[3], 0x100000, 0x7fe0000, MEM_RAM);
    assert_true(bi.have_rsdp);
    assert_memory_equal(bi.rsdp, rsdp, 36);
    assert_int_equal(bi.info_start, mb2_info);
    assert_int_equal(bi.info_end, next_free);
    assert_int_equal(bi.warnings, 0);
    assert_string_equal(harness_log(), "");
}

static void test_mb2_header_bad(void **state)
{
    assert_int_equal(multiboot2_parse(&bi, 0x2000, fake_read, &fake), -EINVAL);
    assert_log("information structure at 0x2000 cannot be read");

    /* Too small to hold even the end tag. */
    mb2_new();
    put32(mb2_info, 8);
    assert_int_equal(parse2(), -EINVAL);
    assert_log("has bad total_size 8");
}

static void test_mb2_total_size_wraps(void **state)
{
    /* The structure sits in the last page of the address space. */
    fake_base = 0ULL - FAKE_SIZE;
    mb2_info = fake_base + FAKE_SIZE - 4096;
    put32(mb2_info, 0x2000);
    assert_int_equal(parse2(), -EINVAL);
    assert_log("has bad total_size 8192");
}

static void test_mb2_tag_past_total_size(void **state)
{
    mb2_new();
    mb2_str_tag(1, "console=com1");
    mb2_module_tag(0x1000, 0x2000, "a module whose tag runs past the end");
    mb2_finish(0);
    /* Shrink total_size to end inside the module tag. */
    put32(mb2_info, 8 + 24 + 20);
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "console=com1");
    assert_int_equal(bi.nr_mods, 0);
    assert_log("tag type 3 at offset 32 (size 53) runs past total_size 52, the rest ignored");
}

static void test_mb2_tag_size_zero(void **state)
{
    uint64_t pa;

    mb2_new();
    mb2_str_tag(1, "first");
    pa = mb2_tag(3, NULL, 0);
    put32(pa + 4, 0);
    mb2_str_tag(2, "never read");
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "first");
    assert_string_equal(bi.loader, "");
    assert_log("tag type 3 at offset 24 has size 0, the rest ignored");
}

static void test_mb2_no_end_tag(void **state)
{
    mb2_new();
    mb2_str_tag(1, "console=com1");
    mb2_finish(-8);                          /* end tag outside total_size */
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "console=com1");
    assert_log("no end tag within total_size 32");
}

static void test_mb2_body_in_hole(void **state)
{
    mb2_new();
    mb2_str_tag(1, "console=com1");
    mb2_tag(99, NULL, fake_base + 4096 - next_free - 8);    /* up to the page end */
    assert_int_equal(next_free, fake_base + 4096);
    mb2_str_tag(2, "in the hole");
    mb2_finish(0);
    set_hole(fake_base + 4096);
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "console=com1");
    assert_string_equal(bi.loader, "");
    assert_log("cannot be read, the rest ignored");
}

static void test_mb2_mmap_bad_entry_size(void **state)
{
    static const struct mmap_ent e[] = { { 0, 0, 0x9f000, MEM_RAM } };

    for (uint32_t size = 0; size <= 20; size += 20) {
        if (size) {                         /* start afresh */
            teardown(state);
            setup(state);
        }
        mb2_new();
        mb2_meminfo_tag(500, 1024);
        mb2_mmap_tag(size, e, 1);
        mb2_finish(0);
        assert_int_equal(parse2(), 0);
        if (size == 0)
            assert_log("memory map entry size 0 (at least 24), map ignored");
        else
            assert_log("memory map entry size 20 (at least 24), map ignored");
        /* The basic sizes stand in. */
        assert_log("no usable memory map");
        assert_int_equal(bi.nr_mem, 2);
        assert_range(&bi.mem[0], 0, 500 * 1024, MEM_RAM);
        assert_range(&bi.mem[1], 0x100000, 0x200000, MEM_RAM);
    }
}

static void test_mb2_mmap_large_entries(void **state)
{
    static const struct mmap_ent e[] = {
        { 0, 0, 0x9f000, MEM_RAM },
        { 0, 0x100000, 0x100000, MEM_NVS },
    };

    mb2_new();
    mb2_mmap_tag(40, e, 2);
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.nr_mem, 2);
    assert_range(&bi.mem[1], 0x100000, 0x200000, MEM_NVS);
    assert_int_equal(bi.warnings, 0);
}

static void test_mb2_mmap_partial_entry(void **state)
{
    static const struct mmap_ent e[] = {
        { 0, 0, 0x9f000, MEM_RAM },
        { 0, 0x100000, 0x100000, MEM_RAM },
    };
    uint64_t pa;

    mb2_new();
    pa = next_free;
    mb2_mmap_tag(24, e, 2);
    put32(pa + 4, 16 + 24 + 10);             /* the second entry is cut */
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0, 0x9f000, MEM_RAM);
    assert_log("memory map tag ends with a partial entry, ignored");
}

static void test_mb2_string_without_nul(void **state)
{
    mb2_new();
    mb2_tag(1, "abc", 3);                    /* no terminator in the tag */
    mb2_tag(2, "", 0);                       /* no room for any string */
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "abc");
    assert_string_equal(bi.loader, "");
    assert_log("command line at 0x");
    assert_log("has no NUL within its tag, cut short");
    assert_log("boot loader name at 0x");
    assert_int_equal(bi.warnings, 3);        /* two strings + no memory info */
}

static void test_mb2_long_cmdline(void **state)
{
    char *s = malloc(2001);

    memset(s, 'z', 2000);
    s[2000] = '\0';
    mb2_new();
    mb2_str_tag(1, s);
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    assert_log("is longer than 1023 characters, truncated");
    assert_true(read_max_len <= BOOT_CMDLINE_MAX);
    free(s);
}

static void test_mb2_duplicate_tags(void **state)
{
    static const struct mmap_ent e1[] = { { 0, 0, 0x9f000, MEM_RAM } };
    static const struct mmap_ent e2[] = { { 0, 0x100000, 0x1000, MEM_RAM } };

    mb2_new();
    mb2_str_tag(1, "first");
    mb2_str_tag(1, "second");
    mb2_mmap_tag(24, e1, 1);
    mb2_mmap_tag(24, e2, 1);
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_string_equal(bi.cmdline, "first");
    assert_int_equal(bi.nr_mem, 1);
    assert_range(&bi.mem[0], 0, 0x9f000, MEM_RAM);
    assert_log("second command line tag ignored");
    assert_log("second memory map tag ignored");
}

static void test_mb2_bad_modules(void **state)
{
    uint32_t small[1] = { 0x1000 };

    mb2_new();
    mb2_tag(3, small, sizeof(small));                /* 12 bytes: too small */
    mb2_module_tag(0x9000, 0x8000, "backwards");
    mb2_module_tag(0xa000, 0xb000, "good");
    mb2_tag(3, (uint32_t[]){ 0xc000, 0xd000 }, 8);   /* no string at all */
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.nr_mods, 2);
    assert_string_equal(bi.mods[0].cmdline, "good");
    assert_int_equal(bi.mods[1].start, 0xc000);
    assert_string_equal(bi.mods[1].cmdline, "");
    assert_log("module tag at 0x");
    assert_log("too small (12 bytes), ignored");
    assert_log("module 1 ends (0x8000) before it starts (0x9000), ignored");
    assert_log("module 3 string at 0x");
    assert_log("has no NUL within its tag, cut short");
}

static void test_mb2_too_many_modules(void **state)
{
    mb2_new();
    for (unsigned int i = 0; i < 40; i++)
        mb2_module_tag(0x1000 * i, 0x1000 * i + 0x10, "m");
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.nr_mods, BOOT_MOD_MAX);
    assert_int_equal(bi.mods[31].start, 31 * 0x1000);
    assert_log("more than 32 modules, module 32 and later ignored");
    assert_int_equal(bi.warnings, 2);        /* + no memory information */
}

static void test_mb2_rsdp(void **state)
{
    unsigned char v1[20], v2[36];

    memset(v1, 0x11, sizeof(v1));
    memset(v2, 0x22, sizeof(v2));

    mb2_new();
    mb2_tag(14, v1, sizeof(v1));
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_true(bi.have_rsdp);
    assert_memory_equal(bi.rsdp, v1, 20);
    for (unsigned int i = 20; i < 36; i++)
        assert_int_equal(bi.rsdp[i], 0);

    /* The ACPI 2.0 copy wins, whichever comes first. */
    mb2_new();
    mb2_tag(15, v2, sizeof(v2));
    mb2_tag(14, v1, sizeof(v1));
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_memory_equal(bi.rsdp, v2, 36);

    /* A short copy is refused. */
    mb2_new();
    mb2_tag(15, v2, 30);
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_false(bi.have_rsdp);
    assert_log("ACPI RSDP tag (type 15) at 0x");
}

static void test_mb2_tag_limit(void **state)
{
    mb2_new();
    for (unsigned int i = 0; i < 1100; i++)
        mb2_tag(99, NULL, 0);
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_log("more than 1024 tags, the rest ignored");
}

static void test_mb2_no_memory(void **state)
{
    mb2_new();
    mb2_str_tag(1, "x");
    mb2_finish(0);
    assert_int_equal(parse2(), 0);
    assert_int_equal(bi.nr_mem, 0);
    assert_log("neither a memory map nor memory sizes");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_mb1_qemu),
        T(test_mb1_loader_and_path),
        T(test_mb1_info_unreadable),
        T(test_mb1_no_memory_info),
        T(test_mb1_meminfo_fallback),
        T(test_mb1_meminfo_lower_clipped),
        T(test_mb1_mmap_zero_entry_size),
        T(test_mb1_mmap_short_entry_size),
        T(test_mb1_mmap_large_entry_size),
        T(test_mb1_mmap_past_length),
        T(test_mb1_mmap_unreadable),
        T(test_mb1_mmap_runs_into_hole),
        T(test_mb1_mmap_wraps),
        T(test_mb1_mmap_overlaps_resolved),
        T(test_mb1_many_mergeable_ranges),
        T(test_mb1_too_many_ranges),
        T(test_mb1_mmap_entry_limit),
        T(test_mb1_cmdline_too_long),
        T(test_mb1_cmdline_runs_into_hole),
        T(test_mb1_string_ends_at_page_end),
        T(test_mb1_cmdline_unreadable),
        T(test_mb1_too_many_modules),
        T(test_mb1_module_end_before_start),
        T(test_mb1_modules_unreadable),
        T(test_mb1_module_string_too_long),
        T(test_mb2_grub),
        T(test_mb2_header_bad),
        T(test_mb2_total_size_wraps),
        T(test_mb2_tag_past_total_size),
        T(test_mb2_tag_size_zero),
        T(test_mb2_no_end_tag),
        T(test_mb2_body_in_hole),
        T(test_mb2_mmap_bad_entry_size),
        T(test_mb2_mmap_large_entries),
        T(test_mb2_mmap_partial_entry),
        T(test_mb2_string_without_nul),
        T(test_mb2_long_cmdline),
        T(test_mb2_duplicate_tags),
        T(test_mb2_bad_modules),
        T(test_mb2_too_many_modules),
        T(test_mb2_rsdp),
        T(test_mb2_tag_limit),
        T(test_mb2_no_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

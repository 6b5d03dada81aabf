/*
 * xen_version (hypercall 17): every sub-op as Xen 4.17 answers an HVM/PVH
 * guest, for an ordinary and a privileged caller, 64-bit and compat
 * layouts, and guest pointers that are NULL, unmapped or half-mapped.
 *
 * Fake guest memory: GUEST_PAGES pages at GUEST_BASE, page HOLE_PAGE
 * unmapped.  Copies go page by page like the real ones, so a copy that
 * runs into the hole has written the pages before it and then fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/version.h>
#include "include/harness.h"

#define GUEST_BASE  0x100000ULL
#define GUEST_PAGES 4
#define HOLE_PAGE   2
#define FILL        0xaa

static uint8_t guest_mem[GUEST_PAGES * 4096];
static bool fake_privileged;
static const char *fake_cmdline;

#define G(off) (GUEST_BASE + (off))         /* guest address of offset */
#define H(off) (&guest_mem[(off)])          /* host view of offset */
#define HOLE   G(HOLE_PAGE * 4096)

bool hypercall_caller_privileged(void) { return fake_privileged; }
const char *hypercall_hypervisor_cmdline(void) { return fake_cmdline; }


static uint8_t *guest_page(uint64_t gva)
{
    if (gva < GUEST_BASE)
        return NULL;
    uint64_t idx = (gva - GUEST_BASE) / 4096;
    if (idx >= GUEST_PAGES || idx == HOLE_PAGE)
        return NULL;
    return &guest_mem[gva - GUEST_BASE];
}

static int fake_copy(uint64_t gva, uint8_t *host, size_t len, bool to_guest)
{
    if (gva + len < gva)
        return -EFAULT;
    while (len) {
        size_t chunk = 4096 - (gva & 4095);
        if (chunk > len)
            chunk = len;
        uint8_t *g = guest_page(gva);
        if (!g)
            return -EFAULT;
        if (to_guest)
            memcpy(g, host, chunk);
        else
            memcpy(host, g, chunk);
        gva += chunk, host += chunk, len -= chunk;
    }
    return 0;
}

int copy_to_guest(uint64_t gva, const void *src, size_t len)
{
    return fake_copy(gva, (uint8_t *)src, len, true);
}

int copy_from_guest(void *dst, uint64_t gva, size_t len)
{
    return fake_copy(gva, dst, len, false);
}

static long call(unsigned long cmd, unsigned long arg, bool compat)
{
    struct hypercall_args a = {
        .nr = __HYPERVISOR_xen_version, .a = { cmd, arg }, .compat = compat,
    };
    return do_xen_version(&a);
}

static int setup(void **state)
{
    memset(guest_mem, FILL, sizeof(guest_mem));
    fake_privileged = false;
    fake_cmdline = "console=com1 loglvl=info";
    return 0;
}

/* Every byte of [from, to) still holds the fill pattern. */
static void assert_untouched(size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        assert_int_equal(guest_mem[i], FILL);
}

/* A NUL-padded char array field: s, then zeros up to size. */
static void assert_padded(const uint8_t *p, const char *s, size_t size)
{
    size_t n = strlen(s);
    assert_memory_equal(p, s, n);
    for (size_t i = n; i < size; i++)
        assert_int_equal(p[i], 0);
}

static void test_version(void **state)
{
    assert_int_equal(call(XENVER_version, 0, false), (4 << 16) | 17);
    fake_privileged = true;
    assert_int_equal(call(XENVER_version, 0, true), 0x40011);
    /* The command is an int: bits above 31 are not part of it. */
    assert_int_equal(call(0x100000000UL | XENVER_version, 0, false), 0x40011);
    /* The argument is ignored, even a bad one. */
    assert_int_equal(call(XENVER_version, HOLE, false), 0x40011);
    assert_untouched(0, sizeof(guest_mem));
}

static void test_extraversion(void **state)
{
    assert_int_equal(call(XENVER_extraversion, G(100), false), 0);
    assert_padded(H(100), ".0-keel", 16);
    assert_untouched(116, 117);
    assert_untouched(0, 100);
    assert_int_equal(call(XENVER_extraversion, G(200), true), 0);
    assert_padded(H(200), ".0-keel", 16);
}

static void test_compile_info(void **state)
{
    xen_compile_info_t info;

    assert_int_equal(call(XENVER_compile_info, G(0), false), 0);
    assert_untouched(sizeof(info), sizeof(info) + 1);
    memcpy(&info, H(0), sizeof(info));
    assert_padded((uint8_t *)info.compile_by, "keel", sizeof(info.compile_by));
    assert_padded((uint8_t *)info.compile_domain, "", sizeof(info.compile_domain));
    assert_true(strncmp(info.compiler, "gcc ", 4) == 0 ||
                strncmp(info.compiler, "clang ", 6) == 0);
    assert_int_equal(info.compiler[sizeof(info.compiler) - 1], 0);
    assert_true(strlen(info.compile_date) > 0);
    assert_int_equal(info.compile_date[sizeof(info.compile_date) - 1], 0);
}

static void test_capabilities(void **state)
{
    /* 1024 bytes from the middle of page 0 into page 1. */
    assert_int_equal(call(XENVER_capabilities, G(3000), false), 0);
    assert_padded(H(3000), "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ", 1024);
    assert_untouched(4024, 4025);
    assert_untouched(0, 3000);
    /* Same for a 32-bit caller. */
    memset(guest_mem, FILL, sizeof(guest_mem));
    assert_int_equal(call(XENVER_capabilities, G(0), true), 0);
    assert_padded(H(0), "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ", 1024);
}

static void test_changeset(void **state)
{
    assert_int_equal(call(XENVER_changeset, G(8), false), 0);
    assert_padded(H(8), "unavailable", 64);
    assert_untouched(72, 73);
}

static void test_platform_parameters(void **state)
{
    uint64_t v64;
    uint32_t v32;

    assert_int_equal(call(XENVER_platform_parameters, G(0), false), 0);
    memcpy(&v64, H(0), 8);
    assert_true(v64 == 0xffff800000000000ULL);
    assert_untouched(8, 16);

    /* Compat: a 4-byte unsigned long, ~0u for an HVM domain. */
    memset(guest_mem, FILL, sizeof(guest_mem));
    assert_int_equal(call(XENVER_platform_parameters, G(0), true), 0);
    memcpy(&v32, H(0), 4);
    assert_int_equal(v32, 0xffffffffU);
    assert_untouched(4, 16);
}

static uint32_t get_features(uint32_t idx, long expect_rc, bool compat)
{
    xen_feature_info_t fi = { .submap_idx = idx, .submap = 0xdeadbeef };

    memcpy(H(64), &fi, sizeof(fi));
    assert_int_equal(call(XENVER_get_features, G(64), compat), expect_rc);
    memcpy(&fi, H(64), sizeof(fi));
    assert_int_equal(fi.submap_idx, idx);
    return fi.submap;
}

static void test_get_features(void **state)
{
    /* Xen 4.17, PVH domU: bits 0, 2, 8, 9, 13, 16. */
    assert_int_equal(get_features(0, 0, false), 0x12305);
    assert_int_equal(get_features(0, 0, true), 0x12305);
    /* No PIRQs for PVH; dom0 only for the control domain. */
    assert_int_equal(get_features(0, 0, false) & (1U << XENFEAT_hvm_pirqs), 0);
    fake_privileged = true;
    assert_int_equal(get_features(0, 0, false), 0x12b05);
    /* Only submap 0 exists; others are refused and the struct is left alone. */
    assert_int_equal(get_features(1, -EINVAL, false), 0xdeadbeef);
    assert_int_equal(get_features(0xffffffff, -EINVAL, false), 0xdeadbeef);
    assert_int_equal(call(XENVER_get_features, HOLE, false), -EFAULT);
    assert_int_equal(call(XENVER_get_features, 0, false), -EFAULT);
}

static void test_pagesize(void **state)
{
    assert_int_equal(call(XENVER_pagesize, 0, false), 4096);
    assert_int_equal(call(XENVER_pagesize, 0, true), 4096);
    assert_int_equal(call(XENVER_pagesize, G(0), false), -EINVAL);
    assert_untouched(0, sizeof(guest_mem));
}

static void test_guest_handle(void **state)
{
    static const uint8_t zero[16];

    assert_int_equal(call(XENVER_guest_handle, G(32), false), 0);
    assert_memory_equal(H(32), zero, 16);
    assert_untouched(48, 49);
    assert_untouched(0, 32);
}

static void test_commandline(void **state)
{
    /* Ordinary domain: "<denied>" with its NUL, nothing more, success. */
    assert_int_equal(call(XENVER_commandline, G(0), false), 0);
    assert_memory_equal(H(0), "<denied>", 9);
    assert_untouched(9, 1100);

    /* Control domain: the whole 1024-byte array. */
    fake_privileged = true;
    assert_int_equal(call(XENVER_commandline, G(0), false), 0);
    assert_padded(H(0), "console=com1 loglvl=info", 1024);
    assert_untouched(1024, 1025);

    /* No command line known: all zeros. */
    memset(guest_mem, FILL, sizeof(guest_mem));
    fake_cmdline = NULL;
    assert_int_equal(call(XENVER_commandline, G(0), true), 0);
    assert_padded(H(0), "", 1024);

    /* Too long: cut to 1023 characters and a NUL. */
    static char longline[1500];
    memset(longline, 'x', sizeof(longline) - 1);
    fake_cmdline = longline;
    assert_int_equal(call(XENVER_commandline, G(0), false), 0);
    for (int i = 0; i < 1023; i++)
        assert_int_equal(guest_mem[i], 'x');
    assert_int_equal(guest_mem[1023], 0);
    assert_untouched(1024, 1025);

    /* Runs into the hole. */
    assert_int_equal(call(XENVER_commandline, HOLE - 100, false), -EFAULT);
    fake_privileged = false;
    assert_int_equal(call(XENVER_commandline, HOLE - 4, false), -EFAULT);
}

static void test_build_id(void **state)
{
    uint32_t len;

    /* Ordinary domain: refused before anything is read. */
    assert_int_equal(call(XENVER_build_id, 0, false), -EPERM);
    assert_int_equal(call(XENVER_build_id, HOLE, false), -EPERM);

    fake_privileged = true;
    assert_int_equal(call(XENVER_build_id, HOLE, false), -EFAULT);
    len = 0;
    memcpy(H(0), &len, 4);
    assert_int_equal(call(XENVER_build_id, G(0), false), -EINVAL);
    /* Keel has no build id: Xen without one says -ENODATA. */
    assert_int_equal(call(XENVER_build_id, 0, false), -ENODATA);
    len = 64;
    memcpy(H(0), &len, 4);
    assert_int_equal(call(XENVER_build_id, G(0), false), -ENODATA);
    assert_untouched(4, 100);
}

static void test_unknown(void **state)
{
    const unsigned long cmds[] = { 11, 12, 100, 0x7fffffff, 0xffffffff, 0x80000000 };

    for (int p = 0; p < 2; p++) {
        fake_privileged = p;
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
            assert_int_equal(call(cmds[i], G(0), false), -ENOSYS);
            assert_int_equal(call(cmds[i], G(0), true), -ENOSYS);
        }
    }
    assert_untouched(0, sizeof(guest_mem));
}

/* Every sub-op that writes through its argument fails cleanly on a bad one. */
static void test_bad_pointers(void **state)
{
    const unsigned long cmds[] = {
        XENVER_extraversion, XENVER_compile_info, XENVER_capabilities,
        XENVER_changeset, XENVER_platform_parameters, XENVER_get_features,
        XENVER_guest_handle, XENVER_commandline,
    };
    const unsigned long bad[] = {
        0,                          /* NULL */
        HOLE,                       /* unmapped */
        HOLE - 2,                   /* straddles into the hole */
        G(GUEST_PAGES * 4096) - 2,  /* runs off the end */
        0xfffffffffffffffcUL,       /* wraps around */
    };

    for (int p = 0; p < 2; p++) {
        fake_privileged = p;
        for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
            for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
                assert_int_equal(call(cmds[i], bad[j], false), -EFAULT);
    }
}

/* A 32-bit caller's pointer is 32 bits: garbage above is not an address. */
static void test_compat_pointer(void **state)
{
    unsigned long arg = 0xdead000000000000UL | G(16);

    assert_int_equal(call(XENVER_extraversion, arg, false), -EFAULT);
    assert_untouched(0, sizeof(guest_mem));
    assert_int_equal(call(XENVER_extraversion, arg, true), 0);
    assert_padded(H(16), ".0-keel", 16);
    assert_int_equal(call(XENVER_pagesize, 0xdead000000000000UL, true), 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_version, setup),
        cmocka_unit_test_setup(test_extraversion, setup),
        cmocka_unit_test_setup(test_compile_info, setup),
        cmocka_unit_test_setup(test_capabilities, setup),
        cmocka_unit_test_setup(test_changeset, setup),
        cmocka_unit_test_setup(test_platform_parameters, setup),
        cmocka_unit_test_setup(test_get_features, setup),
        cmocka_unit_test_setup(test_pagesize, setup),
        cmocka_unit_test_setup(test_guest_handle, setup),
        cmocka_unit_test_setup(test_commandline, setup),
        cmocka_unit_test_setup(test_build_id, setup),
        cmocka_unit_test_setup(test_unknown, setup),
        cmocka_unit_test_setup(test_bad_pointers, setup),
        cmocka_unit_test_setup(test_compat_pointer, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

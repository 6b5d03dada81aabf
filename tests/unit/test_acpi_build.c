/* ACPI tables for PVH guests: structure, pointers and checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/acpi_build.h>
#include "include/harness.h"

#define BASE ACPI_GUEST_BASE
static uint8_t buf[ACPI_GUEST_SIZE];

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Table at guest-physical pa, checked: signature, length inside, checksum. */
static const uint8_t *table(uint64_t pa, const char *sig)
{
    assert_true(pa >= BASE && pa < BASE + ACPI_GUEST_SIZE);
    const uint8_t *t = buf + (pa - BASE);
    assert_memory_equal(t, sig, 4);
    uint32_t len = u32(t + 4);
    assert_true(len >= 36 && pa + len <= BASE + ACPI_GUEST_SIZE);
    assert_int_equal(sum(t, len), 0);
    return t;
}

static void test_tables_for(unsigned int vcpus)
{
    size_t used = acpi_build_tables(buf, BASE, vcpus);
    assert_true(used > 0 && used <= ACPI_GUEST_SIZE);

    /* RSDP 2.0: both checksums, XSDT pointer. */
    assert_memory_equal(buf, "RSD PTR ", 8);
    assert_int_equal(buf[15], 2);
    assert_int_equal(sum(buf, 20), 0);
    assert_int_equal(sum(buf, 36), 0);
    assert_int_equal(u32(buf + 20), 36);
    const uint8_t *xsdt = table(u64(buf + 24), "XSDT");
    assert_int_equal(u32(xsdt + 4), 36 + 16);

    const uint8_t *fadt = table(u64(xsdt + 36), "FACP");
    assert_int_equal(u32(fadt + 4), 276);
    assert_true(u32(fadt + 112) & (1u << 20));              /* hardware-reduced */
    uint16_t boot_arch;
    memcpy(&boot_arch, fadt + 109, 2);
    assert_int_equal(boot_arch, (1u << 2) | (1u << 5));     /* no VGA, no CMOS RTC */
    const uint8_t *dsdt = table(u64(fadt + 140), "DSDT");
    assert_int_equal(u32(fadt + 40), (uint32_t)(dsdt - buf + BASE));

    const uint8_t *madt = table(u64(xsdt + 44), "APIC");
    assert_int_equal(u32(madt + 4), 44 + 8 * vcpus);
    assert_int_equal(u32(madt + 36), 0xfee00000);
    assert_int_equal(u32(madt + 40), 0);                    /* no legacy PIC */
    for (unsigned int i = 0; i < vcpus; i++) {
        const uint8_t *e = madt + 44 + 8 * i;
        assert_int_equal(e[0], 0);
        assert_int_equal(e[1], 8);
        assert_int_equal(e[2], i);                          /* UID = vCPU ID */
        assert_int_equal(e[3], i);                          /* APIC ID = vCPU ID */
        assert_int_equal(u32(e + 4), 1);                    /* enabled */
    }
}

static void test_one_vcpu(void **state) { test_tables_for(1); }
static void test_four_vcpus(void **state) { test_tables_for(4); }
static void test_many_vcpus(void **state) { test_tables_for(64); }

static void test_bad_counts(void **state)
{
    assert_int_equal(acpi_build_tables(buf, BASE, 0), 0);
    assert_int_equal(acpi_build_tables(buf, BASE, 256), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_vcpu),
        cmocka_unit_test(test_four_vcpus),
        cmocka_unit_test(test_many_vcpus),
        cmocka_unit_test(test_bad_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

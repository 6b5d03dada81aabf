/* ACPI tables for PVH guests (see keel/acpi_build.h). */
#include <keel/acpi_build.h>
#include <keel/compiler.h>
#include <keel/lib.h>

struct acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __packed;
STATIC_ASSERT(sizeof(struct acpi_header) == 36);

struct rsdp {
    char sig[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum, reserved[3];
} __packed;
STATIC_ASSERT(sizeof(struct rsdp) == 36);

/* Offsets in the FADT (ACPI 6.x, 276 bytes) that Keel fills. */
#define FADT_LENGTH          276
#define FADT_DSDT            40
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_MINOR_REVISION  131
#define FADT_X_DSDT          140
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_SLEEP_CONTROL   244
#define FADT_SLEEP_STATUS    256
#define FADT_HV_VENDOR       268
#define FADT_RESET_REG_SUP   (1u << 10)
#define BOOT_ARCH_NO_VGA     (1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1u << 5)
#define FADT_HW_REDUCED      (1u << 20)

#define MADT_LAPIC_ADDR      0xfee00000u

static uint8_t checksum(const void *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return (uint8_t)-sum;
}

static void header(void *at, const char *sig, uint32_t length, uint8_t revision)
{
    struct acpi_header *h = at;
    memcpy(h->sig, sig, 4);
    h->length = length;
    h->revision = revision;
    memcpy(h->oem_id, "KEEL  ", 6);
    memcpy(h->oem_table_id, "KEELPVH ", 8);
    h->oem_revision = 1;
    memcpy(&h->creator_id, "KEEL", 4);
    h->creator_revision = 1;
}

static void gas_io8(uint8_t *at, uint16_t port)
{
    uint64_t addr = port;
    at[0] = 1;                      /* system I/O space */
    at[1] = 8;                      /* bit width */
    at[2] = 0;                      /* bit offset */
    at[3] = 1;                      /* byte access */
    memcpy(at + 4, &addr, 8);
}

static void seal(void *at)
{
    struct acpi_header *h = at;
    h->checksum = 0;
    h->checksum = checksum(h, h->length);
}

size_t acpi_build_tables(void *buf, uint64_t base, unsigned int nr_vcpus)
{
    uint8_t *b = buf;
    /* Offsets within the area; each table 64-byte aligned. */
    const size_t rsdp_off = 0, xsdt_off = 0x40, fadt_off = 0x80, dsdt_off = 0x200,
                 madt_off = 0x240;
    size_t madt_len = 44 + 8 * (size_t)nr_vcpus;

    if (!nr_vcpus || nr_vcpus > 255 || madt_off + madt_len > ACPI_GUEST_SIZE)
        return 0;
    memset(b, 0, ACPI_GUEST_SIZE);

    /* DSDT: just Name(_S5, Package() {S5, S5, 0, 0}), so the guest knows
     * the sleep type that powers off. */
    static const uint8_t s5[] = {
        0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
        0x0a, ACPI_SLP_TYP_S5, 0x0a, ACPI_SLP_TYP_S5, 0x00, 0x00,
    };
    header(b + dsdt_off, "DSDT", 36 + sizeof(s5), 2);
    memcpy(b + dsdt_off + 36, s5, sizeof(s5));
    seal(b + dsdt_off);

    /* FADT: hardware-reduced, no VGA, no CMOS RTC, no PM timer. */
    uint8_t *f = b + fadt_off;
    header(f, "FACP", FADT_LENGTH, 6);
    uint32_t dsdt32 = (uint32_t)(base + dsdt_off), flags = FADT_HW_REDUCED | FADT_RESET_REG_SUP;
    uint16_t boot_arch = BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC;
    uint64_t dsdt64 = base + dsdt_off;
    memcpy(f + FADT_DSDT, &dsdt32, 4);
    memcpy(f + FADT_IAPC_BOOT_ARCH, &boot_arch, 2);
    memcpy(f + FADT_FLAGS, &flags, 4);
    f[FADT_MINOR_REVISION] = 0;
    memcpy(f + FADT_X_DSDT, &dsdt64, 8);
    memcpy(f + FADT_HV_VENDOR, "KeelKeel", 8);
    /* Generic addresses (system I/O, 8 bits): sleep control/status, reset. */
    gas_io8(f + FADT_SLEEP_CONTROL, ACPI_SLEEP_CONTROL_PORT);
    gas_io8(f + FADT_SLEEP_STATUS, ACPI_SLEEP_STATUS_PORT);
    gas_io8(f + FADT_RESET_REG, ACPI_RESET_PORT);
    f[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
    seal(f);

    /* MADT: one enabled local APIC per vCPU; no I/O APIC, no legacy PIC. */
    uint8_t *m = b + madt_off;
    header(m, "APIC", (uint32_t)madt_len, 4);
    uint32_t lapic = MADT_LAPIC_ADDR;
    memcpy(m + 36, &lapic, 4);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        uint8_t *e = m + 44 + 8 * i;
        uint32_t enabled = 1;
        e[0] = 0;                   /* processor local APIC */
        e[1] = 8;
        e[2] = (uint8_t)i;          /* ACPI processor UID = vCPU ID */
        e[3] = (uint8_t)i;          /* APIC ID = vCPU ID */
        memcpy(e + 4, &enabled, 4);
    }
    seal(m);

    /* XSDT: FADT and MADT. */
    uint8_t *x = b + xsdt_off;
    header(x, "XSDT", 36 + 16, 1);
    uint64_t fadt_pa = base + fadt_off, madt_pa = base + madt_off;
    memcpy(x + 36, &fadt_pa, 8);
    memcpy(x + 44, &madt_pa, 8);
    seal(x);

    /* RSDP, ACPI 2.0: both checksums. */
    struct rsdp *r = (struct rsdp *)(b + rsdp_off);
    memcpy(r->sig, "RSD PTR ", 8);
    memcpy(r->oem_id, "KEEL  ", 6);
    r->revision = 2;
    r->length = sizeof(*r);
    r->xsdt = base + xsdt_off;
    r->checksum = checksum(r, 20);
    r->ext_checksum = checksum(r, sizeof(*r));
    return madt_off + madt_len;
}

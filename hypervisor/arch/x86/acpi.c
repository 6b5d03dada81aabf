/*
 * ACPI table reading: find the RSDP (the Multiboot2 copy, else the BIOS
 * areas), walk the XSDT/RSDT, take the CPU list from the MADT and the S5
 * power-off registers from the FADT and the DSDT's \_S5 package.  Every
 * table's length and checksum is checked before use.
 */
#include <keel/lib.h>
#include <keel/printk.h>
#include <asm/acpi.h>
#include <asm/io.h>
#include <asm/page.h>
#include <asm/paging.h>

#define TABLE_MAX_LEN (4u << 20)

struct acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

struct acpi_info acpi;

static bool checksum_ok(const void *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += ((const uint8_t *)p)[i];
    return sum == 0;
}

static const uint8_t *find_rsdp_in(paddr_t start, size_t len)
{
    const uint8_t *p = maddr_to_virt(start);
    for (size_t off = 0; off + 20 <= len; off += 16)
        if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
            return p + off;
    return NULL;
}

static const uint8_t *find_rsdp(const struct boot_info *bi)
{
    if (bi->have_rsdp && !memcmp(bi->rsdp, "RSD PTR ", 8) && checksum_ok(bi->rsdp, 20))
        return bi->rsdp;
    paddr_t ebda = (paddr_t)(*(const uint16_t *)maddr_to_virt(0x40e)) << 4;
    const uint8_t *r = NULL;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        r = find_rsdp_in(ebda, 1024);
    return r ? r : find_rsdp_in(0xe0000, 0x20000);
}

/* Map a whole table after checking its header; NULL if it is not sane. */
static const struct acpi_header *map_table(paddr_t pa)
{
    const struct acpi_header *h = vmap_cached(pa, sizeof(*h));
    if (!h || h->length < sizeof(*h) || h->length > TABLE_MAX_LEN)
        return NULL;
    h = vmap_cached(pa, h->length);
    if (!h || !checksum_ok(h, h->length)) {
        pr_warn("ACPI: table at %lx has a bad checksum; ignored\n", pa);
        return NULL;
    }
    return h;
}

static void parse_madt(const struct acpi_header *h)
{
    const uint8_t *p = (const uint8_t *)h + 44, *end = (const uint8_t *)h + h->length;

    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        uint32_t id = 0, flags = 0;
        bool cpu = false;
        if (p[0] == 0 && p[1] >= 8) {           /* processor local APIC */
            id = p[3];
            memcpy(&flags, p + 4, 4);
            cpu = true;
        } else if (p[0] == 9 && p[1] >= 16) {   /* processor local x2APIC */
            memcpy(&id, p + 4, 4);
            memcpy(&flags, p + 8, 4);
            cpu = true;
        }
        if (cpu && (flags & 1)) {
            if (acpi.nr_cpus < NR_CPUS)
                acpi.apic_ids[acpi.nr_cpus++] = id;
            else
                acpi.cpus_ignored++;
        }
        p += p[1];
    }
}

/* SLP_TYPa/b from the DSDT's \_S5 package: Name(_S5, Package() {a, b, ...}). */
static void parse_s5(const struct acpi_header *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt, *end = p + dsdt->length;

    for (p += sizeof(*dsdt); p + 8 < end; p++) {
        if (memcmp(p, "_S5_", 4) || p[4] != 0x12)   /* PackageOp */
            continue;
        const uint8_t *q = p + 5;
        q += 1 + (q[0] >> 6);                       /* PkgLength */
        q++;                                        /* NumElements */
        uint16_t v[2] = { 0, 0 };
        for (int i = 0; i < 2 && q < end; i++) {
            if (*q == 0x0a && q + 1 < end) {        /* BytePrefix */
                v[i] = q[1];
                q += 2;
            } else {
                v[i] = *q == 0x01 ? 1 : 0;          /* One / Zero */
                q++;
            }
        }
        acpi.slp_typ_s5a = v[0];
        acpi.slp_typ_s5b = v[1];
        return;
    }
    pr_warn("ACPI: no \\_S5 in the DSDT; assuming SLP_TYP 0 for power-off\n");
}

static void parse_fadt(const struct acpi_header *h)
{
    const uint8_t *f = (const uint8_t *)h;
    uint32_t dsdt32 = 0, pm1a = 0, pm1b = 0;
    uint64_t dsdt = 0;

    if (h->length < 116)
        return;
    memcpy(&dsdt32, f + 40, 4);
    memcpy(&acpi.smi_cmd, f + 48, 4);
    acpi.acpi_enable = f[52];
    memcpy(&pm1a, f + 64, 4);
    memcpy(&pm1b, f + 68, 4);
    dsdt = dsdt32;
    if (h->length >= 148)
        memcpy(&dsdt, f + 140, 8);                  /* X_DSDT */
    if (!dsdt)
        dsdt = dsdt32;
    acpi.pm1a_cnt = pm1a <= 0xffff ? pm1a : 0;
    acpi.pm1b_cnt = pm1b <= 0xffff ? pm1b : 0;

    const struct acpi_header *d = dsdt ? map_table(dsdt) : NULL;
    if (d && !memcmp(d->sig, "DSDT", 4))
        parse_s5(d);
}

void acpi_init(const struct boot_info *bi)
{
    const uint8_t *rsdp = find_rsdp(bi);
    const struct acpi_header *root;
    size_t entry_size;

    if (!rsdp) {
        pr_warn("ACPI: no RSDP found: one CPU, no ACPI power-off\n");
        return;
    }
    uint32_t rsdt;
    uint64_t xsdt = 0;
    memcpy(&rsdt, rsdp + 16, 4);
    if (rsdp[15] >= 2)
        memcpy(&xsdt, rsdp + 24, 8);
    root = map_table(xsdt ? xsdt : rsdt);
    entry_size = xsdt ? 8 : 4;
    if (!root) {
        pr_warn("ACPI: root table unreadable: one CPU, no ACPI power-off\n");
        return;
    }
    acpi.found = true;

    size_t n = (root->length - sizeof(*root)) / entry_size;
    for (size_t i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, (const uint8_t *)root + sizeof(*root) + i * entry_size, entry_size);
        const struct acpi_header *t = pa ? map_table(pa) : NULL;
        if (!t)
            continue;
        if (!memcmp(t->sig, "APIC", 4))
            parse_madt(t);
        else if (!memcmp(t->sig, "FACP", 4))
            parse_fadt(t);
    }
    pr_info("ACPI: %u CPUs in the MADT%s, PM1a control at 0x%x\n", acpi.nr_cpus,
            acpi.cpus_ignored ? " (more than Keel supports; extra ignored)" : "",
            acpi.pm1a_cnt);
}

#define PM1_SCI_EN  (1u << 0)
#define PM1_SLP_EN  (1u << 13)

void acpi_poweroff(void)
{
    if (!acpi.pm1a_cnt)
        return;
    /* Hand ACPI control from SMM to the OS first if the firmware has not. */
    if (!(inw(acpi.pm1a_cnt) & PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable &&
        acpi.smi_cmd <= 0xffff) {
        outb(acpi.smi_cmd, acpi.acpi_enable);
        for (int i = 0; i < 1000000 && !(inw(acpi.pm1a_cnt) & PM1_SCI_EN); i++)
            ;
    }
    outw(acpi.pm1a_cnt, (acpi.slp_typ_s5a << 10) | PM1_SLP_EN);
    if (acpi.pm1b_cnt)
        outw(acpi.pm1b_cnt, (acpi.slp_typ_s5b << 10) | PM1_SLP_EN);
}

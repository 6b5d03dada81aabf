/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables, in whichever paging mode its vCPU is in: paging off,
 * 32-bit (with 4 MiB pages), PAE, or 4-level long mode.  Every table entry
 * is read through the P2M-checked copy helper, so a guest whose tables
 * point outside its RAM just gets -EFAULT.  Accessed/dirty bits are not
 * set (hypervisor accesses are not meant to be visible to the guest).
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <asm/boot.h>
#include <asm/hvm.h>

#define EFER_LMA   (1u << 10)
#define ADDR_MASK  0x000ffffffffff000ULL

static int read_entry(struct domain *d, uint64_t gpa, unsigned int size, uint64_t *e)
{
    *e = 0;
    return copy_from_gpa(d, e, gpa, size);
}

/* Present and, for a write under CR0.WP, writable. */
static bool entry_ok(uint64_t e, bool write, bool wp)
{
    return (e & PTE_P) && (!write || !wp || (e & PTE_W));
}

static int walk_32bit(struct domain *d, uint64_t cr3, uint64_t cr4, uint32_t va,
                      bool write, bool wp, uint64_t *gpa)
{
    uint64_t pde, pte;

    if (read_entry(d, (cr3 & 0xfffff000) + (va >> 22) * 4, 4, &pde) < 0 ||
        !entry_ok(pde, write, wp))
        return -EFAULT;
    if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
        /* 4 MiB page; bits 20:13 extend the address (PSE-36). */
        *gpa = (pde & 0xffc00000) | ((pde & 0x1fe000) << 19) | (va & 0x3fffff);
        return 0;
    }
    if (read_entry(d, (pde & 0xfffff000) + ((va >> 12) & 1023) * 4, 4, &pte) < 0 ||
        !entry_ok(pte, write, wp))
        return -EFAULT;
    *gpa = (pte & 0xfffff000) | (va & 0xfff);
    return 0;
}

/* PAE and long mode share the 8-byte format; long mode adds levels. */
static int walk_64bit_entries(struct domain *d, uint64_t table, uint64_t va,
                              int top_level, bool write, bool wp, uint64_t *gpa)
{
    for (int level = top_level; level >= 0; level--) {
        uint64_t e;
        unsigned int idx = (va >> (12 + 9 * level)) & 511;
        if (read_entry(d, table + idx * 8, 8, &e) < 0 || !entry_ok(e, write, wp))
            return -EFAULT;
        if (level > 0 && level <= 2 && (e & PTE_PS)) {
            uint64_t page = 1ULL << (12 + 9 * level);
            *gpa = (e & ADDR_MASK & ~(page - 1)) | (va & (page - 1));
            return 0;
        }
        table = e & ADDR_MASK;
    }
    *gpa = table | (va & 0xfff);
    return 0;
}

int guest_virt_to_phys(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
    struct domain *d = v->domain;
    uint64_t cr0, cr3, cr4, efer;

    hvm->get_paging(v, &cr0, &cr3, &cr4, &efer);
    bool wp = cr0 & CR0_WP;

    if (!(cr0 & CR0_PG)) {
        *gpa = (efer & EFER_LMA) ? gva : (gva & 0xffffffff);
        return 0;
    }
    if (efer & EFER_LMA) {
        /* Canonical: bits 63:47 all equal. */
        if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
            return -EFAULT;
        return walk_64bit_entries(d, cr3 & ADDR_MASK, gva, 3, write, wp, gpa);
    }
    if (gva >> 32)
        return -EFAULT;
    if (!(cr4 & CR4_PAE))
        return walk_32bit(d, cr3, cr4, (uint32_t)gva, write, wp, gpa);

    /* PAE: four PDPTEs at CR3[31:5], then the 8-byte levels below. */
    uint64_t pdpte;
    if (read_entry(d, (cr3 & 0xffffffe0) + (gva >> 30) * 8, 8, &pdpte) < 0 ||
        !(pdpte & PTE_P))
        return -EFAULT;
    return walk_64bit_entries(d, pdpte & ADDR_MASK, gva, 1, write, wp, gpa);
}

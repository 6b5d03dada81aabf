/*
 * Guest MSRs.  Those VMRUN/VMLOAD switch (FS/GS bases, syscall MSRs) never
 * exit; the rest come here.  An allow-list: EFER, PAT and the TSC through
 * the vendor's state; APIC base and MTRRs read as fixed values; Xen's
 * hypercall-page MSR.  Anything else is #GP for the guest, logged once per
 * domain and MSR.
 */
#include <keel/domain.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <asm/boot.h>
#include <asm/hvm.h>
#include <asm/msr.h>
#include <asm/vlapic.h>
#include <asm/processor.h>

#define MSR_TSC             0x00000010
#define MSR_MTRR_CAP        0x000000fe
#define MSR_MTRR_DEF_TYPE   0x000002ff
#define MSR_PAT             0x00000277
#define MSR_XEN_HYPERCALL   0x40000000
#define APIC_DEFAULT_BASE   0xfee00000ULL

#define HYPERCALL_STUB_SIZE 32
#define HYPERCALL_IRET      23      /* not for HVM guests: ud2 there */

/* Xen's hypercall page for AMD: "mov $nr, %eax; vmmcall; ret" per 32 bytes. */
static int write_hypercall_page(struct vcpu *v, uint64_t val)
{
    static uint8_t page[PAGE_SIZE];
    static bool built;

    if (val & (PAGE_SIZE - 1))      /* only page 0 of 1 exists */
        return -1;
    if (!built) {
        memset(page, 0xcc, sizeof(page));           /* int3 in the gaps */
        for (uint32_t nr = 0; nr < PAGE_SIZE / HYPERCALL_STUB_SIZE; nr++) {
            uint8_t *p = page + nr * HYPERCALL_STUB_SIZE;
            p[0] = 0xb8;
            memcpy(p + 1, &nr, 4);
            p[5] = 0x0f, p[6] = 0x01, p[7] = 0xd9;  /* vmmcall */
            p[8] = 0xc3;                            /* ret */
        }
        page[HYPERCALL_IRET * HYPERCALL_STUB_SIZE] = 0x0f;  /* ud2 */
        page[HYPERCALL_IRET * HYPERCALL_STUB_SIZE + 1] = 0x0b;
        built = true;
    }
    return copy_to_gpa(v->domain, val, page, PAGE_SIZE) < 0 ? -1 : 0;
}

/* Each PAT entry must be a defined memory type (0, 1, 4, 5, 6, 7). */
static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        uint8_t t = (pat >> (8 * i)) & 0xff;
        if (t > 7 || t == 2 || t == 3)
            return false;
    }
    return true;
}

/*
 * Each unknown MSR once per domain, and only the first few of them: a
 * guest probing thousands of MSRs must not flood the hypervisor console
 * (every line is serial output all domains wait for).
 */
static void log_unknown_once(struct vcpu *v, uint32_t msr, bool write)
{
    struct arch_domain *a = &v->domain->arch;

    /* nr_msr_logged is one past the table once it is full and said so. */
    for (unsigned int i = 0; i < MIN(a->nr_msr_logged, ARRAY_SIZE(a->msr_logged)); i++)
        if (a->msr_logged[i] == msr)
            return;
    if (a->nr_msr_logged > ARRAY_SIZE(a->msr_logged))
        return;
    if (a->nr_msr_logged == ARRAY_SIZE(a->msr_logged)) {
        a->nr_msr_logged++;
        pr_info("d%u %s: more unknown MSRs refused (#GP); not logged any more\n",
                v->domain->domain_id, v->domain->name);
        return;
    }
    a->msr_logged[a->nr_msr_logged++] = msr;
    pr_info("d%u %s: %s of MSR 0x%x refused (#GP); further ones not logged\n",
            v->domain->domain_id, v->domain->name, write ? "write" : "read", msr);
}

int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr >= 0x800 && msr <= 0x8ff)
        return vlapic_msr_read(v, msr, val);
    switch (msr) {
    case MSR_EFER:
        *val = hvm->get_efer(v);
        return 0;
    case MSR_PAT:
        *val = hvm->get_pat(v);
        return 0;
    case MSR_TSC:
        *val = rdtsc() + hvm->get_tsc_offset(v);
        return 0;
    case MSR_APIC_BASE:
        *val = v->arch.vlapic.apic_base;
        return 0;
    case MSR_MTRR_CAP:
    case MSR_MTRR_DEF_TYPE:
        *val = 0;                   /* no MTRRs: memory is write-back */
        return 0;
    }
    log_unknown_once(v, msr, false);
    return -1;
}

int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr >= 0x800 && msr <= 0x8ff)
        return vlapic_msr_write(v, msr, val);
    switch (msr) {
    case MSR_APIC_BASE:
        /* Only x2APIC mode exists here: it must stay enabled, at its address. */
        if ((val & ~APIC_BASE_BSP) != (APIC_DEFAULT_BASE | APIC_BASE_ENABLE | APIC_BASE_X2APIC))
            return -1;
        return 0;
    case MSR_EFER:
        return hvm->set_efer(v, val);
    case MSR_PAT:
        if (!pat_valid(val))
            return -1;
        hvm->set_pat(v, val);
        return 0;
    case MSR_TSC:
        hvm->set_tsc_offset(v, val - rdtsc());
        domain_update_vcpu_time(v);     /* the pvclock is in guest TSC units */
        return 0;
    case MSR_XEN_HYPERCALL:
        return write_hypercall_page(v, val);
    case MSR_MTRR_DEF_TYPE:
        return val == 0 ? 0 : -1;
    }
    log_unknown_once(v, msr, true);
    return -1;
}

/*
 * What a guest sees in CPUID: the host's view minus what Keel does not
 * give guests (SVM/VMX, XSAVE and the AVX family that needs it, MONITOR),
 * x2APIC added (the virtual APIC has only that mode), the hypervisor bit set and Xen's leaves at 0x40000000:
 * signature, version, hypercall page MSR, HVM features with vCPU and
 * domain IDs.
 */
#include <keel/domain.h>
#include <asm/hvm.h>
#include <keel/hypercall.h>
#include <asm/processor.h>
#include <asm/time.h>
#include <public/xen.h>

#define XEN_LEAF_BASE      XEN_CPUID_LEAF_BASE
#define XEN_LEAF_COUNT     (XEN_CPUID_MAX_NUM_LEAVES + 1)  /* base+0 .. base+5, as Xen 4.17 */

/* Leaf 1 ECX bits hidden from guests. */
#define L1C_MONITOR  (1u << 3)
#define L1C_VMX      (1u << 5)
#define L1C_X2APIC   (1u << 21)
#define L1C_XSAVE    (1u << 26)
#define L1C_OSXSAVE  (1u << 27)
#define L1C_AVX      (1u << 28)
#define L1C_HV       (1u << 31)
#define L1D_MCE      (1u << 7)
#define L1D_MCA      (1u << 14)
/* Leaf 7 EBX bits that need XSAVE state: AVX2, AVX-512 family. */
#define L7B_XSAVE_DEPENDENT ((1u << 5) | 0xdc230000u)
/* Leaf 0x80000001 ECX */
#define E1C_SVM      (1u << 2)

static void xen_leaves(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t *a, uint32_t *b,
                       uint32_t *c, uint32_t *d)
{
    switch (leaf - XEN_LEAF_BASE) {
    case 0:
        *a = XEN_LEAF_BASE + XEN_CPUID_MAX_NUM_LEAVES;
        *b = XEN_CPUID_SIGNATURE_EBX;
        *c = XEN_CPUID_SIGNATURE_ECX;
        *d = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        *a = (KEEL_XEN_MAJOR << 16) | KEEL_XEN_MINOR;
        break;
    case 2:
        *a = 1;                     /* hypercall pages */
        *b = XEN_MSR_HYPERCALL_PAGE;
        break;
    case XEN_CPUID_LEAF_HVM:
        if (subleaf == 0) {         /* Xen fills sub-leaf 0 only */
            *a = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT;
            *b = v->vcpu_id;
            *c = v->domain->domain_id;
        }
        break;
    case 3:                         /* TSC: native (not emulated), its rate */
        if (subleaf == 0 || subleaf == 2)
            *c = (uint32_t)(tsc_hz / 1000);
        break;
    default:                        /* 5 (PV): nothing to report */
        break;
    }
}

void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
               uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a = *b = *c = *d = 0;
    if (leaf >= XEN_LEAF_BASE && leaf < XEN_LEAF_BASE + XEN_LEAF_COUNT) {
        xen_leaves(v, leaf, subleaf, a, b, c, d);
        return;
    }
    uint32_t max_basic = cpuid(0).eax, max_ext = cpuid(0x80000000).eax;
    if ((leaf < 0x80000000 && leaf > max_basic) || (leaf >= 0x80000000 && leaf > max_ext) ||
        (leaf > 0x40000000 && leaf < 0x80000000))
        return;                     /* beyond the ranges: zeros, as AMD does */

    struct cpuid_regs r = cpuid_count(leaf, subleaf);
    *a = r.eax, *b = r.ebx, *c = r.ecx, *d = r.edx;
    switch (leaf) {
    case 1:
        *c &= ~(L1C_MONITOR | L1C_VMX | L1C_XSAVE | L1C_OSXSAVE | L1C_AVX);
        *c |= L1C_HV | L1C_X2APIC;      /* the virtual APIC is x2APIC-only */
        *d &= ~(L1D_MCE | L1D_MCA);     /* no machine-check MSRs are emulated */
        /* Initial APIC ID: the vCPU ID; logical processor count: the domain's. */
        *b = (*b & 0x0000ffff) | (v->vcpu_id << 24) |
             ((v->domain->max_vcpus & 0xff) << 16);
        break;
    case 0xb:                       /* x2APIC topology: one thread per core */
        *d = v->vcpu_id;
        break;
    case 5:                         /* MONITOR/MWAIT: hidden */
    case 0xd:                       /* XSAVE: hidden */
        *a = *b = *c = *d = 0;
        break;
    case 7:
        if (subleaf == 0)
            *b &= ~L7B_XSAVE_DEPENDENT;
        break;
    case 0x80000001:
        *c &= ~E1C_SVM;
        break;
    case 0x8000000a:                /* SVM features: none */
        *a = *b = *c = *d = 0;
        break;
    }
}

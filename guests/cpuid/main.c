/*
 * cpuid: what Keel shows a PVH guest through CPUID.
 *  - Xen leaves at 0x40000000: "XenVMMXenVMM", max leaf >= base+4;
 *    base+1 version 4.17; base+2 one hypercall page through MSR 0x40000000;
 *    base+4 with the vCPU id (0) and domain id present.
 *  - leaf 0 vendor AuthenticAMD (so Linux uses VMMCALL);
 *    leaf 1 ECX bit 31 (hypervisor present) set;
 *    leaf 0x80000001 ECX bit 2 (SVM) clear: no nested virtualisation.
 * Prints "cpuid: domid=N" so the scenario can match it to Keel's dN.
 */
#include "guest.h"

#define CPUID1_ECX_HYPERVISOR   (1u << 31)
#define CPUID80000001_ECX_SVM   (1u << 2)

static void vendor_string(struct cpuid_regs r, char out[13])
{
    memcpy(out, &r.ebx, 4);
    memcpy(out + 4, &r.edx, 4);
    memcpy(out + 8, &r.ecx, 4);
    out[12] = '\0';
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    char s[13];

    vendor_string(cpuid(0), s);
    check(!strcmp(s, "AuthenticAMD"), "leaf 0 vendor \"%s\" is AuthenticAMD", s);
    uint32_t ecx = cpuid(1).ecx;
    check(ecx & CPUID1_ECX_HYPERVISOR, "leaf 1 ECX %#x has bit 31 (hypervisor)", ecx);
    ecx = cpuid(0x80000001).ecx;
    check(!(ecx & CPUID80000001_ECX_SVM), "leaf 0x80000001 ECX %#x has bit 2 (SVM) clear", ecx);

    if (!check(xen.present, "Xen signature found (base %#x)", xen.base))
        test_finish();
    uint32_t base = xen.base;
    struct cpuid_regs r = cpuid(base);
    check(base == XEN_CPUID_LEAF_BASE, "Xen leaves at %#x (want %#x)", base, XEN_CPUID_LEAF_BASE);
    check(r.eax >= base + XEN_CPUID_LEAF_HVM,
          "max leaf %#x >= base+%u (Xen 4.17: base+%u)", r.eax, XEN_CPUID_LEAF_HVM,
          XEN_CPUID_MAX_NUM_LEAVES);

    r = cpuid(base + XEN_CPUID_LEAF_VERSION);
    check(r.eax == XEN_CPUID_VERSION(4, 17), "base+1 version %u.%u is 4.17",
          r.eax >> 16, r.eax & 0xffff);

    r = cpuid(base + XEN_CPUID_LEAF_HYPERCALL);
    check(r.eax == XEN_CPUID_HYPERCALL_PAGES, "base+2 EAX hypercall pages %u is %u",
          r.eax, XEN_CPUID_HYPERCALL_PAGES);
    check(r.ebx == XEN_MSR_HYPERCALL_PAGE, "base+2 EBX hypercall MSR %#x is %#x",
          r.ebx, XEN_MSR_HYPERCALL_PAGE);

    if (xen.max_leaf >= base + XEN_CPUID_LEAF_HVM) {
        r = cpuid_count(base + XEN_CPUID_LEAF_HVM, 0);
        check(r.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT,
              "base+4 EAX %#x has VCPU_ID_PRESENT", r.eax);
        if (r.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT)
            check(r.ebx == 0, "base+4 EBX vCPU id %u is 0 (the boot vCPU)", r.ebx);
        check(r.eax & XEN_HVM_CPUID_DOMID_PRESENT, "base+4 EAX %#x has DOMID_PRESENT", r.eax);
        if (r.eax & XEN_HVM_CPUID_DOMID_PRESENT) {
            check(r.ecx < DOMID_FIRST_RESERVED, "base+4 ECX domid %u is a real domain id",
                  r.ecx);
            printf("cpuid: domid=%u\n", r.ecx);
        }
    }
}

/*
 * Finding the hypervisor through CPUID, its TSC frequency, and the
 * hypercall page.
 */
#include "guest.h"
#include <public/memory.h>
#include <public/shared_info.h>

bool hypercall_use_page;
/* Filled by the hypervisor when its gpa is written to the MSR. */
uint8_t hypercall_page[4096] __attribute__((aligned(4096), section(".bss.hypercall_page")));

uint32_t xen_cpuid_base(void)
{
    for (uint32_t base = XEN_CPUID_LEAF_BASE; base <= XEN_CPUID_LEAF_BASE_LAST;
         base += XEN_CPUID_LEAF_BASE_STEP) {
        struct cpuid_regs r = cpuid(base);

        /* Linux also wants leaves up to base+2 (the hypercall MSR). */
        if (r.ebx == XEN_CPUID_SIGNATURE_EBX && r.ecx == XEN_CPUID_SIGNATURE_ECX &&
            r.edx == XEN_CPUID_SIGNATURE_EDX && r.eax >= base + 2 &&
            r.eax - base < XEN_CPUID_LEAF_BASE_STEP)
            return base;
    }
    return 0;
}

uint32_t xen_domid(void)
{
    return cpuid(xen.base + XEN_CPUID_LEAF_HVM).ecx;
}

uint32_t xen_tsc_khz(void)
{
    if (!xen.present || xen.max_leaf < xen.base + XEN_CPUID_LEAF_TIME)
        return 0;
    return cpuid_count(xen.base + XEN_CPUID_LEAF_TIME, 0).ecx;
}

uint64_t tsc_khz_or_guess(void)
{
    uint32_t khz = xen_tsc_khz();

    /* Only durations depend on it, never a pass/fail verdict. */
    return khz ? khz : 2000000;
}

void delay_ms(uint64_t ms)
{
    uint64_t end = rdtsc() + ms * tsc_khz_or_guess();

    while (rdtsc() < end)
        cpu_relax();
}

int hypercall_page_install(void)
{
    if (!xen.present)
        return -1;
    uint32_t msr = cpuid(xen.base + XEN_CPUID_LEAF_HYPERCALL).ebx;
    uint64_t gpa = (uintptr_t)hypercall_page;   /* identity mapped */

#ifdef __x86_64__
    if (wrmsr_safe(msr, gpa))
        return -2;
#else
    wrmsr(msr, gpa);
#endif
    hypercall_use_page = true;
    return 0;
}

/* Map shared_info over the last page of RAM (nothing of ours lives there). */
struct shared_info *map_shared_info(void)
{
    uint64_t gpa = ram_top() - PAGE_SIZE;
#ifdef __x86_64__
    struct xen_add_to_physmap x = {
#else
    struct compat_xen_add_to_physmap x = {     /* 32-bit callers' layout */
#endif
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
        .idx = 0, .gpfn = gpa / PAGE_SIZE,
    };
    long rc = hypercall(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
                        (unsigned long)&x, 0, 0, 0);
    if (rc)
        test_fail("add_to_physmap(shared_info, gpfn %#lx) = %ld", (unsigned long)x.gpfn, rc);
    return (struct shared_info *)(uintptr_t)gpa;
}

/* (delta * mul) >> 32 in 64-bit arithmetic: the 32-bit build has no
 * 128-bit type, and the product of two 32-bit halves fits in 64 bits. */
static uint64_t scale_delta(uint64_t delta, uint32_t mul)
{
    uint64_t lo = (uint64_t)(uint32_t)delta * mul, hi = (delta >> 32) * mul;

    return hi + (lo >> 32);
}

uint64_t pvclock_now(const volatile struct vcpu_time_info *t)
{
    uint32_t ver;
    uint64_t ns;

    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        uint64_t delta = rdtsc() - t->tsc_timestamp;
        delta = t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
        ns = t->system_time + scale_delta(delta, t->tsc_to_system_mul);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((ver & 1) || ver != t->version);
    return ns;
}

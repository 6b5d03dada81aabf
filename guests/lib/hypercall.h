/*
 * Xen hypercalls from an HVM/PVH guest.
 *
 * 64-bit: RAX = number, arguments in RDI RSI RDX R10 R8, result in RAX.
 * 32-bit: EAX = number, arguments in EBX ECX EDX ESI EDI, result in EAX.
 * The argument registers may come back changed; every other register must
 * be preserved (the constraints below tell the compiler exactly that, so a
 * hypervisor that clobbers more breaks the guest visibly).
 *
 * Two ways in: VMMCALL directly (Keel reports AuthenticAMD, so VMMCALL is
 * the instruction its SVM intercepts), or a call to the hypercall page at
 * page + nr * 32 once hypercall_page_install() has registered it.  The page
 * stubs load EAX themselves and return with RET.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <public/xen.h>

/* Set by hypercall_page_install(); read by every wrapper. */
extern bool hypercall_use_page;
extern uint8_t hypercall_page[4096];

#ifdef __x86_64__

static inline long hypercall_vmmcall(unsigned long nr, unsigned long a1,
                                     unsigned long a2, unsigned long a3,
                                     unsigned long a4, unsigned long a5)
{
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;
    long ret;

    asm volatile("vmmcall"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : "0"(nr)
                 : "memory");
    return ret;
}

static inline long hypercall_via_page(unsigned long nr, unsigned long a1,
                                      unsigned long a2, unsigned long a3,
                                      unsigned long a4, unsigned long a5)
{
    register unsigned long r10 asm("r10") = a4;
    register unsigned long r8 asm("r8") = a5;
    unsigned long stub = (unsigned long)hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE;
    long ret;

    asm volatile("call *%%rax"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : "0"(stub)
                 : "memory");
    return ret;
}

#else /* 32-bit */

static inline long hypercall_vmmcall(unsigned long nr, unsigned long a1,
                                     unsigned long a2, unsigned long a3,
                                     unsigned long a4, unsigned long a5)
{
    long ret;

    asm volatile("vmmcall"
                 : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                 : "0"(nr)
                 : "memory");
    return ret;
}

static inline long hypercall_via_page(unsigned long nr, unsigned long a1,
                                      unsigned long a2, unsigned long a3,
                                      unsigned long a4, unsigned long a5)
{
    unsigned long stub = (unsigned long)hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE;
    long ret;

    asm volatile("call *%%eax"
                 : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                 : "0"(stub)
                 : "memory");
    return ret;
}

#endif

/*
 * Raw entry: any number, any arguments (the hostile guest sends bad ones).
 * Numbers outside the page's 128 stubs always go through VMMCALL.
 */
static inline long hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
                             unsigned long a3, unsigned long a4, unsigned long a5)
{
    if (hypercall_use_page && nr < XEN_HYPERCALL_PAGE_STUBS)
        return hypercall_via_page(nr, a1, a2, a3, a4, a5);
    return hypercall_vmmcall(nr, a1, a2, a3, a4, a5);
}

static inline long HYPERVISOR_console_io(int cmd, unsigned int count, const void *buf)
{
    return hypercall(__HYPERVISOR_console_io, (unsigned long)cmd, count,
                     (unsigned long)buf, 0, 0);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_xen_version, (unsigned long)cmd,
                     (unsigned long)arg, 0, 0, 0);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_sched_op, (unsigned long)cmd,
                     (unsigned long)arg, 0, 0, 0);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, (unsigned long)cmd,
                     (unsigned long)arg, 0, 0, 0);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu,
                     (unsigned long)arg, 0, 0);
}

/*
 * Find Xen's CPUID leaves, register hypercall_page through the MSR that
 * leaf base+2 names and route later hypercalls through it.  0 on success,
 * or a negative value: -1 no Xen leaves, -2 the MSR write faulted (64-bit
 * only; a 32-bit guest takes the #GP).
 */
int hypercall_page_install(void);

#endif

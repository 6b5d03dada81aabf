/*
 * hcpage: the hypercall page, as older Linux 6.1 kernels use it.  Writes
 * to the MSR that CPUID base+2 names must fault (#GP) for a non-zero page
 * index, a frame that is not RAM and an MSR beyond the page count (Xen's
 * rules); a good write must fill the page with stubs that reach the same
 * hypercalls as VMMCALL.  The report itself then goes through the page.
 */
#include "guest.h"
#include <public/version.h>

#define GP_FAULT (0x100 | 13)

void guest_main(const struct hvm_start_info *si)
{
    (void)si;

    if (!xen.present)
        test_fail("no Xen CPUID leaves: nothing to test");
    struct cpuid_regs r = cpuid(xen.base + XEN_CPUID_LEAF_HYPERCALL);
    uint32_t msr = r.ebx;
    uint64_t page = (uintptr_t)hypercall_page;
    printf("hcpage: MSR %#x, %u page(s), page at %#lx\n", msr, r.eax, (unsigned long)page);

    check_ret(wrmsr_safe(msr, page | 1), GP_FAULT, "wrmsr(%#x, page | 1) (page index 1)", msr);
    uint64_t hole = gpa_outside_memmap(ram_top());
    check_ret(wrmsr_safe(msr, hole), GP_FAULT, "wrmsr(%#x, %#lx) (not RAM)", msr,
              (unsigned long)hole);
    check_ret(wrmsr_safe(msr + r.eax, page), GP_FAULT, "wrmsr(%#x, page) (beyond the pages)",
              msr + r.eax);

    bool blank = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        blank &= hypercall_page[i] == 0;
    check(blank, "the page is untouched before the MSR write");

    long direct = HYPERVISOR_xen_version(XENVER_version, NULL);
    if (!check_ret(hypercall_page_install(), 0, "wrmsr(%#x, %#lx) and switch to the page",
                   msr, (unsigned long)page))
        test_finish();
    blank = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        blank &= hypercall_page[i] == 0;
    if (!check(!blank, "the hypervisor filled the page"))
        test_finish();      /* calling an empty page would run zeros */

    check_ret(HYPERVISOR_xen_version(XENVER_version, NULL), direct,
              "xen_version(XENVER_version) through the page equals VMMCALL's");
    check_ret(hypercall_via_page(63, 0, 0, 0, 0, 0), -XEN_ENOSYS,
              "hypercall 63 through the page");
    static const char msg[] = "hcpage: this line came through the hypercall page\n";
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0,
              "console_io(write) through the page");
    /* test_finish() reports and shuts down through the page as well. */
}

/*
 * hello32: the 32-bit hypercall convention (EAX = number, arguments in EBX
 * ECX EDX ESI EDI) and Xen's 32-bit ("compat") structure layouts, from a
 * guest that stays in 32-bit protected mode with paging off (so pointers
 * are guest-physical).  Good calls must work, bad ones get Xen's errors.
 * The compat checks are built so that a hypervisor reading the 64-bit
 * layout gets a different answer.
 */
#include "guest.h"
#include <public/sched.h>
#include <public/version.h>

unsigned int hypercall_clobbers32(unsigned long nr, unsigned long a1);

static void good_calls(const char *how)
{
    check_ret(HYPERVISOR_xen_version(XENVER_version, NULL), XEN_CPUID_VERSION(4, 17),
              "%s: xen_version(version) is 4.17", how);
    check_ret(HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096,
              "%s: xen_version(pagesize)", how);

    struct xen_feature_info fi = { .submap_idx = 0 };
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0,
              "%s: xen_version(get_features, submap 0)", how);
    check(fi.submap & (1u << XENFEAT_auto_translated_physmap),
          "%s: features %#x include auto_translated_physmap", how, fi.submap);

    xen_extraversion_t extra;
    memset(extra, 0xee, sizeof(extra));
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, extra), 0,
              "%s: xen_version(extraversion)", how);
    check(strnlen(extra, sizeof(extra)) < sizeof(extra),
          "%s: extraversion \"%.16s\" is NUL-terminated", how, extra);

    char msg[80];
    int n = snprintf(msg, sizeof(msg), "hello32: console_io from 32-bit mode (%s)\n", how);
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, n, msg), 0, "%s: console_io(write)", how);
}

static void compat_layouts(void)
{
    /* 4 bytes in the compat ABI, 8 in the 64-bit one. */
    union {
        struct compat_platform_parameters p;
        uint8_t bytes[8];
    } pp;
    memset(&pp, 0xee, sizeof(pp));
    check_ret(HYPERVISOR_xen_version(XENVER_platform_parameters, &pp), 0,
              "xen_version(platform_parameters)");
    check(pp.bytes[4] == 0xee && pp.bytes[7] == 0xee,
          "platform_parameters wrote 4 bytes (compat virt_start), not 8");

    /* nr_ports 200 > 128 is -EINVAL in the compat layout.  Read as the
     * 64-bit layout, nr_ports would be timeout's low half (1) and ports a
     * pointer above 4 GiB: -EFAULT, so the two cannot be confused. */
    static evtchn_port_t ports[1];
    struct compat_sched_poll poll = {
        .ports = (uintptr_t)ports, .nr_ports = 200, .timeout = 1,
    };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL,
              "sched_op(poll, compat layout, 200 ports)");
}

static void bad_calls(unsigned long past)
{
    static const unsigned long nrs[] = { 1000, 63, 64, 0xffffffffu };

    for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++)
        check_ret(hypercall_vmmcall(nrs[i], 0, 0, 0, 0, 0), -XEN_ENOSYS,
                  "hypercall %#lx", nrs[i]);
    check_ret(HYPERVISOR_xen_version(99, NULL), -XEN_ENOSYS, "xen_version(99)");
    check_ret(HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS, "sched_op(99)");
    /* As on Xen: an unprivileged domain may only write; anything else is -EPERM. */
    check_ret(HYPERVISOR_console_io(99, 0, NULL), -XEN_EPERM, "console_io(99)");

    void *p = (void *)past;
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, p), -XEN_EFAULT,
              "xen_version(extraversion, past RAM %#lx)", past);
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, p), -XEN_EFAULT,
              "xen_version(get_features, past RAM)");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 16, p), -XEN_EFAULT,
              "console_io(write, 16, past RAM)");
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, p), -XEN_EFAULT, "sched_op(poll, past RAM)");
    check_ret(HYPERVISOR_sched_op(SCHEDOP_shutdown, p), -XEN_EFAULT,
              "sched_op(shutdown, past RAM)");
    /* 32-bit addresses wrap at 4 GiB: these run off the end of the space. */
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, (void *)0xfffffff8u), -XEN_EFAULT,
              "xen_version(extraversion, 0xfffffff8) crosses 4 GiB");
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, (void *)0xfffffffcu), -XEN_EFAULT,
              "xen_version(get_features, 0xfffffffc) crosses 4 GiB");

    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0, p), 0,
              "console_io(write, 0, past RAM): nothing to copy");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, p), -XEN_EFAULT,
              "console_io(write, 0x7fffffff, past RAM)");

    check(!hypercall_clobbers32(__HYPERVISOR_xen_version, XENVER_version),
          "xen_version(version) preserves EBP");
    check(!hypercall_clobbers32(1000, 0), "hypercall 1000 preserves EBP");
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;

    e9_printf("hello32: port 0xe9 from 32-bit mode\n");
    if (!xen.present)
        test_fail("no Xen CPUID leaves: nothing to test");
    unsigned long past = gpa_outside_memmap(ram_top());
    if (!ram_top() || past >= 0xfec00000ul)
        test_fail("hello32: cannot find RAM's end and a hole after it");

    good_calls("vmmcall");
    compat_layouts();
    bad_calls(past);
    if (!check_ret(hypercall_page_install(), 0, "hypercall page installed"))
        return;
    bool blank = true;
    for (unsigned int i = 0; i < PAGE_SIZE; i++)
        blank &= hypercall_page[i] == 0;
    if (check(!blank, "the hypervisor filled the hypercall page"))
        good_calls("hypercall page");
    else
        hypercall_use_page = false;     /* an empty page would run zeros */
}

/*
 * hostile: hypercalls with bad arguments, from a 64-bit guest.  Keel must
 * answer each with Xen's error (and keep running this domain and every
 * other): unknown hypercall numbers and sub-ops -ENOSYS, pointers it cannot
 * follow through this guest's page tables and P2M -EFAULT.  Also checks
 * that pointers are guest-virtual (read through our own mappings, honouring
 * not-present and read-only entries) and that a hypercall leaves every
 * non-argument register alone.  Each mismatch is printed; the report is
 * PASS only if there are none.
 */
#include "guest.h"
#include <public/sched.h>
#include <public/version.h>

unsigned int hypercall_clobbers(unsigned long nr, unsigned long a1);

/* Addresses no hypercall may follow (the identity map covers 0..4 GiB). */
#define GVA_UNMAPPED        0x200000000ul           /* 8 GiB: no PDPT entry */
#define GVA_HV_TEXT         0xffffffff80200000ul    /* where Keel's own code runs */
#define GVA_HV_DIRECTMAP    0xffff830000000000ul    /* Xen's direct map */
#define GVA_NONCANONICAL    0x0000800000000000ul
#define GVA_TOP             0xfffffffffffff000ul
/* A guest mapping of one of our pages at a hypervisor-looking address. */
#define GVA_ALIAS           GVA_HV_TEXT

static uint8_t alias_page[4096] __attribute__((aligned(4096)));

struct bad_ptr {
    const char *what;
    unsigned long gva;
};

static void bad_numbers(void)
{
    static const unsigned long nrs[] = {
        1000, 63, 64, 128, 0x80000000ul, ~0ul,
        /* xen_version with high bits set: the number is all of RAX */
        (1ul << 32) | __HYPERVISOR_xen_version,
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++)
        check_ret(hypercall_vmmcall(nrs[i], 0, 0, 0, 0, 0), -XEN_ENOSYS,
                  "hypercall %#lx", nrs[i]);
    check_ret(HYPERVISOR_xen_version(99, NULL), -XEN_ENOSYS, "xen_version(99)");
    check_ret(HYPERVISOR_xen_version(0x7fffffff, NULL), -XEN_ENOSYS, "xen_version(0x7fffffff)");
    check_ret(HYPERVISOR_xen_version(-1, NULL), -XEN_ENOSYS, "xen_version(-1)");
    check_ret(HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS, "sched_op(99)");
    check_ret(HYPERVISOR_sched_op(-1, NULL), -XEN_ENOSYS, "sched_op(-1)");
    /* As on Xen: an unprivileged domain may only write; anything else is -EPERM. */
    check_ret(HYPERVISOR_console_io(99, 0, NULL), -XEN_EPERM, "console_io(99)");
}

static void bad_pointers(const struct bad_ptr *bad, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        void *p = (void *)bad[i].gva;
        const char *w = bad[i].what;

        check_ret(HYPERVISOR_xen_version(XENVER_extraversion, p), -XEN_EFAULT,
                  "xen_version(extraversion, %s %#lx)", w, bad[i].gva);
        check_ret(HYPERVISOR_xen_version(XENVER_get_features, p), -XEN_EFAULT,
                  "xen_version(get_features, %s %#lx)", w, bad[i].gva);
        check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 16, p), -XEN_EFAULT,
                  "console_io(write, 16, %s %#lx)", w, bad[i].gva);
        check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, p), -XEN_EFAULT,
                  "sched_op(poll, %s %#lx)", w, bad[i].gva);
        /* If this one misreads memory, the domain shuts down and never
         * reports: the scenario sees no TEST PASS. */
        check_ret(HYPERVISOR_sched_op(SCHEDOP_shutdown, p), -XEN_EFAULT,
                  "sched_op(shutdown, %s %#lx)", w, bad[i].gva);
    }
}

/* Buffers that start in RAM and run past its end. */
static void straddling(uint64_t top)
{
    static const char text[] = "straddle\n";
    char *tail = (char *)(uintptr_t)(top - (sizeof(text) - 1));

    /* If Keel prints the part in RAM, it is this whole line. */
    memcpy(tail, text, sizeof(text) - 1);
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 4096, tail), -XEN_EFAULT,
              "console_io(write, 4096, RAM end - 9) runs past RAM");
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, (void *)(uintptr_t)(top - 8)),
              -XEN_EFAULT, "xen_version(extraversion, RAM end - 8) runs past RAM");
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, (void *)(uintptr_t)(top - 4)),
              -XEN_EFAULT, "xen_version(get_features, RAM end - 4) runs past RAM");
}

static void lengths(unsigned long past)
{
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0, (void *)past), 0,
              "console_io(write, 0, past RAM): nothing to copy");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0, NULL), 0,
              "console_io(write, 0, NULL): nothing to copy");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, (void *)past), -XEN_EFAULT,
              "console_io(write, 0x7fffffff, past RAM)");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffu, NULL), -XEN_EFAULT,
              "console_io(write, 0xffffffff, NULL)");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, (void *)GVA_UNMAPPED),
              -XEN_EFAULT, "console_io(write, 0x7fffffff, unmapped)");
}

static void good_calls(void)
{
    check_ret(HYPERVISOR_xen_version(XENVER_version, NULL), XEN_CPUID_VERSION(4, 17),
              "xen_version(version) is 4.17");
    check_ret(HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096, "xen_version(pagesize)");

    struct xen_feature_info fi = { .submap_idx = 0 };
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, &fi), 0,
              "xen_version(get_features, submap 0)");
    check(fi.submap & (1u << XENFEAT_auto_translated_physmap),
          "features %#x include auto_translated_physmap", fi.submap);
    fi = (struct xen_feature_info){ .submap_idx = XENFEAT_NR_SUBMAPS };
    check_ret(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL,
              "xen_version(get_features, submap %u)", XENFEAT_NR_SUBMAPS);

    static const char msg[] = "hostile: a good console_io write\n";
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0,
              "console_io(write) of a good buffer");
}

/* Pointers are guest-virtual: Keel must walk our page tables. */
static void guest_mappings(void)
{
    uint8_t *page = alias_page;
    static const char msg[] = "hostile: read through a guest mapping at 0xffffffff80200000\n";
    xen_extraversion_t direct, *alias = (void *)(GVA_ALIAS + 64);

    memset(page, 0xee, PAGE_SIZE);
    memcpy(page, msg, sizeof(msg) - 1);
    if (pt_map_4k(GVA_ALIAS, (uintptr_t)page, PTE_W)) {
        check(false, "map %#lx (guest page tables)", GVA_ALIAS);
        return;
    }
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, (void *)GVA_ALIAS), 0,
              "console_io(write) from our mapping at %#lx", GVA_ALIAS);
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, &direct), 0,
              "xen_version(extraversion) into a plain buffer");
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, alias), 0,
              "xen_version(extraversion) into our mapping at %#lx", GVA_ALIAS + 64);
    check(!memcmp(page + 64, direct, sizeof(direct)),
          "extraversion written through the mapping landed in the mapped page");

    /* Read-only for the guest: Xen refuses to write there too. */
    memset(page + 64, 0xee, sizeof(direct));
    pt_map_4k(GVA_ALIAS, (uintptr_t)page, PTE_P);
    check_ret(HYPERVISOR_xen_version(XENVER_extraversion, alias), -XEN_EFAULT,
              "xen_version(extraversion) into a read-only mapping");
    check(page[64] == 0xee && page[64 + 15] == 0xee, "the read-only page is unchanged");

    /* A user page: privcmd passes user buffers, so they must work. */
    pt_map_4k(GVA_ALIAS, (uintptr_t)page, PTE_W | PTE_U);
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, (void *)GVA_ALIAS), 0,
              "console_io(write) from a user page");

    /* Gone again: no stale translation may be used. */
    pt_map_4k(GVA_ALIAS, 0, 0);
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, (void *)GVA_ALIAS),
              -XEN_EFAULT, "console_io(write) after the mapping is removed");
}

static void registers(void)
{
    static const char *const names[] = {
        "rbx", "rcx", "rbp", "r9", "r11", "r12", "r13", "r14", "r15",
    };
    struct {
        const char *what;
        unsigned long nr, a1;
    } calls[] = {
        { "xen_version(version)", __HYPERVISOR_xen_version, XENVER_version },
        { "hypercall 1000", 1000, 0 },
        { "xen_version(99)", __HYPERVISOR_xen_version, 99 },
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(calls); i++) {
        unsigned int m = hypercall_clobbers(calls[i].nr, calls[i].a1);
        char list[64] = "";
        size_t len = 0;

        for (unsigned int b = 0; b < ARRAY_SIZE(names); b++)
            if (m & (1u << b))
                len += snprintf(list + len, sizeof(list) - len, " %s", names[b]);
        check(m == 0, "%s preserves non-argument registers%s%s", calls[i].what,
              m ? "; clobbered:" : "", list);
    }
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;

    if (!xen.present)
        test_fail("no Xen CPUID leaves: nothing to test");
    uint64_t top = ram_top();
    unsigned long past = gpa_outside_memmap(top);
    printf("hostile: RAM ends at %#lx; %#lx is outside the memory map\n",
           (unsigned long)top, past);
    if (!top || past >= 0xfec00000ul)
        test_fail("hostile: cannot find RAM's end and a hole after it");

    const struct bad_ptr bad[] = {
        { "NULL", 0 },
        { "unmapped", GVA_UNMAPPED },
        { "past RAM", past },
        { "hypervisor text", GVA_HV_TEXT },
        { "hypervisor direct map", GVA_HV_DIRECTMAP },
        { "non-canonical", GVA_NONCANONICAL },
        { "top page", GVA_TOP },
    };

    good_calls();
    bad_numbers();
    bad_pointers(bad, ARRAY_SIZE(bad));
    lengths(past);
    straddling(top);
    guest_mappings();
    registers();
    good_calls();       /* and everything still works */
}

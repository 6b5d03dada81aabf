/*
 * From the PVH entry to guest_main(): check start_info, copy what guests
 * need out of it, find the hypervisor.
 */
#include "guest.h"
#include "traps.h"

struct guest_boot boot;
struct xen_info xen;
extern uint32_t bss_was_dirty;      /* entry*.S */

/* start_info and what it points to must be reachable: below 4 GiB (the
 * identity map's end, and all a 32-bit guest can address). */
static bool addressable(uint64_t gpa, uint64_t len)
{
    return gpa != 0 && gpa < 0x100000000ull && len <= 0x100000000ull - gpa;
}

static void copy_start_info(const struct hvm_start_info *si)
{
    boot.version = si->version;
    boot.flags = si->flags;

    if (si->cmdline_paddr && addressable(si->cmdline_paddr, 1)) {
        const char *s = (const char *)(uintptr_t)si->cmdline_paddr;
        strncpy_z(boot.cmdline, s, sizeof(boot.cmdline));
    }

    if (si->version >= 1 && si->memmap_entries) {
        const struct hvm_memmap_table_entry *e =
            (const void *)(uintptr_t)si->memmap_paddr;
        unsigned int n = si->memmap_entries;

        boot.memmap_given = n;
        if (n > GUEST_MEMMAP_MAX)
            n = GUEST_MEMMAP_MAX;
        if (addressable(si->memmap_paddr, (uint64_t)n * sizeof(*e))) {
            memcpy(boot.memmap, e, n * sizeof(*e));
            boot.nr_memmap = n;
        }
    }
}

void guest_start(uint32_t si_gpa);
void guest_start(uint32_t si_gpa)
{
    const struct hvm_start_info *si = (const void *)(uintptr_t)si_gpa;

    traps_init();
    xen.base = xen_cpuid_base();
    xen.present = xen.base != 0;
    if (xen.present)
        xen.max_leaf = cpuid(xen.base).eax;

    if (!addressable(si_gpa, sizeof(*si)))
        guest_crash("bad start_info address %#x in %%ebx", si_gpa);
    if (si->magic != XEN_HVM_START_MAGIC_VALUE)
        guest_crash("bad start_info magic %#x at %#x (want %#x)",
                    si->magic, si_gpa, XEN_HVM_START_MAGIC_VALUE);
    boot.start_info_gpa = si_gpa;
    copy_start_info(si);
#ifdef __x86_64__
    /* From here on NULL dereferences fault.  (Not before: a loader may put
     * start_info, the command line or the memory map in page 0.) */
    pt_null_guard(true);
#endif

    if (bss_was_dirty)
        test_fail("the loader left .bss non-zero (memsz beyond filesz must be zeroed)");
    if (boot.memmap_given > GUEST_MEMMAP_MAX)
        printf("note: start_info has %u memmap entries, using the first %u\n",
               boot.memmap_given, GUEST_MEMMAP_MAX);

    guest_main(si);
    test_finish();
}

/*
 * balloon: XENMEM_decrease_reservation and XENMEM_populate_physmap as a
 * balloon driver uses them.  Releases 4 MiB in single 4 KiB extents (across
 * 2 MiB boundaries) and one 2 MiB extent, checks current_reservation went
 * down by exactly that and that the frames are gone (releasing them again
 * does nothing: a released frame is never touched, Keel would crash us),
 * populates them back and checks they read as zero and are writable; then
 * the edges: max_pages (a partial count), frames that are not ours to
 * release (unpopulated, above RAM, the shared_info page), bad pointers and
 * orders, another domain (peer=ID on the command line), populating over a
 * populated frame, a vcpu_info page released while registered, and
 * increase_reservation.  Run with memory=32.  TEST PASS/FAIL.
 *
 * Xen answers every failure of these calls with the number of extents
 * done so far, never with an error code; so do we (and check for it).
 */
#include "guest.h"
#include <public/memory.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#define MIB         (1024 * 1024ul)
#define PFN(a)      ((a) / PAGE_SIZE)

/* What we give back: well inside RAM, away from our image (1 MiB up) and
 * from start_info and shared_info (at the top of RAM). */
#define SMALL_BASE  (9 * MIB)           /* 4 MiB of 4 KiB extents: 9-13 MiB */
#define SMALL_PAGES 1024
#define BIG_BASE    (16 * MIB)          /* one 2 MiB extent */
#define VINFO_BASE  (20 * MIB)          /* a vcpu_info page */
#define SPARE_BASE  (22 * MIB)          /* single pages for the edge cases */
#define ABOVE_RAM   (256 * MIB)         /* never RAM with memory=32 */

static xen_pfn_t list[SMALL_PAGES];

static long memop(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long reserve(unsigned int op, xen_pfn_t *extents, unsigned long n,
                    unsigned int order, domid_t dom, unsigned int flags)
{
    struct xen_memory_reservation r = {
        .extent_start = (unsigned long)extents, .nr_extents = n,
        .extent_order = order, .mem_flags = flags, .domid = dom,
    };
    return memop(op, &r);
}

static long release1(uint64_t gpa)
{
    xen_pfn_t pfn = PFN(gpa);
    return reserve(XENMEM_decrease_reservation, &pfn, 1, 0, DOMID_SELF, 0);
}

static long populate1(uint64_t gpa)
{
    xen_pfn_t pfn = PFN(gpa);
    return reserve(XENMEM_populate_physmap, &pfn, 1, 0, DOMID_SELF, 0);
}

static long reservation(domid_t dom)
{
    return memop(XENMEM_current_reservation, &dom);
}

static void fill(uint64_t gpa, size_t len, uint8_t v)
{
    memset((void *)(uintptr_t)gpa, v, len);
}

/* Every byte reads as zero, and the page keeps what we write. */
static bool zero_and_writable(uint64_t gpa, size_t len)
{
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)gpa;

    for (size_t i = 0; i < len / 8; i++)
        if (p[i])
            return false;
    for (size_t i = 0; i < len / 8; i += 512)
        p[i] = 0x1234567800000000ull | i;
    for (size_t i = 0; i < len / 8; i += 512)
        if (p[i] != (0x1234567800000000ull | i))
            return false;
    return true;
}

static void small_list(void)
{
    for (unsigned int i = 0; i < SMALL_PAGES; i++)
        list[i] = PFN(SMALL_BASE) + i;
}

static void release_and_populate(long cur0)
{
    xen_pfn_t big = PFN(BIG_BASE);

    fill(SMALL_BASE, SMALL_PAGES * PAGE_SIZE, 0xa5);
    fill(BIG_BASE, 2 * MIB, 0x5a);

    printf("balloon: releasing %u pages\n", SMALL_PAGES + 512);
    small_list();
    check_ret(reserve(XENMEM_decrease_reservation, list, SMALL_PAGES, 0, DOMID_SELF, 0),
              SMALL_PAGES, "decrease 1024 x 4 KiB at 9 MiB");
    check_ret(reserve(XENMEM_decrease_reservation, &big, 1, 9, DOMID_SELF, 0), 1,
              "decrease 2 MiB at 16 MiB");
    printf("balloon: released %u pages\n", SMALL_PAGES + 512);
    check_ret(reservation(DOMID_SELF), cur0 - SMALL_PAGES - 512, "current_reservation after");

    /* Gone: releasing them again does nothing (touching them would crash us). */
    check_ret(release1(SMALL_BASE), 0, "decrease a released 4 KiB frame again");
    check_ret(release1(SMALL_BASE + (SMALL_PAGES - 1) * PAGE_SIZE), 0,
              "decrease the last released frame again");
    check_ret(reserve(XENMEM_decrease_reservation, list, SMALL_PAGES, 0, DOMID_SELF, 0), 0,
              "decrease the whole 4 MiB again");
    check_ret(reserve(XENMEM_decrease_reservation, &big, 1, 9, DOMID_SELF, 0), 0,
              "decrease the 2 MiB extent again");
    check_ret(release1(BIG_BASE + 100 * PAGE_SIZE), 0, "decrease a frame of it");
    check_ret(reservation(DOMID_SELF), cur0 - SMALL_PAGES - 512, "current_reservation unchanged");

    printf("balloon: populating %u pages\n", SMALL_PAGES + 512);
    check_ret(reserve(XENMEM_populate_physmap, list, SMALL_PAGES, 0, DOMID_SELF, 0),
              SMALL_PAGES, "populate 1024 x 4 KiB back");
    check_ret(reserve(XENMEM_populate_physmap, &big, 1, 9, DOMID_SELF, 0), 1,
              "populate 2 MiB back");
    printf("balloon: populated %u pages\n", SMALL_PAGES + 512);
    check_ret(reservation(DOMID_SELF), cur0, "current_reservation back");
    check(zero_and_writable(SMALL_BASE, SMALL_PAGES * PAGE_SIZE),
          "the 4 MiB reads as zero and is writable");
    check(zero_and_writable(BIG_BASE, 2 * MIB), "the 2 MiB reads as zero and is writable");
}

static void not_ours(const struct shared_info *si, domid_t me, domid_t peer)
{
    xen_pfn_t pfn = PFN(SPARE_BASE), si_pfn = PFN(ram_top()) - 1;
    long cur = reservation(DOMID_SELF);

    check_ret(release1(ABOVE_RAM), 0, "decrease a GFN above RAM");
    check_ret(release1(0x123456789000000ull), 0, "decrease a GFN beyond guest-physical");
    check_ret(reserve(XENMEM_decrease_reservation, (xen_pfn_t[]){ ~0ull }, 1, 0, DOMID_SELF, 0),
              0, "decrease GFN ~0");
    /* A list with a hole in the middle: the extent before it is done. */
    xen_pfn_t mixed[3] = { pfn, PFN(ABOVE_RAM), pfn + 1 };
    check_ret(reserve(XENMEM_decrease_reservation, mixed, 3, 0, DOMID_SELF, 0), 1,
              "decrease [RAM, hole, RAM]");
    check_ret(reservation(DOMID_SELF), cur - 1, "only the first went");
    check_ret(populate1(SPARE_BASE), 1, "populate it back");

    /* The shared_info page is the hypervisor's: refused, and it lives on. */
    check_ret(reserve(XENMEM_decrease_reservation, &si_pfn, 1, 0, DOMID_SELF, 0), 0,
              "decrease the shared_info GFN");
    check_ret(reserve(XENMEM_populate_physmap, &si_pfn, 1, 0, DOMID_SELF, 0), 0,
              "populate over the shared_info GFN");
    check(si->vcpu_info[0].time.tsc_to_system_mul != 0, "shared_info still mapped (pvclock)");

    /* Bad pointers and values: nothing done. */
    check_ret(reserve(XENMEM_decrease_reservation, (xen_pfn_t *)0xdead00000000ull, 1, 0,
                      DOMID_SELF, 0), 0, "decrease with extent_start unmapped");
    check_ret(reserve(XENMEM_populate_physmap, (xen_pfn_t *)0x8000000000000000ull, 1, 0,
                      DOMID_SELF, 0), 0, "populate with extent_start non-canonical");
    check_ret(memop(XENMEM_decrease_reservation, (void *)0xdead00000000ull), 0,
              "decrease with the reservation unmapped");
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 10, DOMID_SELF, 0), 0,
              "decrease extent_order 10");
    check_ret(reserve(XENMEM_populate_physmap, &pfn, 1, 10, DOMID_SELF, 0), 0,
              "populate extent_order 10");
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 0xffffffff, DOMID_SELF, 0), 0,
              "decrease extent_order ~0");
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 0, DOMID_SELF, 12), 0,
              "decrease with address_bits 12");
    check_ret(reserve(XENMEM_populate_physmap, (xen_pfn_t[]){ PFN(ABOVE_RAM) }, 1, 0,
                      DOMID_SELF, XENMEMF_populate_on_demand), 0, "populate on demand");
    struct xen_memory_reservation r = { .extent_start = (unsigned long)&pfn,
                                        .nr_extents = 1, .domid = DOMID_SELF };
    check_ret(memop(XENMEM_decrease_reservation | (5 << MEMOP_EXTENT_SHIFT), &r), 5,
              "decrease starting at extent 5 of 1");

    /* Another domain's memory is not ours to change. */
    check_ret(reservation(peer), -XEN_EPERM, "current_reservation(peer d%u)", peer);
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 0, peer, 0), 0,
              "decrease in peer d%u", peer);
    check_ret(reserve(XENMEM_populate_physmap, (xen_pfn_t[]){ PFN(ABOVE_RAM) }, 1, 0, peer, 0),
              0, "populate in peer d%u", peer);
    check_ret(reservation(0x7000), -XEN_ESRCH, "current_reservation(d0x7000)");
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 0, 0x7000, 0), 0,
              "decrease in d0x7000");
    check_ret(reserve(XENMEM_decrease_reservation, &pfn, 1, 0, me, 0), 1,
              "decrease naming our own ID");
    check_ret(populate1(SPARE_BASE), 1, "populate it back");
    check_ret(reservation(DOMID_SELF), cur, "current_reservation unchanged");
}

static void limits(long max)
{
    uint64_t p = SPARE_BASE;
    long cur = reservation(DOMID_SELF);
    long room = max - cur;

    /* shared_info's RAM page went back when it was mapped (as on Xen). */
    check_ret(room, 1, "room under max_pages");
    check_ret(release1(p), 1, "decrease one page");
    xen_pfn_t three[3] = { PFN(p), PFN(ABOVE_RAM), PFN(ABOVE_RAM) + 1 };
    check_ret(reserve(XENMEM_populate_physmap, three, 3, 0, DOMID_SELF, 0), 2,
              "populate 3 pages with room for 2");
    check_ret(reservation(DOMID_SELF), max, "at max_pages");
    check_ret(populate1(ABOVE_RAM + 2 * PAGE_SIZE), 0, "populate past max_pages");
    check(zero_and_writable(ABOVE_RAM, PAGE_SIZE), "a page above RAM reads as zero");
    check_ret(release1(ABOVE_RAM), 1, "decrease it again");

    /* Over a populated frame, as Xen: a new page, the old one stays ours. */
    fill(p, PAGE_SIZE, 0x77);
    check_ret(populate1(p), 1, "populate over a populated frame");
    check(zero_and_writable(p, PAGE_SIZE), "it reads as zero now");
    check_ret(reservation(DOMID_SELF), max, "and the old page is still counted");
    check_ret(populate1(p), 0, "no room for another");

    /* increase_reservation: pages we cannot map, counted. */
    check_ret(release1(p), 1, "decrease one page");
    check_ret(reserve(XENMEM_increase_reservation, NULL, 2, 0, DOMID_SELF, 0), 1,
              "increase_reservation by 2 with room for 1");
    check_ret(reservation(DOMID_SELF), max, "at max_pages again");
    check_ret(release1(p + PAGE_SIZE), 1, "decrease the next page");
    check_ret(populate1(p), 1, "populate the first back");
}

/* A registered vcpu_info frame: released (as Xen answers) but kept, counted. */
static void vcpu_info_page(void)
{
    struct vcpu_register_vcpu_info vi = { .mfn = PFN(VINFO_BASE), .offset = 64 };
    long cur = reservation(DOMID_SELF);

    check_ret(hypercall(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0,
                        (unsigned long)&vi, 0, 0), 0, "register vcpu_info at 20 MiB");
    check_ret(release1(VINFO_BASE), 1, "decrease the vcpu_info frame");
    check_ret(reservation(DOMID_SELF), cur, "it is still counted (held by Keel)");
    check_ret(release1(VINFO_BASE), 0, "decrease it again");
    check_ret(release1(VINFO_BASE + PAGE_SIZE), 1, "decrease the next frame");
    check_ret(populate1(VINFO_BASE), 1, "populate the vcpu_info GFN");
    check(zero_and_writable(VINFO_BASE, PAGE_SIZE), "a new page there");
    check_ret(reservation(DOMID_SELF), cur, "current_reservation");
}

void guest_main(const struct hvm_start_info *start)
{
    (void)start;
    domid_t me = (domid_t)cpuid(xen.base + 4).ecx;
    domid_t peer = (domid_t)cmdline_u64("peer", DOMID_SELF);

    if (peer == DOMID_SELF || peer == me)
        test_fail("run with peer=ID of another domain");
    if (ram_top() < 32 * MIB)
        test_fail("run with memory=32 (RAM ends at %#lx)", (unsigned long)ram_top());
    struct shared_info *si = map_shared_info();
    long cur0 = reservation(DOMID_SELF), max = memop(XENMEM_maximum_reservation,
                                                     &(domid_t){ DOMID_SELF });
    printf("balloon: d%u, %ld of %ld pages\n", me, cur0, max);
    check_ret(cur0, max - 1, "current_reservation after mapping shared_info");

    release_and_populate(cur0);
    not_ours(si, me, peer);
    limits(max);
    vcpu_info_page();
    check_ret(reservation(DOMID_SELF), max, "current_reservation at the end");
}

/*
 * memtouch: check that every page of RAM that the start_info memory map
 * gives this domain reads as zero (all but the guest's own image and what
 * the builder put there: start_info, command line, memory map), which is
 * how a new domain must find its memory, whoever used the frames before;
 * then write and verify them all, so that two guest frames sharing one
 * host page, or a page that is not really there, show up.  Then write just
 * past the end of RAM.  Expected outcome: Keel crashes this domain and
 * names the address; reaching the next line is a failure.
 */
#include "guest.h"

#define FOUR_GIB        0x100000000ull
#define PROGRESS_BYTES  (4ull << 20)

/* A different value for every qword of guest-physical memory. */
static inline uint64_t pattern(uint64_t gpa)
{
    return (gpa * 0x9e3779b97f4a7c15ull) ^ 0x5a5aa5a5c3c33c3cull;
}

static bool in_image(uint64_t gpa)
{
    return gpa >= (uintptr_t)__image_start && gpa < (uintptr_t)__image_end;
}

/* Pages the domain builder wrote: [start, start + len) rounded out.  The
 * last is the legacy BIOS area, where Keel puts the ACPI tables. */
#define MAX_BUILT 4
static struct { uint64_t start, end; } built[MAX_BUILT];

static void note_built(unsigned int i, uint64_t start, uint64_t len)
{
    built[i].start = start & ~(PAGE_SIZE - 1);
    built[i].end = (start + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static bool by_builder(uint64_t pg)
{
    for (unsigned int i = 0; i < MAX_BUILT; i++)
        if (pg >= built[i].start && pg < built[i].end)
            return true;
    return false;
}

enum pass_kind { CHECK_ZERO, WRITE, VERIFY };

/* One pass over every usable page: check zeroes, write patterns, or check
 * them.  Returns the pages seen; on a mismatch reports it and fails. */
static uint64_t pass(enum pass_kind kind)
{
    uint64_t pages = 0, next_report = PROGRESS_BYTES;

    for (unsigned int i = 0; i < boot.nr_memmap; i++) {
        const struct hvm_memmap_table_entry *e = &boot.memmap[i];
        if (e->type != XEN_HVM_MEMMAP_TYPE_RAM)
            continue;
        uint64_t start = (e->addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        uint64_t end = (e->addr + e->size) & ~(PAGE_SIZE - 1);
        if (end > FOUR_GIB)
            end = FOUR_GIB;     /* beyond the identity map; never for small domains */

        for (uint64_t pg = start; pg < end; pg += PAGE_SIZE) {
            if (in_image(pg) || (kind == CHECK_ZERO && by_builder(pg)))
                continue;
            volatile uint64_t *q = (volatile uint64_t *)(uintptr_t)pg;
            for (unsigned int k = 0; k < PAGE_SIZE / 8; k++) {
                uint64_t want = kind == CHECK_ZERO ? 0 : pattern(pg + k * 8);
                if (kind == WRITE) {
                    q[k] = want;
                } else if (kind == CHECK_ZERO && q[k]) {
                    test_fail("memtouch: gpa %#lx holds %#lx in a new domain: "
                              "a previous owner's data, or never zeroed",
                              (unsigned long)(pg + k * 8), (unsigned long)q[k]);
                } else if (q[k] != want) {
                    test_fail("memtouch: gpa %#lx holds %#lx, wrote %#lx "
                              "(another page's pattern? %s)",
                              (unsigned long)(pg + k * 8), (unsigned long)q[k],
                              (unsigned long)want, "aliased or lost page");
                }
            }
            pages++;
            if (pages * PAGE_SIZE >= next_report) {
                static const char *const done[] = { "checked zeroes in", "wrote", "verified" };
                printf("memtouch: %s %lu MiB\n", done[kind],
                       (unsigned long)(next_report >> 20));
                next_report += PROGRESS_BYTES;
            }
        }
    }
    return pages;
}

void guest_main(const struct hvm_start_info *si)
{
    note_built(0, boot.start_info_gpa, sizeof(*si));
    note_built(1, si->cmdline_paddr, strlen((const char *)(uintptr_t)si->cmdline_paddr) + 1);
    note_built(2, si->memmap_paddr, si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
    note_built(3, 0xa0000, 0x60000);

    if (!boot.nr_memmap)
        test_fail("start_info has no memory map (version %u)", boot.version);
    for (unsigned int i = 0; i < boot.nr_memmap; i++)
        printf("memtouch: memmap %u: %#lx-%#lx type %u\n", i,
               (unsigned long)boot.memmap[i].addr,
               (unsigned long)(boot.memmap[i].addr + boot.memmap[i].size - 1),
               boot.memmap[i].type);
    printf("memtouch: image %#lx-%#lx is skipped\n", (unsigned long)(uintptr_t)__image_start,
           (unsigned long)(uintptr_t)__image_end - 1);

    /* Page 0 is RAM too: undo the NULL guard for the passes. */
    pt_null_guard(false);
    uint64_t zeroed = pass(CHECK_ZERO);
    printf("memtouch: all %lu pages read as zero\n", (unsigned long)zeroed);
    uint64_t written = pass(WRITE);
    uint64_t verified = pass(VERIFY);
    pt_null_guard(true);
    if (!written || written != verified)
        test_fail("memtouch: wrote %lu pages, verified %lu", (unsigned long)written,
                  (unsigned long)verified);
    printf("memtouch: wrote and verified %lu pages (%lu KiB)\n", (unsigned long)written,
           (unsigned long)(written * 4));

    uint64_t past = gpa_outside_memmap(ram_top());
    if (past >= 0xfec00000ull)      /* APIC space: not "past RAM" */
        test_fail("memtouch: no unmapped address between RAM and 4 GiB");
    printf("memtouch: touching %#lx, just past RAM; Keel should crash this domain\n",
           (unsigned long)past);
    *(volatile uint64_t *)(uintptr_t)past = 0x6b65656c;     /* "keel" */
    test_fail("memtouch: wrote to %#lx past the end of RAM and nothing happened",
              (unsigned long)past);
}

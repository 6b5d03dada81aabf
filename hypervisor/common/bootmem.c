/* The boot-time memory allocator (see keel/bootmem.h). */
#include <keel/bootmem.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>

#define FREE_MAX (2 * BOOT_MEM_MAX)

static struct mem_range free_ranges[FREE_MAX];
static unsigned int nr_free;
static mfn_t max_frame;
static bool handed_over;

static int reserve(uint64_t start, uint64_t end)
{
    int n = memmap_subtract(free_ranges, nr_free, FREE_MAX,
                            ROUNDDOWN(start, PAGE_SIZE), ROUNDUP(end, PAGE_SIZE));
    if (n < 0)
        return n;
    nr_free = n;
    return 0;
}

int bootmem_init(const struct boot_info *bi, const struct mem_range *reserved,
                 unsigned int nr_reserved)
{
    int rc;

    nr_free = 0;
    max_frame = 0;
    handed_over = false;
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        uint64_t start = ROUNDUP(r->start, PAGE_SIZE), end = ROUNDDOWN(r->end, PAGE_SIZE);
        if (r->type != MEM_RAM || start >= end || nr_free == FREE_MAX)
            continue;
        free_ranges[nr_free++] = (struct mem_range){ start, end, MEM_RAM };
        if (PFN_DOWN(end) > max_frame)
            max_frame = PFN_DOWN(end);
    }
    for (unsigned int i = 0; i < bi->nr_mods; i++)
        if ((rc = reserve(bi->mods[i].start, bi->mods[i].end)) < 0)
            return rc;
    if (bi->info_end > bi->info_start &&
        (rc = reserve(bi->info_start, bi->info_end)) < 0)
        return rc;
    for (unsigned int i = 0; i < nr_reserved; i++)
        if ((rc = reserve(reserved[i].start, reserved[i].end)) < 0)
            return rc;
    return nr_free;
}

paddr_t bootmem_alloc(uint64_t pages, paddr_t limit)
{
    uint64_t bytes = pages << PAGE_SHIFT;

    if (handed_over || !pages)
        return 0;
    for (unsigned int i = nr_free; i-- > 0;) {
        struct mem_range *r = &free_ranges[i];
        uint64_t end = r->end < limit ? r->end : limit;
        if (end <= r->start || end - r->start < bytes)
            continue;
        paddr_t pa = end - bytes;
        if (reserve(pa, end) < 0)
            continue;
        return pa;
    }
    return 0;
}

mfn_t bootmem_max_frame(void)
{
    return max_frame;
}

uint64_t bootmem_free_pages(void)
{
    uint64_t pages = 0;
    for (unsigned int i = 0; i < nr_free; i++)
        pages += (free_ranges[i].end - free_ranges[i].start) >> PAGE_SHIFT;
    return pages;
}

void bootmem_hand_over(void)
{
    for (unsigned int i = 0; i < nr_free; i++)
        page_alloc_add_range(PFN_DOWN(free_ranges[i].start), PFN_DOWN(free_ranges[i].end));
    handed_over = true;
}

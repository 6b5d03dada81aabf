/*
 * The boot-time memory allocator: hands out pages from the free RAM ranges
 * (RAM from the loader's map minus everything in use: the image, modules,
 * firmware areas) until the page allocator takes the rest over.
 */
#ifndef KEEL_BOOTMEM_H
#define KEEL_BOOTMEM_H

#include <keel/bootinfo.h>

/*
 * Start from the RAM ranges of bi->mem, minus bi's modules and its own
 * structure, minus the given reserved ranges.  Returns the number of free
 * ranges, or -ENOSPC if the map splits into too many pieces.
 */
int bootmem_init(const struct boot_info *bi, const struct mem_range *reserved,
                 unsigned int nr_reserved);

/* Take pages contiguous pages ending at or below limit (highest first); 0 if none. */
paddr_t bootmem_alloc(uint64_t pages, paddr_t limit);

/* One past the highest RAM frame in the map (size of the frame table). */
mfn_t bootmem_max_frame(void);
uint64_t bootmem_free_pages(void);

/* Give every page still free to the page allocator; bootmem is done. */
void bootmem_hand_over(void);

#endif

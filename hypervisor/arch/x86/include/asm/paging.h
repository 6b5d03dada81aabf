/* Keel's own page tables (the "idle" tables every CPU runs on). */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <keel/bootinfo.h>

/*
 * Build the idle page tables (direct map of the RAM in bi's map and the
 * low 1 MiB, the image with per-section permissions, nothing else) and
 * switch this CPU to them.  Page-table pages come from bootmem.
 */
void paging_init(const struct boot_info *bi);
void paging_load_idle_tables(void);     /* for secondary CPUs */
paddr_t paging_idle_pml4(void);

/* Map [pa, pa+len) into the vmap area: uncached for MMIO, cached for tables. */
void *ioremap(paddr_t pa, size_t len);
void *vmap_cached(paddr_t pa, size_t len);

#endif

/*
 * Keel's virtual memory layout on x86-64:
 *   0xffff800000000000  direct map of RAM (DIRECTMAP_VIRT + pa)
 *   0xffffc00000000000  vmap area: MMIO and firmware tables mapped on demand
 *   0xffffffff80000000  the hypervisor image (KERNEL_VIRT + pa)
 * There is no identity map once boot has switched to Keel's own tables.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#ifndef __ASSEMBLER__
#include <keel/types.h>
#endif

#define DIRECTMAP_VIRT    0xffff800000000000
#define DIRECTMAP_SIZE    0x0000400000000000   /* 64 TiB */
#define VMAP_VIRT         0xffffc00000000000
#define VMAP_SIZE         0x0000008000000000   /* 512 GiB */
#define KERNEL_VIRT       0xffffffff80000000
#define KERNEL_LOAD_PHYS  0x200000

#ifndef __ASSEMBLER__
static inline void *maddr_to_virt(paddr_t pa) { return (void *)(DIRECTMAP_VIRT + pa); }
static inline paddr_t virt_to_maddr(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    if (v >= KERNEL_VIRT)
        return v - KERNEL_VIRT;
    return v - DIRECTMAP_VIRT;
}
static inline void *mfn_to_virt(mfn_t mfn) { return maddr_to_virt(mfn << PAGE_SHIFT); }
static inline mfn_t virt_to_mfn(const void *va) { return virt_to_maddr(va) >> PAGE_SHIFT; }
#endif

#endif

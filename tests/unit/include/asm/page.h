/*
 * Host stand-in for the direct map (unit tests only): frame N lives at
 * host_directmap + N * PAGE_SIZE, a buffer the test allocates.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <keel/types.h>

extern unsigned char *host_directmap;

static inline void *maddr_to_virt(paddr_t pa) { return host_directmap + pa; }
static inline paddr_t virt_to_maddr(const void *va)
{
    return (paddr_t)((const unsigned char *)va - host_directmap);
}
static inline void *mfn_to_virt(mfn_t mfn) { return maddr_to_virt(mfn << PAGE_SHIFT); }
static inline mfn_t virt_to_mfn(const void *va) { return virt_to_maddr(va) >> PAGE_SHIFT; }

#endif

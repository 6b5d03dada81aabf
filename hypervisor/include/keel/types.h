/* Basic types shared by all hypervisor code (and the host unit tests). */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;   /* host-physical address */
typedef uint64_t mfn_t;     /* host (machine) frame number */

#define PAGE_SHIFT  12
#define PAGE_SIZE   (1UL << PAGE_SHIFT)
#define PAGE_MASK   (~(PAGE_SIZE - 1))
#define INVALID_MFN (~(mfn_t)0)

#define PFN_DOWN(pa) ((pa) >> PAGE_SHIFT)
#define PFN_UP(pa)   (((pa) + PAGE_SIZE - 1) >> PAGE_SHIFT)

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#endif

/*
 * Changes to the 64-bit guests' page tables (built by entry64.S: identity
 * map of 0..4 GiB, 2 MiB pages except the first 2 MiB in 4 KiB pages with
 * page 0 absent).  Tables for new regions come from a small pool in .bss.
 */
#include "guest.h"

#define ADDR_MASK 0x000ffffffffff000ull
#define POOL_PAGES 16

extern uint64_t pt0[512];            /* entry64.S: the first 2 MiB */
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned int pool_used;

static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & ADDR_MASK);
}

/* The next-level table under *entry, made if absent; NULL if *entry is a
 * large page or the pool is empty. */
static uint64_t *next_table(uint64_t *entry)
{
    if (*entry & PTE_P)
        return (*entry & PTE_PS) ? NULL : table_of(*entry);
    if (pool_used == POOL_PAGES)
        return NULL;
    uint64_t *t = pool[pool_used++];
    memset(t, 0, PAGE_SIZE);
    /* U and W at the upper levels: the leaf decides. */
    *entry = (uintptr_t)t | PTE_P | PTE_W | PTE_U;
    return t;
}

int pt_map_4k(uint64_t va, uint64_t gpa, uint64_t flags)
{
    uint64_t *t = table_of(read_cr3());

    for (int shift = 39; shift > 12; shift -= 9) {
        t = next_table(&t[(va >> shift) & 511]);
        if (!t)
            return -1;
    }
    t[(va >> 12) & 511] = flags ? (gpa & ADDR_MASK) | flags | PTE_P : 0;
    invlpg(va);
    return 0;
}

void pt_null_guard(bool on)
{
    pt0[0] = on ? 0 : PTE_P | PTE_W;
    invlpg(0);
}

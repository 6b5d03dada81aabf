/*
 * Questions about the start_info memory map (copied into boot.memmap).
 */
#include "guest.h"

#define FOUR_GIB 0x100000000ull

uint64_t ram_top(void)
{
    uint64_t top = 0;

    for (unsigned int i = 0; i < boot.nr_memmap; i++) {
        const struct hvm_memmap_table_entry *e = &boot.memmap[i];
        uint64_t end = e->addr + e->size;

        if (e->type == XEN_HVM_MEMMAP_TYPE_RAM && e->addr < FOUR_GIB) {
            if (end > FOUR_GIB)
                end = FOUR_GIB;
            if (end > top)
                top = end;
        }
    }
    return top;
}

bool memmap_covers(uint64_t gpa)
{
    for (unsigned int i = 0; i < boot.nr_memmap; i++) {
        const struct hvm_memmap_table_entry *e = &boot.memmap[i];

        if (gpa >= e->addr && gpa - e->addr < e->size)
            return true;
    }
    return false;
}

uint64_t gpa_outside_memmap(uint64_t from)
{
    uint64_t gpa = (from + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    bool moved = true;

    /* Entries need not be sorted: step past any that covers gpa, again
     * until none does. */
    while (moved) {
        moved = false;
        for (unsigned int i = 0; i < boot.nr_memmap; i++) {
            const struct hvm_memmap_table_entry *e = &boot.memmap[i];

            if (gpa >= e->addr && gpa - e->addr < e->size) {
                gpa = (e->addr + e->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
                moved = true;
            }
        }
    }
    return gpa;
}

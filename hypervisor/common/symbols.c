/*
 * Symbol lookup over the table that scripts/gen-symbols.py generates from
 * the first link of the image (sorted addresses, NUL-separated names).
 */
#include <keel/symbols.h>

extern const uint64_t keel_sym_count;
extern const uint64_t keel_sym_addrs[];
extern const uint32_t keel_sym_name_offsets[];
extern const char keel_sym_names[];
extern const uint64_t keel_sym_text_end;

const char *symbol_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size)
{
    uint64_t lo = 0, hi = keel_sym_count;

    if (!hi || addr < keel_sym_addrs[0] || addr >= keel_sym_text_end)
        return NULL;
    /* Last symbol whose address is <= addr. */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (keel_sym_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t end = lo + 1 < keel_sym_count ? keel_sym_addrs[lo + 1] : keel_sym_text_end;
    *offset = addr - keel_sym_addrs[lo];
    *size = end - keel_sym_addrs[lo];
    return keel_sym_names + keel_sym_name_offsets[lo];
}

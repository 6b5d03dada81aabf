/*
 * The Multiboot 1 and 2 information parsers (common/multiboot.c) over a
 * loader's memory made of the input.  As in test_multiboot.c, the reader
 * hands out a fresh heap copy of exactly the bytes asked for and frees
 * it at the next call, so ASan sees any read past what the parser asked
 * for and any use of an old pointer.
 *
 * Input: [protocol and holes] [offset of the info structure, 2 bytes]
 * [loader memory at LOW_BASE].
 *
 * Beyond ASan/UBSan: whatever the parser returns is bounded and
 * sanitised: counts within their arrays, strings NUL-terminated, the
 * memory map sorted with no empty or overlapping ranges.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/bootinfo.h>
#include <keel/errno.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOW_BASE 0x100000ULL

struct loader_mem {
    const uint8_t *mem;
    size_t len;
    uint8_t holes;              /* bit i: page i cannot be read */
    void *last;
};

static const void *read_phys(void *ctx, paddr_t pa, size_t len)
{
    struct loader_mem *m = ctx;
    uint64_t off;

    free(m->last);
    m->last = NULL;
    if (len == 0 || pa < LOW_BASE)
        return NULL;
    off = pa - LOW_BASE;
    if (off > m->len || len > m->len - off)
        return NULL;
    for (uint64_t pg = off / 4096; pg <= (off + len - 1) / 4096; pg++)
        if (pg < 8 && (m->holes >> pg & 1))
            return NULL;
    m->last = malloc(len);
    if (!m->last)
        abort();
    memcpy(m->last, m->mem + off, len);
    return m->last;
}

static void check(const struct boot_info *bi)
{
    if (bi->nr_mem > BOOT_MEM_MAX || bi->nr_mods > BOOT_MOD_MAX ||
        !memchr(bi->cmdline, 0, sizeof(bi->cmdline)) || !memchr(bi->loader, 0, sizeof(bi->loader)))
        fz_fail("%u ranges, %u modules, or an unterminated string", bi->nr_mem, bi->nr_mods);
    for (unsigned int i = 0; i < bi->nr_mem; i++) {
        const struct mem_range *r = &bi->mem[i];
        if (r->start >= r->end || (i && r->start < bi->mem[i - 1].end) ||
            (i && r->start == bi->mem[i - 1].end && r->type == bi->mem[i - 1].type))
            fz_fail("memory map entry %u [%#lx, %#lx) type %u not sanitised", i,
                    (unsigned long)r->start, (unsigned long)r->end, r->type);
    }
    for (unsigned int i = 0; i < bi->nr_mods; i++)
        if (!memchr(bi->mods[i].cmdline, 0, sizeof(bi->mods[i].cmdline)) ||
            bi->mods[i].start > bi->mods[i].end)
            fz_fail("module %u: [%#lx, %#lx) or an unterminated string", i,
                    (unsigned long)bi->mods[i].start, (unsigned long)bi->mods[i].end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct boot_info bi;
    struct fuzz_input in = { data, size };
    uint8_t sel = fz_u8(&in);
    uint64_t info = LOW_BASE + fz_u16(&in);
    struct loader_mem m = { in.p, in.left, (uint8_t)(sel >> 1), NULL };
    int rc;

    memset(&bi, 0xa5, sizeof(bi));      /* the parser must not rely on zeroes */
    rc = sel & 1 ? multiboot2_parse(&bi, info, read_phys, &m)
                 : multiboot1_parse(&bi, info, read_phys, &m);
    free(m.last);
    if (rc != 0 && rc != -EINVAL)
        fz_fail("parse: %d", rc);
    if (rc == 0)
        check(&bi);
    return 0;
}

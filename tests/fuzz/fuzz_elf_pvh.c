/*
 * The PVH kernel loader (common/elf_pvh.c) and the start-of-day layout
 * (common/pvh_build.c): an image from the input, checked, then loaded
 * into a fake domain (tests/unit/fake_gpa.c: its RAM is exactly
 * guest_ram_ranges(), a write outside it fails and is counted), then
 * the ramdisk, command line and hvm_start_info placed around it.
 *
 * Input: [memory size selector] [flags] [ramdisk length, 2 bytes]
 * [command line length] [command line] [the ELF image].
 *
 * Beyond ASan/UBSan: an image elf_pvh_parse() accepts fits the file and
 * the guest's low RAM and loads without a fault, each segment's bytes
 * where it says and zeros after them; the start info, when
 * built, is in RAM, carries Xen's magic, and overlaps neither the kernel
 * nor the ramdisk.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/elf_pvh.h>
#include <keel/errno.h>
#include <keel/pvh_build.h>
#include <public/hvm/start_info.h>
#include "../unit/fake_gpa.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t mem_sizes[] = {
    MiB(1), MiB(16), MiB(64), MiB(256) + 4096 * 3, GiB(3) + MiB(1), GiB(5),
    0, 4095,
};

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static void check_kernel(const struct pvh_kernel *k, size_t len, uint64_t ram_top)
{
    if (k->nr_segments == 0 || k->nr_segments > PVH_MAX_SEGMENTS ||
        k->load_start >= k->load_end || k->load_end > ram_top)
        fz_fail("accepted: %u segments, [%#lx, %#lx) under %#lx", k->nr_segments,
                (unsigned long)k->load_start, (unsigned long)k->load_end,
                (unsigned long)ram_top);
    for (unsigned int i = 0; i < k->nr_segments; i++) {
        const struct pvh_segment *s = &k->seg[i];
        if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset ||
            s->paddr < k->load_start || s->memsz > k->load_end - s->paddr)
            fz_fail("accepted segment %u: paddr %#lx memsz %#lx offset %#lx filesz %#lx", i,
                    (unsigned long)s->paddr, (unsigned long)s->memsz,
                    (unsigned long)s->offset, (unsigned long)s->filesz);
    }
}

/* What the loader wrote: each segment's file bytes, then zeros (small
 * segments that do not overlap, so that one's bytes are not another's). */
static void check_loaded(struct domain *d, const struct pvh_kernel *k, const uint8_t *img)
{
    static uint8_t got[65536];

    for (unsigned int i = 0; i < k->nr_segments; i++) {
        const struct pvh_segment *s = &k->seg[i];
        bool alone = s->memsz <= sizeof(got);
        for (unsigned int j = 0; j < k->nr_segments && alone; j++)
            alone = j == i || !overlaps(s->paddr, s->memsz, k->seg[j].paddr, k->seg[j].memsz);
        if (!alone || !s->memsz)
            continue;
        if (!fake_read(d, s->paddr, got, s->memsz) ||
            memcmp(got, img + s->offset, s->filesz))
            fz_fail("segment %u: not loaded as in the file", i);
        for (uint64_t b = s->filesz; b < s->memsz; b++)
            if (got[b])
                fz_fail("segment %u: byte %#lx past filesz is not zero", i, (unsigned long)b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size };
    uint64_t mem = mem_sizes[fz_u8(&in) % (sizeof(mem_sizes) / sizeof(mem_sizes[0]))];
    uint8_t flags = fz_u8(&in);
    size_t ramdisk_len = fz_u16(&in), cmd_len = fz_u8(&in);
    char cmdline[256], why[128];
    struct mem_range ram[PVH_MEMMAP_MAX];
    struct pvh_kernel k;
    struct pvh_layout lay;
    unsigned int nr = guest_ram_ranges(mem, ram);
    uint64_t si_gpa;
    struct domain *d;
    uint8_t *ramdisk;
    int rc;

    cmd_len = fz_bytes(&in, cmdline, cmd_len < sizeof(cmdline) ? cmd_len : sizeof(cmdline) - 1);
    cmdline[cmd_len] = '\0';
    /* The image is its own allocation: ASan sees any read past its end. */
    size_t len = in.left;
    uint8_t *img = malloc(len ? len : 1);
    if (!img)
        abort();
    memcpy(img, in.p, len);

    rc = elf_pvh_parse(img, len, nr ? ram[0].end : 0, &k, why, sizeof(why));
    if (rc < 0) {
        if (!memchr(why, 0, sizeof(why)) || !why[0])
            fz_fail("refused without a reason");
        free(img);
        return 0;
    }
    check_kernel(&k, len, ram[0].end);
    d = fake_domain_new(ram, nr);
    rc = elf_pvh_load(img, len, &k, d, why, sizeof(why));
    if (rc < 0 || fake_faults(d))
        fz_fail("an accepted image did not load: %d, %u faults (%s)", rc, fake_faults(d), why);
    check_loaded(d, &k, img);

    ramdisk = malloc(ramdisk_len ? ramdisk_len : 1);
    if (!ramdisk)
        abort();
    memset(ramdisk, 0x5a, ramdisk_len);
    rc = pvh_build_start_info(d, mem, &k, ramdisk_len ? ramdisk : NULL, ramdisk_len,
                              flags & 1 ? cmdline : NULL, flags & 6, 0, &si_gpa, why,
                              sizeof(why));
    if (rc == 0) {
        struct hvm_start_info si;
        if (pvh_plan_layout(mem, &k, ramdisk_len, flags & 1 ? cmdline : NULL, &lay, why,
                            sizeof(why)) < 0)
            fz_fail("built what it cannot plan");
        if (!fake_read(d, si_gpa, &si, sizeof(si)) || si.magic != XEN_HVM_START_MAGIC_VALUE ||
            si_gpa != lay.start_info_gpa)
            fz_fail("start info at %#lx missing or without its magic", (unsigned long)si_gpa);
        if (overlaps(lay.info_gpa, lay.info_size, k.load_start, k.load_end - k.load_start) ||
            overlaps(lay.ramdisk_gpa, lay.ramdisk_len, k.load_start, k.load_end - k.load_start) ||
            overlaps(lay.ramdisk_gpa, lay.ramdisk_len, lay.info_gpa, lay.info_size))
            fz_fail("layout overlaps: kernel [%#lx, %#lx) info %#lx+%#lx ramdisk %#lx+%#lx",
                    (unsigned long)k.load_start, (unsigned long)k.load_end,
                    (unsigned long)lay.info_gpa, (unsigned long)lay.info_size,
                    (unsigned long)lay.ramdisk_gpa, (unsigned long)lay.ramdisk_len);
    } else if (rc != -EINVAL && rc != -ENOMEM) {
        fz_fail("pvh_build_start_info: %d (%s)", rc, why);
    }
    free(ramdisk);
    fake_domain_free(d);
    free(img);
    return 0;
}

/*
 * PVH boot state: guest RAM layout, ramdisk placement and the start_info
 * (see keel/pvh_build.h for the layout and the reasons behind it).
 */
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/pvh_build.h>
#include <public/hvm/start_info.h>

static __printf(3, 4) void say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (!why || !whylen)
        return;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static unsigned long long mib_up(uint64_t bytes)
{
    return (unsigned long long)((bytes >> 20) + ((bytes & (MiB(1) - 1)) != 0));
}

unsigned int guest_ram_ranges(uint64_t mem_bytes, struct mem_range out[PVH_MEMMAP_MAX])
{
    uint64_t mem = ROUNDDOWN(mem_bytes, PAGE_SIZE);

    if (mem == 0)
        return 0;
    out[0].start = 0;
    out[0].end = MIN(mem, PVH_LOW_RAM_END);
    out[0].type = MEM_RAM;
    if (mem <= PVH_LOW_RAM_END)
        return 1;
    out[1].start = PVH_HIGH_RAM_START;
    out[1].end = PVH_HIGH_RAM_START + (mem - PVH_LOW_RAM_END);
    out[1].type = MEM_RAM;
    return 2;
}

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < b_end && b < a_end;
}

int pvh_plan_layout(uint64_t mem_bytes, const struct pvh_kernel *k,
                    size_t ramdisk_len, const char *cmdline,
                    struct pvh_layout *out, char *why, size_t whylen)
{
    struct pvh_layout l;
    uint64_t low_end, kstart, kend, rd_end = 0, limit, size, best = 0;
    uint64_t ends[3];
    bool found = false;

    memset(&l, 0, sizeof(l));
    l.nr_ram = guest_ram_ranges(mem_bytes, l.ram);
    if (l.nr_ram == 0) {
        say(why, whylen, "the domain has no memory");
        return -EINVAL;
    }
    low_end = l.ram[0].end;

    if (k->load_start >= k->load_end || k->load_end > low_end) {
        say(why, whylen, "kernel [0x%llx-0x%llx) is not inside guest RAM below 4 GiB "
            "(which ends at 0x%llx)", (unsigned long long)k->load_start,
            (unsigned long long)k->load_end, (unsigned long long)low_end);
        return -EINVAL;
    }
    kstart = ROUNDDOWN(k->load_start, PAGE_SIZE);
    kend = ROUNDUP(k->load_end, PAGE_SIZE);

    if (cmdline) {
        l.cmdline_len = strnlen(cmdline, PVH_CMDLINE_MAX);
        if (l.cmdline_len >= PVH_CMDLINE_MAX) {
            say(why, whylen, "guest command line is longer than %d bytes",
                PVH_CMDLINE_MAX - 1);
            return -EINVAL;
        }
    }

    /* The ramdisk: page-aligned, as high as low RAM goes, above the kernel. */
    if (ramdisk_len) {
        uint64_t pages = ROUNDUP((uint64_t)ramdisk_len, PAGE_SIZE);

        if (pages > low_end - kend) {
            say(why, whylen, "not enough guest memory for the ramdisk (%llu MiB) above the "
                "kernel (kernel ends at 0x%llx, RAM below 4 GiB ends at 0x%llx)",
                mib_up(ramdisk_len), (unsigned long long)kend, (unsigned long long)low_end);
            return -ENOMEM;
        }
        l.ramdisk_gpa = low_end - pages;
        l.ramdisk_len = ramdisk_len;
        rd_end = low_end;
    }

    /* The info region's size: every part 8-aligned. */
    size = ROUNDUP(sizeof(struct hvm_start_info), 8);
    if (ramdisk_len)
        size += ROUNDUP(sizeof(struct hvm_modlist_entry), 8);
    size += ROUNDUP(l.nr_ram * sizeof(struct hvm_memmap_table_entry), 8);
    if (cmdline)
        size += ROUNDUP(l.cmdline_len + 1, 8);
    l.info_size = ROUNDUP(size, PAGE_SIZE);

    /*
     * Try the region ending at each of: the 1 GiB limit, the ramdisk's
     * start, the kernel's start; keep the highest that is clear of page 0,
     * the kernel and the ramdisk.
     */
    limit = MIN(low_end, PVH_INFO_LIMIT);
    ends[0] = limit;
    ends[1] = ramdisk_len ? MIN(l.ramdisk_gpa, limit) : 0;
    ends[2] = MIN(kstart, limit);
    for (unsigned int i = 0; i < ARRAY_SIZE(ends); i++) {
        uint64_t start;

        if (ends[i] < l.info_size + PAGE_SIZE)
            continue;       /* would reach into page 0 */
        start = ends[i] - l.info_size;
        if (overlaps(start, ends[i], kstart, kend))
            continue;
        if (ramdisk_len && overlaps(start, ends[i], l.ramdisk_gpa, rd_end))
            continue;
        if (!found || start > best) {
            best = start;
            found = true;
        }
    }
    if (!found) {
        say(why, whylen, "no room for the start info (%llu bytes) in guest RAM below "
            "0x%llx outside page 0, the kernel [0x%llx-0x%llx) and the ramdisk",
            (unsigned long long)size, (unsigned long long)limit,
            (unsigned long long)kstart, (unsigned long long)kend);
        return -ENOMEM;
    }

    l.info_gpa = best;
    l.start_info_gpa = best;
    size = best + ROUNDUP(sizeof(struct hvm_start_info), 8);
    if (ramdisk_len) {
        l.modlist_gpa = size;
        size += ROUNDUP(sizeof(struct hvm_modlist_entry), 8);
    }
    l.memmap_gpa = size;
    size += ROUNDUP(l.nr_ram * sizeof(struct hvm_memmap_table_entry), 8);
    if (cmdline)
        l.cmdline_gpa = size;

    *out = l;
    return 0;
}

int pvh_build_start_info(struct domain *d, uint64_t mem_bytes,
                         const struct pvh_kernel *k,
                         const void *ramdisk, size_t ramdisk_len,
                         const char *cmdline, uint32_t flags, uint64_t rsdp_paddr,
                         uint64_t *start_info_gpa, char *why, size_t whylen)
{
    struct pvh_layout l;
    struct hvm_start_info si;
    struct hvm_modlist_entry mod;
    struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
    int rc;

    if (ramdisk_len && !ramdisk) {
        say(why, whylen, "ramdisk length given without a ramdisk");
        return -EINVAL;
    }
    rc = pvh_plan_layout(mem_bytes, k, ramdisk_len, cmdline, &l, why, whylen);
    if (rc)
        return rc;

    memset(&si, 0, sizeof(si));
    si.magic = XEN_HVM_START_MAGIC_VALUE;
    si.version = 1;
    si.flags = flags;
    si.nr_modules = ramdisk_len ? 1 : 0;
    si.modlist_paddr = l.modlist_gpa;
    si.cmdline_paddr = l.cmdline_gpa;
    si.rsdp_paddr = rsdp_paddr;
    si.memmap_paddr = l.memmap_gpa;
    si.memmap_entries = l.nr_ram;

    memset(map, 0, sizeof(map));
    for (unsigned int i = 0; i < l.nr_ram; i++) {
        map[i].addr = l.ram[i].start;
        map[i].size = l.ram[i].end - l.ram[i].start;
        map[i].type = XEN_HVM_MEMMAP_TYPE_RAM;
    }

    /* Zero the whole region first: padding and the page's tail are defined. */
    rc = clear_gpa(d, l.info_gpa, l.info_size);
    if (!rc)
        rc = copy_to_gpa(d, l.start_info_gpa, &si, sizeof(si));
    if (!rc)
        rc = copy_to_gpa(d, l.memmap_gpa, map, l.nr_ram * sizeof(map[0]));
    if (!rc && cmdline)
        rc = copy_to_gpa(d, l.cmdline_gpa, cmdline, l.cmdline_len + 1);
    if (!rc && ramdisk_len) {
        memset(&mod, 0, sizeof(mod));
        mod.paddr = l.ramdisk_gpa;
        mod.size = l.ramdisk_len;
        rc = copy_to_gpa(d, l.modlist_gpa, &mod, sizeof(mod));
    }
    if (rc) {
        say(why, whylen, "cannot write the start info at 0x%llx into guest memory (error %d)",
            (unsigned long long)l.info_gpa, rc);
        return rc;
    }

    if (ramdisk_len) {
        uint64_t tail = ROUNDUP(l.ramdisk_len, PAGE_SIZE) - l.ramdisk_len;

        rc = copy_to_gpa(d, l.ramdisk_gpa, ramdisk, ramdisk_len);
        if (!rc && tail)
            rc = clear_gpa(d, l.ramdisk_gpa + l.ramdisk_len, tail);
        if (rc) {
            say(why, whylen, "cannot copy the ramdisk to 0x%llx in guest memory (error %d)",
                (unsigned long long)l.ramdisk_gpa, rc);
            return rc;
        }
    }

    *start_info_gpa = l.start_info_gpa;
    return 0;
}

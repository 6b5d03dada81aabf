/*
 * Building a PVH domain's boot state: its guest-physical RAM layout and
 * the struct hvm_start_info (public/hvm/start_info.h) it is entered with.
 *
 * Guest-physical layout:
 *   [0, min(mem, 3 GiB))              RAM ("low RAM")
 *   [3 GiB, 4 GiB)                    hole: LAPIC, Xen special pages, MMIO
 *   [4 GiB, 4 GiB + mem - 3 GiB)      RAM, only when mem > 3 GiB
 * The kernel sits where its ELF p_paddr says (keel/elf_pvh.h).  The
 * ramdisk goes, page-aligned, at the top of low RAM.  One page-aligned
 * "info region" holds, in this order, struct hvm_start_info, the module
 * list (one entry when there is a ramdisk), the memory map (the RAM ranges
 * above, type RAM) and the NUL-terminated command line, each 8-aligned.
 *
 * Where the info region goes, and why:
 *  - below 1 GiB: Linux reads the module list and memory map through
 *    __va() while its early page tables map only the first 1 GiB;
 *  - outside the kernel's loaded range and the ramdisk;
 *  - never in guest page 0, so no address handed to the guest is 0 (a
 *    guest may take a 0 start_info/cmdline pointer to mean "none");
 *  - as high as those allow: right below the ramdisk when that is under
 *    1 GiB, else right below 1 GiB (or the end of RAM), else right below
 *    the kernel.
 * The ramdisk and the command line end below 4 GiB as Linux needs (it keeps
 * their addresses in 32-bit boot_params fields).
 */
#ifndef KEEL_PVH_BUILD_H
#define KEEL_PVH_BUILD_H

#include <keel/bootinfo.h>
#include <keel/elf_pvh.h>
#include <keel/types.h>

struct domain;

#define PVH_LOW_RAM_END     GiB(3)  /* RAM below 4 GiB stops here */
#define PVH_HIGH_RAM_START  GiB(4)  /* the rest continues here */
#define PVH_INFO_LIMIT      GiB(1)  /* the info region ends at or below this */
#define PVH_CMDLINE_MAX     2048    /* with the NUL: Linux's x86 COMMAND_LINE_SIZE */
#define PVH_MEMMAP_MAX      2       /* entries guest_ram_ranges() can return */

/*
 * The guest's RAM for mem_bytes of memory (rounded down to whole pages):
 * fills out[] with MEM_RAM ranges and returns how many (0 for no memory).
 */
unsigned int guest_ram_ranges(uint64_t mem_bytes, struct mem_range out[PVH_MEMMAP_MAX]);

/* Where pvh_build_start_info() puts things (all guest-physical). */
struct pvh_layout {
    struct mem_range ram[PVH_MEMMAP_MAX];
    unsigned int nr_ram;
    uint64_t ramdisk_gpa;       /* 0 when there is no ramdisk */
    uint64_t ramdisk_len;
    uint64_t info_gpa;          /* the info region: page-aligned */
    uint64_t info_size;         /* bytes, a whole number of pages */
    uint64_t start_info_gpa;    /* == info_gpa: what %ebx gets */
    uint64_t modlist_gpa;       /* 0 when there is no ramdisk */
    uint64_t memmap_gpa;
    uint64_t cmdline_gpa;       /* 0 when cmdline is NULL */
    uint64_t cmdline_len;       /* without the NUL */
};

/*
 * Decide the layout without touching guest memory.  cmdline may be NULL
 * (no command line).  Returns 0, or -EINVAL (no memory, kernel outside low
 * RAM, command line of PVH_CMDLINE_MAX bytes or more) or -ENOMEM (ramdisk
 * or info region does not fit), with the reason in why[whylen].
 */
int pvh_plan_layout(uint64_t mem_bytes, const struct pvh_kernel *k,
                    size_t ramdisk_len, const char *cmdline,
                    struct pvh_layout *out, char *why, size_t whylen);

/*
 * Plan the layout, copy the ramdisk and write the info region into d's RAM
 * (with copy_to_gpa / clear_gpa; call after the domain's memory has been
 * populated and the kernel loaded).  flags go to hvm_start_info.flags:
 * 0 for an ordinary domain, SIF_PRIVILEGED | SIF_INITDOMAIN for dom0.
 * rsdp_paddr goes to hvm_start_info (0: none).  On success *start_info_gpa is the
 * value for the vCPU's %ebx.  Errors as pvh_plan_layout, or the failing
 * copy's error (-EFAULT: d's memory does not cover the layout).
 */
int pvh_build_start_info(struct domain *d, uint64_t mem_bytes,
                         const struct pvh_kernel *k,
                         const void *ramdisk, size_t ramdisk_len,
                         const char *cmdline, uint32_t flags, uint64_t rsdp_paddr,
                         uint64_t *start_info_gpa, char *why, size_t whylen);

#endif

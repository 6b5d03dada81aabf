/*
 * PVH kernel images: check an ELF file that came from a boot module and
 * load it into a domain's memory.
 *
 * The image is hostile input.  elf_pvh_parse() reads it only within
 * [img, img + len), checks every header, table, segment and note it uses,
 * and on success describes what to load; elf_pvh_load() then copies it.
 * Both return 0 or a negative errno and, on error, write one human sentence
 * saying what is wrong into why[whylen] (why may be NULL).
 *
 * What is accepted: what QEMU's own PVH loader (hw/i386/x86.c,
 * load_elfboot) accepts, except where marked stricter below:
 *  - ELF magic, ELFCLASS32 or ELFCLASS64, little-endian, e_machine EM_386
 *    or EM_X86_64 in either class, e_type ET_EXEC or ET_DYN.  QEMU does not
 *    look at e_type; ET_DYN is taken, like ET_EXEC, at its p_paddr without
 *    relocation.  ET_REL and ET_CORE have nothing to load and are refused.
 *  - e_ehsize at least the header size; e_phentsize exactly the program
 *    header size; the program header table inside the file.  The section
 *    header table, when e_shnum != 0, must have the right entry size and
 *    lie inside the file too (QEMU is laxer here: it skips a bad one).
 *  - PT_LOAD segments are loaded at p_paddr (never p_vaddr: Linux's percpu
 *    segment has p_vaddr 0).  filesz <= memsz; file bytes inside the file;
 *    [paddr, paddr + memsz) must not wrap (nor pass 4 GiB for ELF32), must
 *    end at or below guest_ram_top, and must not overlap another segment.
 *    (Stricter than QEMU, which quietly drops the zero-filled tail of a
 *    segment when only that tail overlaps another: a real kernel never
 *    needs it.)  Segments with memsz 0 are ignored, as QEMU does.  Guest page 0 MAY be
 *    covered: QEMU allows it and some tiny kernels start there; Keel keeps
 *    only its own start_info out of page 0 (see keel/pvh_build.h).
 *  - The entry point is the "Xen" note XEN_ELFNOTE_PHYS32_ENTRY (type 18)
 *    with a 4- or 8-byte value, looked for in the PT_NOTE segments (as QEMU
 *    does) and then, as Xen's libelf does, in SHT_NOTE sections.  A note's
 *    descriptor and the next note start 8-aligned when their segment or
 *    section is 8-aligned, else 4-aligned (readelf's rule; for 4 it is also
 *    QEMU's).
 *    Stricter than QEMU: the value must fit in 32 bits and lie inside the
 *    file-backed part of a loaded segment (anything else is a guaranteed
 *    triple fault at the first instruction, better refused with a reason).
 *
 * Error numbers: -ENOEXEC not an x86 ELF executable or no PVH entry note;
 * -EINVAL malformed headers, tables, segments or notes; -ENOMEM a segment
 * lies beyond guest_ram_top; -E2BIG more than PVH_MAX_SEGMENTS segments.
 */
#ifndef KEEL_ELF_PVH_H
#define KEEL_ELF_PVH_H

#include <keel/types.h>

struct domain;

/* Linux vmlinux has 4 or 5 PT_LOADs; anything near this limit is suspect. */
#define PVH_MAX_SEGMENTS 16

struct pvh_segment {
    uint64_t paddr;         /* guest-physical load address (p_paddr) */
    uint64_t memsz;         /* bytes in guest memory; memsz - filesz zeroed */
    uint64_t offset;        /* file offset of the filesz bytes */
    uint64_t filesz;
};

struct pvh_kernel {
    uint32_t entry;         /* XEN_ELFNOTE_PHYS32_ENTRY: 32-bit physical entry */
    bool elf64;             /* ELFCLASS64 */
    uint16_t machine;       /* EM_386 or EM_X86_64 */
    uint64_t load_start;    /* lowest p_paddr loaded */
    uint64_t load_end;      /* end (exclusive) of the highest segment */
    unsigned int nr_segments;
    struct pvh_segment seg[PVH_MAX_SEGMENTS];   /* in program header order */
};

/*
 * Check the image img[0, len) and fill *out.  guest_ram_top: every segment
 * must end at or below it (pass the end of the guest's RAM below 4 GiB,
 * i.e. the end of the first range of guest_ram_ranges()).  *out is written
 * only on success.
 */
int elf_pvh_parse(const void *img, size_t len, uint64_t guest_ram_top,
                  struct pvh_kernel *out, char *why, size_t whylen);

/*
 * Copy each segment of k (from elf_pvh_parse on the same image) into d's
 * memory with copy_to_gpa() and zero the rest of its memsz with
 * clear_gpa().  Returns 0, -EINVAL if k does not fit img, or the error of
 * the failing copy (-EFAULT: that range is not all the domain's RAM).
 */
int elf_pvh_load(const void *img, size_t len, const struct pvh_kernel *k,
                 struct domain *d, char *why, size_t whylen);

#endif

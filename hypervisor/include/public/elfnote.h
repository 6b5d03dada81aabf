/*
 * Xen ELF note types (guest ABI).
 *
 * A Xen-aware kernel describes itself with ELF notes whose owner name is
 * "Xen" (namesz 4, NUL included).  Numeric notes carry a 4- or 8-byte
 * little-endian value; the others carry a NUL-terminated string.  The
 * numbers are Xen's (xen/include/public/elfnote.h); the descriptions are
 * ours.  Keel reads only PHYS32_ENTRY: a PVH guest is entered there in
 * 32-bit protected mode with paging off and %ebx = the guest-physical
 * address of struct hvm_start_info (public/hvm/start_info.h).
 *
 * Freestanding: no includes at all, so guests built -m32 or -m64 and
 * assembler files can use it.
 */
#ifndef KEEL_PUBLIC_ELFNOTE_H
#define KEEL_PUBLIC_ELFNOTE_H

/* The owner name every Xen note carries. */
#define XEN_ELFNOTE_NAME            "Xen"

#define XEN_ELFNOTE_INFO            0   /* string: NAME=VALUE */
#define XEN_ELFNOTE_ENTRY           1   /* numeric: PV entry, virtual address */
#define XEN_ELFNOTE_HYPERCALL_PAGE  2   /* numeric: hypercall page, virtual */
#define XEN_ELFNOTE_VIRT_BASE       3   /* numeric: where the image is mapped */
#define XEN_ELFNOTE_PADDR_OFFSET    4   /* numeric: p_paddr bias of old kernels */
#define XEN_ELFNOTE_XEN_VERSION     5   /* string: Xen interface, "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS        6   /* string: e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION   7   /* string */
#define XEN_ELFNOTE_LOADER          8   /* string: e.g. "generic" */
#define XEN_ELFNOTE_PAE_MODE        9   /* string: "yes", "no", "bimodal" */
#define XEN_ELFNOTE_FEATURES        10  /* string: '|'-separated, '!' = required */
#define XEN_ELFNOTE_BSD_SYMTAB      11  /* string: "yes" to load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW    12  /* numeric: lowest hypervisor hole start */
#define XEN_ELFNOTE_L1_MFN_VALID    13  /* numeric list: mask/value pairs */
#define XEN_ELFNOTE_SUSPEND_CANCEL  14  /* numeric: cooperative suspend cancel */
#define XEN_ELFNOTE_INIT_P2M        15  /* numeric: where to map the initial P2M */
#define XEN_ELFNOTE_MOD_START_PFN   16  /* numeric: initrd may be unmapped */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* numeric: XENFEAT_* bitmap */
#define XEN_ELFNOTE_PHYS32_ENTRY    18  /* numeric: PVH 32-bit physical entry */
#define XEN_ELFNOTE_PHYS32_RELOC    19  /* up to three u32: align, min, max */

#define XEN_ELFNOTE_MAX             XEN_ELFNOTE_PHYS32_RELOC

/* Notes written into crash dumps, never read from a guest image. */
#define XEN_ELFNOTE_CRASH_INFO      0x1000001
#define XEN_ELFNOTE_CRASH_REGS      0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif

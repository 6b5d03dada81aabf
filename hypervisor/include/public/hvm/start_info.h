/*
 * The PVH start of day structure (guest ABI, x86).
 *
 * A PVH guest is entered at its XEN_ELFNOTE_PHYS32_ENTRY with %ebx holding
 * the guest-physical address of struct hvm_start_info.  Every address in
 * these structures is guest-physical; every field is little-endian.  The
 * layouts are Xen's (xen/include/public/arch-x86/hvm/start_info.h), byte
 * for byte; the words are ours.  Version 1 (56 bytes) adds the memory map
 * to version 0 (48 bytes): a guest reads memmap_* only when version >= 1
 * and memmap_entries != 0.
 *
 * All fields are naturally aligned, so the layout is the same whether the
 * reader is 32-bit (where uint64_t is only 4-byte aligned in structs) or
 * 64-bit; the assertions below check that for whichever -m this is built.
 * Freestanding: <stdint.h> only.
 */
#ifndef KEEL_PUBLIC_HVM_START_INFO_H
#define KEEL_PUBLIC_HVM_START_INFO_H

#include <stdint.h>

/* "xEn3" with the top bit of the 'E' set. */
#define XEN_HVM_START_MAGIC_VALUE   0x336ec578

/* Memory map entry types: the ACPI / E820 address range types. */
#define XEN_HVM_MEMMAP_TYPE_RAM       1
#define XEN_HVM_MEMMAP_TYPE_RESERVED  2
#define XEN_HVM_MEMMAP_TYPE_ACPI      3     /* ACPI tables, reclaimable */
#define XEN_HVM_MEMMAP_TYPE_NVS       4     /* ACPI non-volatile storage */
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE  5
#define XEN_HVM_MEMMAP_TYPE_DISABLED  6
#define XEN_HVM_MEMMAP_TYPE_PMEM      7     /* persistent memory */

/*
 * Values of hvm_start_info.flags: Xen's SIF_* start flags (public/xen.h,
 * shared with PV's start_info).  Linux reads SIF_INITDOMAIN to decide it is
 * dom0.  Guarded so that a public/xen.h spelling them the same way can
 * coexist.
 */
#ifndef SIF_PRIVILEGED
#define SIF_PRIVILEGED      (1U << 0)   /* the domain is privileged */
#endif
#ifndef SIF_INITDOMAIN
#define SIF_INITDOMAIN      (1U << 1)   /* the initial control domain */
#endif

struct hvm_start_info {
    uint32_t magic;             /* XEN_HVM_START_MAGIC_VALUE */
    uint32_t version;           /* 1: the memmap fields below are valid */
    uint32_t flags;             /* SIF_* */
    uint32_t nr_modules;        /* entries at modlist_paddr */
    uint64_t modlist_paddr;     /* array of struct hvm_modlist_entry */
    uint64_t cmdline_paddr;     /* NUL-terminated ASCII, 0: none */
    uint64_t rsdp_paddr;        /* ACPI RSDP, 0: none (guest may scan) */
    /* Version 1 and later. */
    uint64_t memmap_paddr;      /* array of struct hvm_memmap_table_entry */
    uint32_t memmap_entries;    /* 0: no map given */
    uint32_t reserved;          /* zero */
};

struct hvm_modlist_entry {
    uint64_t paddr;             /* start of the module */
    uint64_t size;              /* its length in bytes */
    uint64_t cmdline_paddr;     /* NUL-terminated ASCII, 0: none */
    uint64_t reserved;          /* zero */
};

struct hvm_memmap_table_entry {
    uint64_t addr;              /* start of the range */
    uint64_t size;              /* its length in bytes */
    uint32_t type;              /* XEN_HVM_MEMMAP_TYPE_* */
    uint32_t reserved;          /* zero */
};

/* Size of a version 0 structure: everything before memmap_paddr. */
#define HVM_START_INFO_V0_SIZE  40

#define HVM_START_INFO_CHECK_(t, f, off) \
    _Static_assert(__builtin_offsetof(struct t, f) == (off), \
                   #t "." #f " must be at offset " #off)

HVM_START_INFO_CHECK_(hvm_start_info, magic, 0);
HVM_START_INFO_CHECK_(hvm_start_info, version, 4);
HVM_START_INFO_CHECK_(hvm_start_info, flags, 8);
HVM_START_INFO_CHECK_(hvm_start_info, nr_modules, 12);
HVM_START_INFO_CHECK_(hvm_start_info, modlist_paddr, 16);
HVM_START_INFO_CHECK_(hvm_start_info, cmdline_paddr, 24);
HVM_START_INFO_CHECK_(hvm_start_info, rsdp_paddr, 32);
HVM_START_INFO_CHECK_(hvm_start_info, memmap_paddr, 40);
HVM_START_INFO_CHECK_(hvm_start_info, memmap_entries, 48);
HVM_START_INFO_CHECK_(hvm_start_info, reserved, 52);
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info is 56 bytes");

HVM_START_INFO_CHECK_(hvm_modlist_entry, paddr, 0);
HVM_START_INFO_CHECK_(hvm_modlist_entry, size, 8);
HVM_START_INFO_CHECK_(hvm_modlist_entry, cmdline_paddr, 16);
HVM_START_INFO_CHECK_(hvm_modlist_entry, reserved, 24);
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry is 32 bytes");

HVM_START_INFO_CHECK_(hvm_memmap_table_entry, addr, 0);
HVM_START_INFO_CHECK_(hvm_memmap_table_entry, size, 8);
HVM_START_INFO_CHECK_(hvm_memmap_table_entry, type, 16);
HVM_START_INFO_CHECK_(hvm_memmap_table_entry, reserved, 20);
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
               "hvm_memmap_table_entry is 24 bytes");

#undef HVM_START_INFO_CHECK_

#endif

/*
 * What the boot loader told us, in a loader-neutral form.  Filled by the
 * Multiboot1 and Multiboot2 parsers (common/multiboot.c), which read the
 * loader's structures only through a bounds-checked physical-memory reader,
 * so that a malformed or truncated structure is reported, never followed.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <keel/types.h>

#define BOOT_MEM_MAX     128
#define BOOT_MOD_MAX      32
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MODLINE_MAX 512

/* E820 / Multiboot memory types. */
enum mem_type {
    MEM_RAM = 1,
    MEM_RESERVED = 2,
    MEM_ACPI = 3,       /* ACPI tables, reclaimable */
    MEM_NVS = 4,        /* ACPI non-volatile storage */
    MEM_BAD = 5,        /* defective RAM */
};

struct mem_range {
    uint64_t start, end;    /* [start, end) in bytes */
    uint32_t type;          /* enum mem_type; unknown types count as reserved */
};

struct boot_module {
    paddr_t start, end;                 /* [start, end) */
    char cmdline[BOOT_MODLINE_MAX];     /* module string, truncated if longer */
};

struct boot_info {
    unsigned int protocol;              /* 1 or 2 */
    char cmdline[BOOT_CMDLINE_MAX];     /* hypervisor command line */
    char loader[64];                    /* boot loader name, "" if not given */

    struct mem_range mem[BOOT_MEM_MAX];
    unsigned int nr_mem;                /* 0: the loader gave no memory map */

    struct boot_module mods[BOOT_MOD_MAX];
    unsigned int nr_mods;
    /*
     * Module strings start with the module's path: QEMU and GRUB legacy put
     * it there, GRUB 2 does not (its "module2 FILE ARGS" passes ARGS only).
     * The hypervisor command line never has it: the parser strips it.
     */
    bool mod_path_first;

    bool have_rsdp;                     /* Multiboot2 ACPI tag: copy of the RSDP */
    uint8_t rsdp[36];

    paddr_t info_start, info_end;       /* the loader's structure itself */
    unsigned int warnings;              /* problems reported while parsing */
};

/*
 * Returns a pointer through which len bytes of physical memory at pa can be
 * read, or NULL when that range cannot be read (outside what is mapped).
 */
typedef const void *(*phys_reader_t)(void *ctx, paddr_t pa, size_t len);

/*
 * Parse the loader's information structure at info_pa.  Return 0, or
 * -EINVAL when the structure itself cannot be read or is malformed beyond
 * use.  Smaller problems (truncated memory map, unreadable module string,
 * too many modules) are reported with pr_warn, counted in bi->warnings, and
 * parsing goes on with what was valid.
 */
int multiboot1_parse(struct boot_info *bi, paddr_t info_pa,
                     phys_reader_t read, void *ctx);
int multiboot2_parse(struct boot_info *bi, paddr_t info_pa,
                     phys_reader_t read, void *ctx);

/*
 * Memory map arithmetic on arrays of struct mem_range (capacity max).
 *
 * memmap_sanitize: sort by address, drop empty ranges, resolve overlaps (the
 * more restrictive type wins: anything beats RAM), merge adjacent ranges of
 * the same type.  Returns the new count.
 *
 * memmap_subtract: remove [start, end) from every range.  Returns the new
 * count, or -ENOSPC if splitting a range would exceed max (nothing changed).
 */
unsigned int memmap_sanitize(struct mem_range *r, unsigned int n, unsigned int max);
int memmap_subtract(struct mem_range *r, unsigned int n, unsigned int max,
                    uint64_t start, uint64_t end);

#endif

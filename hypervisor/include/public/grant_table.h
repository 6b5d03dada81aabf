/*
 * grant_table_op (hypercall 20):
 *   long grant_table_op(unsigned int cmd, void *ops, unsigned int count)
 * where ops points at an array of count argument structures of the type
 * the command names.  Sub-op numbers, the v1 grant entry, the GTF_ flags,
 * argument layouts and GNTST_ status codes are Xen 4.17's (read in
 * xen/include/public/grant_table.h, layouts checked by compiling Xen's
 * header -m64 and -m32); see README.md.
 *
 * A grant table is an array of grant entries in pages the hypervisor owns
 * and the granting guest maps (XENMEM_add_to_physmap, space
 * XENMAPSPACE_grant_table).  Entry `ref` says which domain may use which
 * of the granter's frames, and how.  The granter writes domid and frame
 * first and flags last; the hypervisor sets GTF_reading / GTF_writing
 * while the grant is in use and the granter may only revoke it (clear
 * flags) while both are clear.
 */
#ifndef KEEL_PUBLIC_GRANT_TABLE_H
#define KEEL_PUBLIC_GRANT_TABLE_H

#include "xen.h"

typedef uint32_t grant_ref_t;

/* ---- Version 1 grant entries (8 bytes, 512 per 4 KiB frame) ------------ */

struct grant_entry_v1 {
    uint16_t flags;                 /* GTF_*; written by guest and hypervisor */
    domid_t domid;                  /* the domain being granted access */
    uint32_t frame;                 /* permit_access: GFN of the granted page */
};
typedef struct grant_entry_v1 grant_entry_v1_t;

#define GNTTAB_V1_PER_FRAME         512     /* 4096 / sizeof(grant_entry_v1) */

/* Entries 0..7 belong to the toolstack: 0 console ring, 1 xenstore ring. */
#define GNTTAB_NR_RESERVED_ENTRIES  8
#define GNTTAB_RESERVED_CONSOLE     0
#define GNTTAB_RESERVED_XENSTORE    1

/* Type, bits 0-1. */
#define GTF_invalid             (0u << 0)
#define GTF_permit_access       (1u << 0)   /* domid may access frame */
#define GTF_accept_transfer     (2u << 0)   /* domid may transfer a page into frame */
#define GTF_transitive          (3u << 0)   /* v2 only */
#define GTF_type_mask           (3u << 0)

/* permit_access flags. */
#define _GTF_readonly           2
#define GTF_readonly            (1u << _GTF_readonly)   /* no write access */
#define _GTF_reading            3
#define GTF_reading             (1u << _GTF_reading)    /* hypervisor: in use */
#define _GTF_writing            4
#define GTF_writing             (1u << _GTF_writing)    /* hypervisor: in use, writable */
#define _GTF_PWT                5
#define GTF_PWT                 (1u << _GTF_PWT)
#define _GTF_PCD                6
#define GTF_PCD                 (1u << _GTF_PCD)
#define _GTF_PAT                7
#define GTF_PAT                 (1u << _GTF_PAT)
#define _GTF_sub_page           8
#define GTF_sub_page            (1u << _GTF_sub_page)   /* v2 only */

/* accept_transfer flags (same bits, other meaning). */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1u << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1u << _GTF_transfer_completed)

/* ---- Sub-ops ------------------------------------------------------------ */

#define GNTTABOP_map_grant_ref      0
#define GNTTABOP_unmap_grant_ref    1
#define GNTTABOP_setup_table        2   /* struct gnttab_setup_table, count 1 */
#define GNTTABOP_dump_table         3
#define GNTTABOP_transfer           4
#define GNTTABOP_copy               5   /* struct gnttab_copy[count] */
#define GNTTABOP_query_size         6   /* struct gnttab_query_size, count 1 */
#define GNTTABOP_unmap_and_replace  7
#define GNTTABOP_set_version        8   /* struct gnttab_set_version */
#define GNTTABOP_get_status_frames  9
#define GNTTABOP_get_version        10  /* struct gnttab_get_version */
#define GNTTABOP_swap_grant_ref     11
#define GNTTABOP_cache_flush        12

/* XENMEM_add_to_physmap(XENMAPSPACE_grant_table): idx names a v2 status
 * frame when this bit is set. */
#define XENMAPIDX_grant_table_status 0x80000000u

/* ---- Argument structures ------------------------------------------------ */

/*
 * setup_table: grow dom's table to nr_frames frames and list them in
 * frame_list (an array of nr_frames frame numbers: xen_pfn_t, or
 * compat_pfn_t for a 32-bit caller).  For a translated (HVM/PVH) guest a
 * frame is the GFN it is mapped at, or all ones if it is not mapped.
 */
struct gnttab_setup_table {
    domid_t dom;                    /* in */
    uint32_t nr_frames;             /* in */
    int16_t status;                 /* out: GNTST_* */
    xen_guest_handle_t frame_list;  /* in: xen_pfn_t[nr_frames] */
};
struct compat_gnttab_setup_table {
    domid_t dom;
    uint32_t nr_frames;
    int16_t status;
    compat_guest_handle_t frame_list;   /* compat_pfn_t[nr_frames] */
};

/* query_size: how many frames dom's table has, and may have. */
struct gnttab_query_size {
    domid_t dom;                    /* in */
    uint32_t nr_frames;             /* out */
    uint32_t max_nr_frames;         /* out */
    int16_t status;                 /* out: GNTST_* */
};

/* set_version: in: the version wanted; out: the version in force. */
struct gnttab_set_version {
    uint32_t version;
};

/* get_version: the version of dom's table. */
struct gnttab_get_version {
    domid_t dom;                    /* in */
    uint16_t pad;
    uint32_t version;               /* out */
};

/*
 * copy: len bytes from source to dest.  Each side is either a grant
 * reference of domain `domid` (GNTCOPY_source_gref / GNTCOPY_dest_gref
 * set) or, without its flag, a GFN of the caller (domid must then be
 * DOMID_SELF).  Neither side may cross the end of its page.
 */
#define _GNTCOPY_source_gref    0
#define GNTCOPY_source_gref     (1u << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref      1
#define GNTCOPY_dest_gref       (1u << _GNTCOPY_dest_gref)

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        xen_pfn_t gmfn;
    } u;
    domid_t domid;
    uint16_t offset;
};
struct gnttab_copy {
    struct gnttab_copy_ptr source, dest;    /* in */
    uint16_t len;                   /* in */
    uint16_t flags;                 /* in: GNTCOPY_* */
    int16_t status;                 /* out: GNTST_* */
};

/* The 32-bit layout: xen_pfn_t is 4 bytes there, so everything moves up. */
struct compat_gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        compat_pfn_t gmfn;
    } u;
    domid_t domid;
    uint16_t offset;
};
struct compat_gnttab_copy {
    struct compat_gnttab_copy_ptr source, dest;
    uint16_t len;
    uint16_t flags;
    int16_t status;
};

/* ---- Per-op status codes (the status fields, int16_t) ------------------ */

#define GNTST_okay               0
#define GNTST_general_error     (-1)    /* bad flags, domid, readonly, ... */
#define GNTST_bad_domain        (-2)    /* no such domain */
#define GNTST_bad_gntref        (-3)    /* reference beyond the table */
#define GNTST_bad_handle        (-4)
#define GNTST_bad_virt_addr     (-5)    /* frame_list could not be written */
#define GNTST_bad_dev_addr      (-6)
#define GNTST_no_device_space   (-7)
#define GNTST_permission_denied (-8)    /* not the caller's to ask about */
#define GNTST_bad_page          (-9)    /* frame not present */
#define GNTST_bad_copy_arg      (-10)   /* copy crosses a page end */
#define GNTST_address_too_big   (-11)
#define GNTST_eagain            (-12)
#define GNTST_no_space          (-13)

/* ---- Layout checks ------------------------------------------------------ */

_Static_assert(sizeof(struct grant_entry_v1) == 8 &&
               __builtin_offsetof(struct grant_entry_v1, domid) == 2 &&
               __builtin_offsetof(struct grant_entry_v1, frame) == 4,
               "grant_entry_v1");
_Static_assert(sizeof(struct gnttab_setup_table) == 24 &&
               __builtin_offsetof(struct gnttab_setup_table, nr_frames) == 4 &&
               __builtin_offsetof(struct gnttab_setup_table, status) == 8 &&
               __builtin_offsetof(struct gnttab_setup_table, frame_list) == 16,
               "gnttab_setup_table");
_Static_assert(sizeof(struct compat_gnttab_setup_table) == 16 &&
               __builtin_offsetof(struct compat_gnttab_setup_table, status) == 8 &&
               __builtin_offsetof(struct compat_gnttab_setup_table, frame_list) == 12,
               "compat_gnttab_setup_table");
_Static_assert(sizeof(struct gnttab_query_size) == 16 &&
               __builtin_offsetof(struct gnttab_query_size, nr_frames) == 4 &&
               __builtin_offsetof(struct gnttab_query_size, max_nr_frames) == 8 &&
               __builtin_offsetof(struct gnttab_query_size, status) == 12,
               "gnttab_query_size");
_Static_assert(sizeof(struct gnttab_set_version) == 4, "gnttab_set_version");
_Static_assert(sizeof(struct gnttab_get_version) == 8 &&
               __builtin_offsetof(struct gnttab_get_version, version) == 4,
               "gnttab_get_version");
_Static_assert(sizeof(struct gnttab_copy_ptr) == 16 &&
               __builtin_offsetof(struct gnttab_copy_ptr, domid) == 8 &&
               __builtin_offsetof(struct gnttab_copy_ptr, offset) == 10,
               "gnttab_copy_ptr");
_Static_assert(sizeof(struct gnttab_copy) == 40 &&
               __builtin_offsetof(struct gnttab_copy, dest) == 16 &&
               __builtin_offsetof(struct gnttab_copy, len) == 32 &&
               __builtin_offsetof(struct gnttab_copy, flags) == 34 &&
               __builtin_offsetof(struct gnttab_copy, status) == 36,
               "gnttab_copy");
_Static_assert(sizeof(struct compat_gnttab_copy_ptr) == 8 &&
               __builtin_offsetof(struct compat_gnttab_copy_ptr, domid) == 4 &&
               __builtin_offsetof(struct compat_gnttab_copy_ptr, offset) == 6,
               "compat_gnttab_copy_ptr");
_Static_assert(sizeof(struct compat_gnttab_copy) == 24 &&
               __builtin_offsetof(struct compat_gnttab_copy, dest) == 8 &&
               __builtin_offsetof(struct compat_gnttab_copy, len) == 16 &&
               __builtin_offsetof(struct compat_gnttab_copy, flags) == 18 &&
               __builtin_offsetof(struct compat_gnttab_copy, status) == 20,
               "compat_gnttab_copy");

#endif

/*
 * memory_op (hypercall 12): the sub-ops Keel implements, with Xen's
 * numbers and layouts.  struct foo is the 64-bit layout, compat_foo the
 * 32-bit one.
 */
#ifndef PUBLIC_MEMORY_H
#define PUBLIC_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation  0
#define XENMEM_decrease_reservation  1
#define XENMEM_maximum_ram_page      2
#define XENMEM_current_reservation   3
#define XENMEM_maximum_reservation   4
#define XENMEM_machphys_mfn_list     5
#define XENMEM_populate_physmap      6
#define XENMEM_add_to_physmap        7
#define XENMEM_memory_map            9
#define XENMEM_machine_memory_map   10
#define XENMEM_set_memory_map       13
#define XENMEM_maximum_gpfn         14
#define XENMEM_remove_from_physmap  15

/* The sub-op is the low 6 bits of cmd; the rest is a continuation index
 * (for the reservation ops: the extents already done). */
#define MEMOP_CMD_MASK              0x3f
#define MEMOP_EXTENT_SHIFT          6

/*
 * increase_reservation, decrease_reservation, populate_physmap: 2^order
 * frames per extent; extent_start lists the extents' first frames (for a
 * translated guest, GFNs on input for both decrease and populate; 8-byte
 * entries, 4-byte ones for 32-bit callers).  They return how many extents
 * were done.
 */
struct xen_memory_reservation {
    xen_guest_handle_t extent_start;    /* xen_pfn_t[nr_extents] */
    xen_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;                 /* XENMEMF_* */
    domid_t domid;
};
struct compat_xen_memory_reservation {
    compat_guest_handle_t extent_start; /* compat_pfn_t[nr_extents] */
    compat_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    domid_t domid;
};

/* mem_flags: allocation hints. */
#define XENMEMF_get_address_bits(f) ((f) & 0xffu)   /* 0: no limit */
#define XENMEMF_get_node(f)         ((((f) >> 8) - 1) & 0xffu)  /* 0xff: any node */
#define XENMEMF_populate_on_demand  (1u << 16)
#define XENMEMF_exact_node_request  (1u << 17)
#define XENMEMF_vnode               (1u << 18)

/* add_to_physmap spaces. */
#define XENMAPSPACE_shared_info      0
#define XENMAPSPACE_grant_table      1
#define XENMAPSPACE_gmfn             2

struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;                  /* gmfn_range only */
    uint32_t space;                 /* XENMAPSPACE_* */
    uint64_aligned_t idx;           /* which page of the space */
    uint64_aligned_t gpfn;          /* where the guest wants it */
};
struct compat_xen_add_to_physmap {
    domid_t domid;
    uint16_t size;
    uint32_t space;
    uint32_t idx;
    uint32_t gpfn;
};

/* memory_map: entries are packed 20-byte e820 records. */
struct xen_memory_map {
    uint32_t nr_entries;            /* in: room in buffer; out: entries written */
    xen_guest_handle_t buffer;
};
struct compat_xen_memory_map {
    uint32_t nr_entries;
    compat_guest_handle_t buffer;
};

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct xen_memory_reservation) == 32 &&
               __builtin_offsetof(struct xen_memory_reservation, nr_extents) == 8 &&
               __builtin_offsetof(struct xen_memory_reservation, extent_order) == 16 &&
               __builtin_offsetof(struct xen_memory_reservation, mem_flags) == 20 &&
               __builtin_offsetof(struct xen_memory_reservation, domid) == 24,
               "xen_memory_reservation");
_Static_assert(sizeof(struct compat_xen_memory_reservation) == 20 &&
               __builtin_offsetof(struct compat_xen_memory_reservation, extent_order) == 8 &&
               __builtin_offsetof(struct compat_xen_memory_reservation, domid) == 16,
               "compat_xen_memory_reservation");
_Static_assert(sizeof(struct xen_add_to_physmap) == 24 &&
               __builtin_offsetof(struct xen_add_to_physmap, space) == 4 &&
               __builtin_offsetof(struct xen_add_to_physmap, idx) == 8 &&
               __builtin_offsetof(struct xen_add_to_physmap, gpfn) == 16,
               "xen_add_to_physmap");
_Static_assert(sizeof(struct compat_xen_add_to_physmap) == 16, "compat_xen_add_to_physmap");
_Static_assert(sizeof(struct xen_memory_map) == 16 &&
               __builtin_offsetof(struct xen_memory_map, buffer) == 8, "xen_memory_map");
_Static_assert(sizeof(struct compat_xen_memory_map) == 8, "compat_xen_memory_map");
_Static_assert(sizeof(struct e820_entry) == 20, "e820_entry");

#endif

/*
 * The shared-info page and the per-vCPU vcpu_info area, x86 layouts
 * (Xen 4.17: xen/include/public/xen.h and arch-x86/xen.h, arch-x86/
 * xen-x86_64.h, xen-x86_32.h); see README.md.
 *
 * A domain has one shared-info page, written by both the hypervisor and
 * the guest: event-channel pending and mask bitmaps (2-level ABI), the wall
 * clock, and vcpu_info slots for vCPUs 0..XEN_LEGACY_MAX_VCPUS-1.  A guest
 * may move a vCPU's vcpu_info elsewhere (VCPUOP_register_vcpu_info), which
 * Linux does for every vCPU.  Which layout a domain's page has depends on
 * the guest's width: struct shared_info for a 64-bit guest, struct
 * compat_shared_info for a 32-bit one.
 */
#ifndef KEEL_PUBLIC_SHARED_INFO_H
#define KEEL_PUBLIC_SHARED_INFO_H

#include "xen.h"

#define XEN_LEGACY_MAX_VCPUS 32     /* vcpu_info slots in shared_info */

/*
 * pvclock: system time (ns since boot) = system_time +
 * ((tsc - tsc_timestamp) << tsc_shift (or >> -tsc_shift)) * tsc_to_system_mul
 * >> 32.  version is odd while the hypervisor updates the record.
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_aligned_t tsc_timestamp;     /* TSC at the last update */
    uint64_aligned_t system_time;       /* ns at the last update */
    uint32_t tsc_to_system_mul;         /* 32.32 fixed point */
    int8_t tsc_shift;
    uint8_t flags;                      /* XEN_PVCLOCK_* */
    uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

#define XEN_PVCLOCK_TSC_STABLE_BIT  (1u << 0)   /* TSC is the same on every CPU */
#define XEN_PVCLOCK_GUEST_STOPPED   (1u << 1)   /* the guest was paused */

/* Same bytes for a 32-bit guest (the 8-byte fields sit at 8-aligned offsets). */
struct compat_vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_compat_t tsc_timestamp;
    uint64_compat_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags;
    uint8_t pad1[2];
};

/* x86-64: the CR2 of the last page fault (PV guests). */
struct arch_vcpu_info {
    xen_ulong_t cr2;
    xen_ulong_t pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

struct compat_arch_vcpu_info {
    compat_ulong_t cr2;
    compat_ulong_t pad[5];
};

/*
 * Per-vCPU event state.  The hypervisor sets evtchn_upcall_pending (and
 * bits in evtchn_pending_sel, one per evtchn_pending word holding an
 * unmasked pending port) and then raises the upcall; the guest clears them
 * as it scans.  evtchn_upcall_mask is the guest's "interrupts off" for
 * upcalls (PV; HVM/PVH guests use RFLAGS.IF instead).
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    uint8_t pad0[6];
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;

struct compat_vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    uint8_t pad0[2];
    compat_ulong_t evtchn_pending_sel;
    struct compat_arch_vcpu_info arch;
    struct compat_vcpu_time_info time;
};

/* x86-64: PV guests' P2M description and NMI reason; unused by PVH. */
struct arch_shared_info {
    xen_ulong_t max_pfn;
    xen_pfn_t pfn_to_mfn_frame_list_list;
    xen_ulong_t nmi_reason;
    xen_ulong_t p2m_cr3;
    xen_ulong_t p2m_vaddr;
    xen_ulong_t p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;

struct compat_arch_shared_info {
    compat_ulong_t max_pfn;
    compat_pfn_t pfn_to_mfn_frame_list_list;
    compat_ulong_t nmi_reason;
    compat_ulong_t p2m_cr3;
    compat_ulong_t p2m_vaddr;
    compat_ulong_t p2m_generation;
    uint32_t wc_sec_hi;             /* no room for it in the common part */
};

/*
 * Port p is pending when bit p of evtchn_pending is set (bit p % 64 of
 * word p / 64) and masked when the same bit of evtchn_mask is.
 * The wall clock: seconds and ns since the epoch at system time 0;
 * wc_version is odd while it is updated.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[64];
    xen_ulong_t evtchn_mask[64];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

struct compat_shared_info {
    struct compat_vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    compat_ulong_t evtchn_pending[32];
    compat_ulong_t evtchn_mask[32];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    struct compat_arch_shared_info arch;
};

/* ---- Layout checks ------------------------------------------------------- */
#define SHINFO_OFF(s, f) __builtin_offsetof(struct s, f)
_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info");
_Static_assert(SHINFO_OFF(vcpu_time_info, tsc_timestamp) == 8 &&
               SHINFO_OFF(vcpu_time_info, system_time) == 16 &&
               SHINFO_OFF(vcpu_time_info, tsc_to_system_mul) == 24 &&
               SHINFO_OFF(vcpu_time_info, tsc_shift) == 28 &&
               SHINFO_OFF(vcpu_time_info, flags) == 29, "vcpu_time_info fields");
_Static_assert(sizeof(struct compat_vcpu_time_info) == 32 &&
               SHINFO_OFF(compat_vcpu_time_info, flags) == 29, "compat_vcpu_time_info");
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info");
_Static_assert(sizeof(struct compat_arch_vcpu_info) == 24, "compat_arch_vcpu_info");
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info");
_Static_assert(SHINFO_OFF(vcpu_info, evtchn_upcall_mask) == 1 &&
               SHINFO_OFF(vcpu_info, evtchn_pending_sel) == 8 &&
               SHINFO_OFF(vcpu_info, arch) == 16 &&
               SHINFO_OFF(vcpu_info, time) == 32, "vcpu_info fields");
_Static_assert(sizeof(struct compat_vcpu_info) == 64, "compat_vcpu_info");
_Static_assert(SHINFO_OFF(compat_vcpu_info, evtchn_pending_sel) == 4 &&
               SHINFO_OFF(compat_vcpu_info, arch) == 8 &&
               SHINFO_OFF(compat_vcpu_info, time) == 32, "compat_vcpu_info fields");
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info");
_Static_assert(SHINFO_OFF(shared_info, evtchn_pending) == 0x800 &&
               SHINFO_OFF(shared_info, evtchn_mask) == 0xa00 &&
               SHINFO_OFF(shared_info, wc_version) == 0xc00 &&
               SHINFO_OFF(shared_info, wc_sec) == 0xc04 &&
               SHINFO_OFF(shared_info, wc_nsec) == 0xc08 &&
               SHINFO_OFF(shared_info, wc_sec_hi) == 0xc0c &&
               SHINFO_OFF(shared_info, arch) == 0xc10, "shared_info fields");
_Static_assert(sizeof(struct shared_info) == 0xc40, "shared_info");
_Static_assert(SHINFO_OFF(compat_shared_info, evtchn_pending) == 0x800 &&
               SHINFO_OFF(compat_shared_info, evtchn_mask) == 0x880 &&
               SHINFO_OFF(compat_shared_info, wc_version) == 0x900 &&
               SHINFO_OFF(compat_shared_info, arch) == 0x90c, "compat_shared_info fields");
_Static_assert(sizeof(struct compat_shared_info) == 0x928, "compat_shared_info");
_Static_assert(sizeof(((struct shared_info *)0)->evtchn_pending) * 8 == 4096 &&
               sizeof(((struct compat_shared_info *)0)->evtchn_pending) * 8 == 1024,
               "2-level port counts");
#undef SHINFO_OFF

#endif

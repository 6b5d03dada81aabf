/*
 * xen_version (hypercall 17): long xen_version(int cmd, void *arg).
 * Sub-op numbers and argument layouts are Xen 4.17's; see README.md.
 * Every sub-op returns 0 on success or a negative errno, except
 * XENVER_version and XENVER_pagesize (a value) and XENVER_build_id (a
 * length).  Strings are NUL-padded to the full array.
 */
#ifndef KEEL_PUBLIC_VERSION_H
#define KEEL_PUBLIC_VERSION_H

#include "xen.h"
#include "features.h"

/* arg unused: returns major << 16 | minor. */
#define XENVER_version              0

/* arg -> xen_extraversion_t, e.g. ".0" (appended to "major.minor"). */
#define XENVER_extraversion         1
typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN        (sizeof(xen_extraversion_t))

/* arg -> struct xen_compile_info. */
#define XENVER_compile_info         2
struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

/* arg -> xen_capabilities_info_t: space-separated ABI names such as
 * "hvm-3.0-x86_64". */
#define XENVER_capabilities         3
typedef char xen_capabilities_info_t[1024];
#define XEN_CAPABILITIES_INFO_LEN   (sizeof(xen_capabilities_info_t))

/* arg -> xen_changeset_info_t: the source revision. */
#define XENVER_changeset            4
typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN      (sizeof(xen_changeset_info_t))

/* arg -> platform parameters: where the hypervisor's own part of the
 * virtual address space starts (meaningful for PV guests).  The field is
 * an unsigned long, so the two ABIs differ. */
#define XENVER_platform_parameters  5
struct xen_platform_parameters {
    xen_ulong_t virt_start;
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
struct compat_platform_parameters {
    compat_ulong_t virt_start;
};
typedef struct compat_platform_parameters compat_platform_parameters_t;

/* arg <-> struct xen_feature_info: submap_idx in, submap (XENFEAT_* bits
 * submap_idx*32 .. +31) out.  An unknown submap is -EINVAL. */
#define XENVER_get_features         6
struct xen_feature_info {
    uint32_t submap_idx;
    uint32_t submap;
};
typedef struct xen_feature_info xen_feature_info_t;

/* arg must be NULL: returns the page size. */
#define XENVER_pagesize             7

/* arg -> xen_domain_handle_t: the calling domain's handle. */
#define XENVER_guest_handle         8

/* arg -> xen_commandline_t: the hypervisor's command line (control
 * domain; others get "<denied>"). */
#define XENVER_commandline          9
typedef char xen_commandline_t[1024];

/* arg NULL: returns the build id's length.  arg -> struct xen_build_id
 * with len = room in buf: fills buf, returns the length.  Control domain
 * only. */
#define XENVER_build_id            10
struct xen_build_id {
    uint32_t len;
    unsigned char buf[];
};
typedef struct xen_build_id xen_build_id_t;

/* What a denied string query answers with (Xen's wording). */
#define XENVER_DENIED_STRING        "<denied>"

/* ---- Layout checks (same in the 64-bit and compat ABIs unless named) ---- */
_Static_assert(sizeof(xen_extraversion_t) == 16, "extraversion");
_Static_assert(sizeof(struct xen_compile_info) == 144, "compile_info");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_by) == 64, "compile_by");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_domain) == 80, "compile_domain");
_Static_assert(__builtin_offsetof(struct xen_compile_info, compile_date) == 112, "compile_date");
_Static_assert(sizeof(xen_capabilities_info_t) == 1024, "capabilities");
_Static_assert(sizeof(xen_changeset_info_t) == 64, "changeset");
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "platform_parameters");
_Static_assert(sizeof(struct compat_platform_parameters) == 4, "compat platform_parameters");
_Static_assert(sizeof(struct xen_feature_info) == 8, "feature_info");
_Static_assert(__builtin_offsetof(struct xen_feature_info, submap) == 4, "feature_info.submap");
_Static_assert(sizeof(xen_commandline_t) == 1024, "commandline");
_Static_assert(sizeof(struct xen_build_id) == 4, "build_id header");

#endif

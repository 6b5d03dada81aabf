/*
 * xen_version (hypercall 17): what the hypervisor is and what it offers.
 *
 * Behaves as Xen 4.17 does for an HVM/PVH guest (xen/common/kernel.c
 * do_xen_version, with XSM's default policy xsm_xen_version): most sub-ops
 * answer every domain; XENVER_commandline and XENVER_build_id are for the
 * control domain only, and others get "<denied>" and -EPERM respectively.
 * 32-bit callers get Xen's compat layouts; only platform_parameters
 * differs.
 */
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/types.h>
#include <public/version.h>

/*
 * Appended to "4.17" by guests ("Xen version: 4.17.0-keel"); Xen puts the
 * point release here (".5"), Keel says which hypervisor this really is.
 */
#define KEEL_XEN_EXTRAVERSION ".0-keel"

/* The build may pass the source revision; Xen says "unavailable" too. */
#ifndef KEEL_CHANGESET
#define KEEL_CHANGESET "unavailable"
#endif

#ifdef __clang__
#define KEEL_COMPILER "clang " __clang_version__
#else
#define KEEL_COMPILER "gcc " __VERSION__
#endif

/*
 * The guest ABIs Keel runs, spelled as Xen's arch_get_xen_caps() does for
 * a hypervisor with HVM and without PV (each name followed by a space,
 * 32 before 32p before 64).  Tools decide from this which guest types they
 * may create.  The array form pads it with NULs to the full 1024 bytes.
 */
static const xen_capabilities_info_t capabilities =
    "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ";

/*
 * Xen's HYPERVISOR_VIRT_START: for 64-bit callers the start of the
 * hypervisor's PML4 slots (slot 256); for 32-bit HVM callers Xen (with
 * 32-bit PV support built in, as Debian's is) reports ~0u, "no hole".
 */
#define VIRT_START_64      0xffff800000000000ULL
#define VIRT_START_COMPAT  0xffffffffU

/* Feature bits every PVH domain gets: Xen's submap 0 for a translated,
 * non-direct-mapped HVM domain without PIRQs. */
#define FEATURES_PVH ((1U << XENFEAT_writable_page_tables) |        \
                      (1U << XENFEAT_auto_translated_physmap) |     \
                      (1U << XENFEAT_hvm_callback_vector) |         \
                      (1U << XENFEAT_hvm_safe_pvclock) |            \
                      (1U << XENFEAT_memory_op_vnode_supported) |   \
                      (1U << XENFEAT_not_direct_mapped))

/* Copy a string into a guest's fixed-size char array, NUL-padded, as Xen
 * does (the whole array is always written). */
static long copy_string_field(uint64_t arg, const char *s, size_t size)
{
    char buf[144];          /* largest field copied this way: compile_info */

    if (size > sizeof(buf))
        return -EINVAL;     /* a bug here, not the guest's: never happens */
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size) ? -EFAULT : 0;
}

static long xenver_compile_info(uint64_t arg)
{
    xen_compile_info_t info;

    memset(&info, 0, sizeof(info));
    strlcpy(info.compiler, KEEL_COMPILER, sizeof(info.compiler));
    strlcpy(info.compile_by, "keel", sizeof(info.compile_by));
    strlcpy(info.compile_domain, "", sizeof(info.compile_domain));
    strlcpy(info.compile_date, __DATE__ " " __TIME__, sizeof(info.compile_date));
    return copy_to_guest(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long xenver_platform_parameters(uint64_t arg, bool compat)
{
    if (compat) {
        compat_platform_parameters_t p = { .virt_start = VIRT_START_COMPAT };
        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    xen_platform_parameters_t p = { .virt_start = VIRT_START_64 };
    return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
}

static long xenver_get_features(uint64_t arg)
{
    xen_feature_info_t fi;

    if (copy_from_guest(&fi, arg, sizeof(fi)))
        return -EFAULT;
    if (fi.submap_idx != 0)
        return -EINVAL;
    fi.submap = FEATURES_PVH;
    if (hypercall_caller_privileged())
        fi.submap |= 1U << XENFEAT_dom0;
    return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
}

/*
 * The whole 1024-byte array, NUL-padded, like Xen's saved_cmdline; a
 * domain that may not see it gets "<denied>" (9 bytes) and success.
 */
static long xenver_commandline(uint64_t arg)
{
    static const char zeros[sizeof(xen_commandline_t)];
    const char *cmdline;
    size_t n;

    if (!hypercall_caller_privileged())
        return copy_to_guest(arg, XENVER_DENIED_STRING,
                             sizeof(XENVER_DENIED_STRING)) ? -EFAULT : 0;

    cmdline = hypercall_hypervisor_cmdline();
    if (!cmdline)
        cmdline = "";
    n = strnlen(cmdline, sizeof(xen_commandline_t) - 1);
    if (copy_to_guest(arg, cmdline, n) ||
        copy_to_guest(arg + n, zeros, sizeof(xen_commandline_t) - n))
        return -EFAULT;
    return 0;
}

/*
 * Keel has no build id yet: Xen without one answers -ENODATA, after the
 * same argument checks (NULL asks for the length; otherwise len must be
 * non-zero).
 */
static long xenver_build_id(uint64_t arg)
{
    xen_build_id_t hdr;

    if (!hypercall_caller_privileged())
        return -EPERM;
    if (arg) {
        if (copy_from_guest(&hdr, arg, sizeof(hdr)))
            return -EFAULT;
        if (hdr.len == 0)
            return -EINVAL;
    }
    return -ENODATA;
}

long do_xen_version(struct hypercall_args *args)
{
    /* Xen's prototype is (int cmd, void *arg): only the low 32 bits of the
     * command count, and a 32-bit caller's pointer is 32 bits. */
    int cmd = (int)(uint32_t)args->a[0];
    uint64_t arg = args->compat ? (uint32_t)args->a[1] : args->a[1];

    switch (cmd) {
    case XENVER_version:
        return ((long)KEEL_XEN_MAJOR << 16) | KEEL_XEN_MINOR;

    case XENVER_extraversion:
        return copy_string_field(arg, KEEL_XEN_EXTRAVERSION, sizeof(xen_extraversion_t));

    case XENVER_compile_info:
        return xenver_compile_info(arg);

    case XENVER_capabilities:
        return copy_to_guest(arg, capabilities, sizeof(capabilities)) ? -EFAULT : 0;

    case XENVER_changeset:
        return copy_string_field(arg, KEEL_CHANGESET, sizeof(xen_changeset_info_t));

    case XENVER_platform_parameters:
        return xenver_platform_parameters(arg, args->compat);

    case XENVER_get_features:
        return xenver_get_features(arg);

    case XENVER_pagesize:
        /* Xen insists on a NULL argument here. */
        return arg ? -EINVAL : (long)PAGE_SIZE;

    case XENVER_guest_handle: {
        /* Domains have no handle (UUID) yet: Xen's default is all zeros. */
        static const xen_domain_handle_t handle;
        return copy_to_guest(arg, handle, sizeof(handle)) ? -EFAULT : 0;
    }

    case XENVER_commandline:
        return xenver_commandline(arg);

    case XENVER_build_id:
        return xenver_build_id(arg);

    default:
        return -ENOSYS;
    }
}

/*
 * memory_op (hypercall 12), the sub-ops a PVH guest needs first:
 * reservation queries, its memory map, and add_to_physmap for the
 * shared_info page.  Xen's semantics and error codes.  The RAM page that
 * shared_info replaces stays the domain's (unmapped) until the domain is
 * destroyed, where Xen frees it at once.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/pvh_build.h>
#include <asm/page.h>
#include <public/memory.h>

#define GPFN_LIMIT (1ULL << (48 - PAGE_SHIFT))  /* 4-level nested paging */

/* The domain a guest names: itself (DOMID_SELF or its own ID), or another
 * one if it is the control domain. */
static int target_domain(domid_t id, struct domain **out)
{
    struct domain *me = current->domain;

    if (id == DOMID_SELF || id == me->domain_id) {
        *out = me;
        return 0;
    }
    struct domain *d = domain_by_id(id);
    if (!d)
        return -ESRCH;
    if (!me->is_privileged)
        return -EPERM;
    *out = d;
    return 0;
}

static long reservation(uint64_t arg, bool maximum)
{
    domid_t id;
    struct domain *d;
    int rc;

    if (copy_from_guest(&id, arg, sizeof(id)) < 0)
        return -EFAULT;
    if ((rc = target_domain(id, &d)) < 0)
        return rc;
    return (long)(maximum ? d->max_pages : d->tot_pages);
}

static long memory_map(uint64_t arg, bool compat)
{
    struct domain *d = current->domain;
    struct mem_range ram[PVH_MEMMAP_MAX];
    unsigned int n = guest_ram_ranges(d->config.memory_mib << 20, ram);
    uint32_t room;
    uint64_t buffer;

    if (compat) {
        struct compat_xen_memory_map m;
        if (copy_from_guest(&m, arg, sizeof(m)) < 0)
            return -EFAULT;
        room = m.nr_entries, buffer = m.buffer;
    } else {
        struct xen_memory_map m;
        if (copy_from_guest(&m, arg, sizeof(m)) < 0)
            return -EFAULT;
        room = m.nr_entries, buffer = m.buffer;
    }
    uint32_t count = MIN(room, n);
    for (uint32_t i = 0; i < count; i++) {
        struct e820_entry e = { ram[i].start, ram[i].end - ram[i].start, 1 /* RAM */ };
        if (copy_to_guest(buffer + i * sizeof(e), &e, sizeof(e)) < 0)
            return -EFAULT;
    }
    /* nr_entries is at offset 0 in both layouts. */
    if (copy_to_guest(arg, &count, sizeof(count)) < 0)
        return -EFAULT;
    return 0;
}

static long map_shared_info(struct domain *d, uint64_t idx, uint64_t gpfn)
{
    mfn_t old;
    int rc;

    if (idx != 0 || gpfn >= GPFN_LIMIT)
        return -EINVAL;
    /* Mapped elsewhere before (resume, or a second call): that spot goes. */
    if (d->shared_info_gfn != ~0ULL && d->shared_info_gfn != gpfn)
        p2m_set_4k(d, d->shared_info_gfn, INVALID_MFN, &old);
    rc = p2m_set_4k(d, gpfn, virt_to_mfn(d->shared_info), &old);
    if (rc < 0)
        return rc;
    d->shared_info_gfn = gpfn;
    p2m_flush_guest_tlbs(d);
    return 0;
}

static long add_to_physmap(uint64_t arg, bool compat)
{
    uint64_t idx, gpfn;
    uint32_t space;
    domid_t id;
    struct domain *d;
    int rc;

    if (compat) {
        struct compat_xen_add_to_physmap x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return -EFAULT;
        id = x.domid, space = x.space, idx = x.idx, gpfn = x.gpfn;
    } else {
        struct xen_add_to_physmap x;
        if (copy_from_guest(&x, arg, sizeof(x)) < 0)
            return -EFAULT;
        id = x.domid, space = x.space, idx = x.idx, gpfn = x.gpfn;
    }
    if ((rc = target_domain(id, &d)) < 0)
        return rc;
    switch (space) {
    case XENMAPSPACE_shared_info:
        return map_shared_info(d, idx, gpfn);
    default:                        /* grant frames come with grant tables */
        return -ENOSYS;
    }
}

long do_memory_op(struct hypercall_args *args)
{
    unsigned int cmd = args->a[0] & MEMOP_CMD_MASK;
    uint64_t arg = args->a[1];

    switch (cmd) {
    case XENMEM_current_reservation:
        return reservation(arg, false);
    case XENMEM_maximum_reservation:
        return reservation(arg, true);
    case XENMEM_memory_map:
        return memory_map(arg, args->compat);
    case XENMEM_add_to_physmap:
        return add_to_physmap(arg, args->compat);
    default:
        return -ENOSYS;
    }
}

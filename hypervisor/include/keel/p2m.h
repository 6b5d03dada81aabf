/*
 * A domain's physical-to-machine map: guest frame -> host frame.  The
 * arch implements it (on x86 as nested page tables).
 */
#ifndef KEEL_P2M_H
#define KEEL_P2M_H

#include <keel/types.h>

struct domain;

int p2m_init(struct domain *d);
/*
 * Map 2^order guest frames at gfn to host frames at mfn (order 0 or 9).
 * flags P2M_ZERO_LAZY: the frames hold anything and are zeroed at their
 * first use (a guest access or p2m_access_frame()), not now.
 */
#define P2M_ZERO_LAZY 1u
int p2m_map(struct domain *d, uint64_t gfn, mfn_t mfn, unsigned int order, unsigned int flags);
/* Replace one guest frame's mapping (splitting a 2 MiB one); *old: what was there. */
int p2m_set_4k(struct domain *d, uint64_t gfn, mfn_t mfn, mfn_t *old);
/* After mappings changed or went: no vCPU of d may use stale translations. */
void p2m_flush_guest_tlbs(struct domain *d);
/*
 * Point nr guest frames from gfn at nr host frames from mfn (INVALID_MFN:
 * unmap them), whatever was mapped there: 2 MiB leaves where gfn and mfn
 * are both 2 MiB aligned, at least 2 MiB remain and no 4 KiB table is
 * there already, 4 KiB entries elsewhere (splitting a 2 MiB leaf that is
 * partly changed).  Table pages are never freed before p2m_teardown(), so
 * no vCPU can walk a freed table through a stale paging-structure cache.
 * 0, -EINVAL (beyond the guest-physical space) or -ENOMEM (no page for a
 * table; the frames before the failing one are changed).  The caller
 * makes vCPUs drop stale translations (p2m_flush_guest_tlbs).
 */
int p2m_set_range(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t nr);
/*
 * The host frame mapped at gfn, or INVALID_MFN: which frame it is, for
 * ownership and unmapping.  A frame still waiting to be zeroed counts as
 * mapped; its contents are not to be used (see p2m_access_frame()).
 */
mfn_t p2m_lookup(struct domain *d, uint64_t gfn);
/* p2m_lookup(), and the order of the leaf that maps gfn (0 or 9). */
mfn_t p2m_lookup_order(struct domain *d, uint64_t gfn, unsigned int *order);
/* The host frame at gfn, ready for the hypervisor to read or write: zeroed
 * first if it still waited to be.  INVALID_MFN if nothing is mapped. */
mfn_t p2m_access_frame(struct domain *d, uint64_t gfn);
/*
 * A nested page fault at gfn: 0 when gfn waited to be zeroed and now is
 * (present: re-enter the guest), -EEXIST when it was present already (a
 * vCPU that raced us zeroed it; or the fault has another cause), -ENOENT
 * when nothing is mapped there.
 */
int p2m_fault_in(struct domain *d, uint64_t gfn);
/* Host pages the map's own tables use. */
uint64_t p2m_table_pages(struct domain *d);
/* Free the map's own tables (not the guest's memory). */
void p2m_teardown(struct domain *d);

/*
 * Common code on top of the above (common/memory_op.c).  Put a hypervisor
 * page (shared_info, a grant-table frame) at gfn the way Xen's
 * add_to_physmap does: the domain's own RAM page there goes back to the
 * free pool once vCPUs have dropped stale translations (one the hypervisor
 * still holds a reference on stays the domain's, unmapped), a hypervisor
 * page there is only unhooked, and old_gfn (~0: none), if it still maps
 * mfn, is left empty.  Takes d->mem_lock; flushes.  0, -EINVAL, -ENOMEM.
 */
int p2m_add_hypervisor_page(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t old_gfn);

#endif

/*
 * Grant tables, version 1 (common/grant_table.c): each domain's table of
 * grant entries, which the domain writes to let other domains use its
 * pages, and grant_table_op (hypercall 20) with Xen 4.17's semantics for
 * query_size, setup_table, set_version, get_version and copy.
 *
 * A table is a struct grant_table hung off d->grant_table: up to
 * GNTTAB_MAX_FRAMES hypervisor pages of 512 v1 entries each (zeroed when
 * added), which the domain maps into its physical address space with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table), and next to each a page
 * pair of "active" counters that Keel keeps for itself.  It starts with
 * GNTTAB_INITIAL_FRAMES frames and only grows, until the domain dies.
 *
 * Locking and lifetime.  Each table has a spinlock, taken for growth,
 * mapping and the in-use counters, and one that serialises placing its
 * frames in the domain's P2M (taken before the domain's mem_lock).  Locks of two tables are never held
 * together: a copy between two granting domains takes one grant, drops
 * that lock, then takes the other.  Order: the table's map_lock -> the
 * domain's mem_lock -> grant-table lock -> P2M lock (frames a copy uses are referenced under
 * mem_lock, so ballooning cannot free them under it).
 * A table found through another domain's id is held (a use count, taken
 * under one global lock together with the lookup) for as long as it is
 * used; gnttab_destroy() marks the table dying under that global lock,
 * then waits for the holders to go before freeing anything.  So the
 * domain must already be invisible to domain_by_id() (DOMAIN_DYING) when
 * gnttab_destroy() runs, and its memory must be freed only after.
 */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

#include <keel/types.h>
#include <public/grant_table.h>

struct domain;

#define GNTTAB_MAX_FRAMES       64  /* Xen's default max_grant_frames */
#define GNTTAB_INITIAL_FRAMES   1   /* Xen's INITIAL_NR_GRANT_FRAMES on x86 */

/*
 * Give d its table (GNTTAB_INITIAL_FRAMES frames) at creation, as Xen
 * does; 0 or -ENOMEM.  Optional: a domain without one gets it on first use.
 */
int gnttab_init(struct domain *d);

/* Free d's table and its frames (domain destruction; see above). */
void gnttab_destroy(struct domain *d);
/* Debug key 'g': d's table, the entries granted and those in use. */
void gnttab_dump(struct domain *d);

/*
 * XENMEM_add_to_physmap with space XENMAPSPACE_grant_table: map frame idx
 * of d's table at gpfn, growing the table up to idx first.  Takes
 * d->mem_lock (through p2m_add_hypervisor_page): call it without.  As in
 * Xen, the domain's RAM page at gpfn is freed, a hypervisor page there is
 * unhooked, and a previous mapping of the same frame elsewhere is
 * removed.  0, or -EINVAL (idx beyond the maximum, a v2 status frame with
 * a v1 table, gpfn beyond the P2M), -ENOMEM.
 */
long gnttab_add_to_physmap(struct domain *d, uint64_t idx, uint64_t gpfn);

/*
 * Check d's table between two operations (tests, fuzzing, debugging): no
 * holder left, no grant still in use by a copy (every pin released), the
 * frame count within bounds.  *pages (if not NULL): the hypervisor pages
 * the table holds.  0 (also without a table), or -EINVAL after logging
 * the first problem found.
 */
int gnttab_verify(struct domain *d, uint64_t *pages);
/* Whether mfn is one of the guest-visible frames of d's table. */
bool gnttab_is_frame(struct domain *d, mfn_t mfn);

#endif

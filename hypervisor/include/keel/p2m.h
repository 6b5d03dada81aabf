/*
 * A domain's physical-to-machine map: guest frame -> host frame.  The
 * arch implements it (on x86 as nested page tables).
 */
#ifndef KEEL_P2M_H
#define KEEL_P2M_H

#include <keel/types.h>

struct domain;

int p2m_init(struct domain *d);
/* Map 2^order guest frames at gfn to host frames at mfn (order 0 or 9). */
int p2m_map(struct domain *d, uint64_t gfn, mfn_t mfn, unsigned int order);
/* Replace one guest frame's mapping (splitting a 2 MiB one); *old: what was there. */
int p2m_set_4k(struct domain *d, uint64_t gfn, mfn_t mfn, mfn_t *old);
/* After mappings changed or went: no vCPU of d may use stale translations. */
void p2m_flush_guest_tlbs(struct domain *d);
/* The host frame behind gfn, or INVALID_MFN. */
mfn_t p2m_lookup(struct domain *d, uint64_t gfn);
/* Free the map's own tables (not the guest's memory). */
void p2m_teardown(struct domain *d);

#endif

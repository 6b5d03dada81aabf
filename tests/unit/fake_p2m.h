/*
 * A fake P2M for host tests and fuzzing (keel/p2m.h over plain arrays),
 * with the real one's rules: 2 MiB leaves where p2m_set_range() can use
 * them, a leaf split into a 4 KiB table when part of it changes, table
 * pages only ever added (counted, with a failure switch), frames mapped
 * with P2M_ZERO_LAZY zeroed by p2m_access_frame() at their first use.
 * GFNs below nr_gfns live in arrays; above, up to FAKE_P2M_HIGH single
 * 4 KiB entries (the console ring's page, a guest's add_to_physmap far
 * out) in a list, and mapping one more fails with -ENOMEM, as when the
 * real one has no page for a table.  A domain's fake is reached through d->arch.p2m (the host's
 * asm/domain.h).
 */
#ifndef FAKE_P2M_H
#define FAKE_P2M_H

#include <keel/types.h>

struct domain;

#define FAKE_P2M_GFN_LIMIT (1ULL << 36)     /* the real P2M's: 48-bit guest-physical */
#define FAKE_P2M_HIGH      64

struct fake_p2m {
    uint64_t nr_gfns;                   /* a multiple of 512 */
    mfn_t *map;                         /* gfn -> mfn, INVALID_MFN: nothing */
    uint8_t *slot;                      /* per 2 MiB: FAKE_SLOT_* */
    uint8_t *zero_pending;              /* per gfn: mapped lazily, not zeroed yet */
    struct { uint64_t gfn; mfn_t mfn; } high[FAKE_P2M_HIGH];   /* gfns >= nr_gfns */
    unsigned int nr_high;
    uint64_t tables;                    /* 4 KiB tables made (splits, new slots) */
    unsigned int fail_table;            /* the n-th table from now fails (0: none) */
    unsigned int flushes;               /* p2m_flush_guest_tlbs() calls */
};
enum { FAKE_SLOT_EMPTY, FAKE_SLOT_LEAF, FAKE_SLOT_TABLE };

/* Give d an empty fake P2M of nr_gfns entries (d->arch.p2m). */
void fake_p2m_init(struct domain *d, uint64_t nr_gfns);
void fake_p2m_free(struct domain *d);
struct fake_p2m *fake_p2m_of(struct domain *d);

/*
 * Called at every p2m_flush_guest_tlbs(), after counting it: what another
 * CPU might do meanwhile (tests), or a check (fuzzing).  NULL: nothing.
 */
extern void (*fake_p2m_on_flush)(struct domain *d);

#endif

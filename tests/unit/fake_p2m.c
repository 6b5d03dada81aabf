/* A fake P2M over arrays (see fake_p2m.h). */
#include <stdlib.h>
#include <string.h>

#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/p2m.h>
#include <asm/page.h>
#include "fake_p2m.h"

void (*fake_p2m_on_flush)(struct domain *d);

void fake_p2m_init(struct domain *d, uint64_t nr_gfns)
{
    struct fake_p2m *p = calloc(1, sizeof(*p));

    if (!p || nr_gfns % 512)
        abort();
    p->nr_gfns = nr_gfns;
    p->map = malloc(nr_gfns * sizeof(mfn_t));
    p->slot = calloc(nr_gfns / 512, 1);
    p->zero_pending = calloc(nr_gfns, 1);
    if (!p->map || !p->slot || !p->zero_pending)
        abort();
    memset(p->map, 0xff, nr_gfns * sizeof(mfn_t));     /* INVALID_MFN */
    d->arch.p2m = p;
}

void fake_p2m_free(struct domain *d)
{
    struct fake_p2m *p = d->arch.p2m;

    if (!p)
        return;
    free(p->map);
    free(p->slot);
    free(p->zero_pending);
    free(p);
    d->arch.p2m = NULL;
}

struct fake_p2m *fake_p2m_of(struct domain *d)
{
    if (!d->arch.p2m)
        abort();                        /* a domain the test never gave one */
    return d->arch.p2m;
}

static int table_for(struct fake_p2m *p)
{
    if (p->fail_table && --p->fail_table == 0)
        return -ENOMEM;
    p->tables++;
    return 0;
}

/* A gfn beyond the arrays: its entry in the list (the old one in *old). */
static int set_high(struct fake_p2m *p, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    for (unsigned int i = 0; i < p->nr_high; i++) {
        if (p->high[i].gfn != gfn)
            continue;
        *old = p->high[i].mfn;
        if (mfn == INVALID_MFN)
            p->high[i] = p->high[--p->nr_high];
        else
            p->high[i].mfn = mfn;
        return 0;
    }
    if (mfn == INVALID_MFN)
        return 0;
    if (p->nr_high == FAKE_P2M_HIGH || table_for(p) < 0)
        return -ENOMEM;
    p->high[p->nr_high].gfn = gfn;
    p->high[p->nr_high++].mfn = mfn;
    return 0;
}

static int set_4k(struct fake_p2m *p, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    uint8_t *s;

    *old = INVALID_MFN;
    if (gfn >= p->nr_gfns)
        return set_high(p, gfn, mfn, old);
    s = &p->slot[gfn / 512];
    if (*s == FAKE_SLOT_EMPTY && mfn == INVALID_MFN)
        return 0;
    if (*s != FAKE_SLOT_TABLE) {        /* a new table, or a leaf split */
        if (table_for(p) < 0)
            return -ENOMEM;
        *s = FAKE_SLOT_TABLE;
    }
    *old = p->map[gfn];
    p->map[gfn] = mfn;
    p->zero_pending[gfn] = 0;
    return 0;
}

/* Map nr frames from gfn; lazy: they wait to be zeroed. */
static int set_range(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t nr, bool lazy)
{
    struct fake_p2m *p = fake_p2m_of(d);
    mfn_t old;
    int rc = 0;

    if (gfn >= FAKE_P2M_GFN_LIMIT || nr > FAKE_P2M_GFN_LIMIT - gfn)
        return -EINVAL;
    while (nr && rc == 0) {
        uint64_t step = 1;
        if (gfn % 512 == 0 && nr >= 512 && (mfn == INVALID_MFN || mfn % 512 == 0) &&
            gfn < p->nr_gfns && p->slot[gfn / 512] != FAKE_SLOT_TABLE) {
            p->slot[gfn / 512] = mfn == INVALID_MFN ? FAKE_SLOT_EMPTY : FAKE_SLOT_LEAF;
            for (uint64_t i = 0; i < 512; i++) {
                p->map[gfn + i] = mfn == INVALID_MFN ? INVALID_MFN : mfn + i;
                p->zero_pending[gfn + i] = lazy && mfn != INVALID_MFN;
            }
            step = 512;
        } else {
            rc = set_4k(p, gfn, mfn, &old);
            if (rc == 0 && gfn < p->nr_gfns)
                p->zero_pending[gfn] = lazy && mfn != INVALID_MFN;
        }
        gfn += step, nr -= step;
        if (mfn != INVALID_MFN)
            mfn += step;
    }
    return rc;
}

int p2m_set_range(struct domain *d, uint64_t gfn, mfn_t mfn, uint64_t nr)
{
    return set_range(d, gfn, mfn, nr, false);
}

int p2m_map(struct domain *d, uint64_t gfn, mfn_t mfn, unsigned int order, unsigned int flags)
{
    return set_range(d, gfn, mfn, 1ULL << order, flags & P2M_ZERO_LAZY);
}

int p2m_set_4k(struct domain *d, uint64_t gfn, mfn_t mfn, mfn_t *old)
{
    *old = INVALID_MFN;
    if (gfn >= FAKE_P2M_GFN_LIMIT)
        return -EINVAL;
    return set_4k(fake_p2m_of(d), gfn, mfn, old);
}

mfn_t p2m_lookup_order(struct domain *d, uint64_t gfn, unsigned int *order)
{
    struct fake_p2m *p = fake_p2m_of(d);

    if (order)
        *order = 0;
    if (gfn >= p->nr_gfns) {
        for (unsigned int i = 0; i < p->nr_high; i++)
            if (p->high[i].gfn == gfn)
                return p->high[i].mfn;
        return INVALID_MFN;
    }
    if (order && p->slot[gfn / 512] == FAKE_SLOT_LEAF)
        *order = 9;
    return p->map[gfn];
}

mfn_t p2m_lookup(struct domain *d, uint64_t gfn)
{
    return p2m_lookup_order(d, gfn, NULL);
}

mfn_t p2m_access_frame(struct domain *d, uint64_t gfn)
{
    struct fake_p2m *p = fake_p2m_of(d);
    mfn_t mfn = p2m_lookup(d, gfn);

    if (mfn != INVALID_MFN && gfn < p->nr_gfns && p->zero_pending[gfn]) {
        memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
        p->zero_pending[gfn] = 0;
    }
    return mfn;
}

uint64_t p2m_table_pages(struct domain *d)
{
    return fake_p2m_of(d)->tables;
}

void p2m_flush_guest_tlbs(struct domain *d)
{
    fake_p2m_of(d)->flushes++;
    if (fake_p2m_on_flush)
        fake_p2m_on_flush(d);
}

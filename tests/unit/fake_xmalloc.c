/* xmalloc over malloc, counted (see fake_xmalloc.h). */
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/xmalloc.h>
#include "fake_xmalloc.h"

long fake_xmalloc_live;
long fake_xmalloc_budget = -1;

void *xmalloc_bytes(size_t size)
{
    void *p;

    if (size == 0 || fake_xmalloc_budget == 0)
        return NULL;
    if (fake_xmalloc_budget > 0)
        fake_xmalloc_budget--;
    p = aligned_alloc(16, (size + 15) & ~(size_t)15);    /* xmalloc aligns to 16 */
    if (!p)
        abort();
    memset(p, 0xa5, size);          /* not zeroed, like the real one */
    fake_xmalloc_live++;
    return p;
}

void *xzalloc_bytes(size_t size)
{
    void *p = xmalloc_bytes(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void *xzalloc_array_bytes(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return xzalloc_bytes(n * size);
}

int xfree_checked(void *p)
{
    if (p) {
        fake_xmalloc_live--;
        free(p);
    }
    return 0;
}

void xfree(void *p)
{
    xfree_checked(p);
}

void xmalloc_get_stats(struct xmalloc_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->live_objects = (uint64_t)fake_xmalloc_live;
}

void xmalloc_init(void)
{
    fake_xmalloc_live = 0;
}

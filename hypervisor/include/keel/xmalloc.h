/*
 * Small-object allocator for hypervisor structures.  Objects up to
 * XMALLOC_MAX_SMALL bytes come from per-size-class slab pages; larger ones
 * take whole pages from the page allocator.  Every object is aligned to at
 * least 16 bytes.
 */
#ifndef KEEL_XMALLOC_H
#define KEEL_XMALLOC_H

#include <keel/types.h>

/* The biggest size class: two objects and the slab header fill a page. */
#define XMALLOC_MAX_SMALL 2016

void *xmalloc_bytes(size_t size);       /* NULL on failure or size 0 */
void *xzalloc_bytes(size_t size);       /* zeroed */
/* n * size with overflow checking: NULL when it overflows. */
void *xzalloc_array_bytes(size_t n, size_t size);

/*
 * Free an object.  Returns 0, or -EINVAL for a pointer xmalloc did not hand
 * out or one already freed (nothing is changed then).  xfree(NULL) is a no-op.
 */
int xfree_checked(void *p);
void xfree(void *p);                    /* BUG on a bad pointer */

#define xmalloc(type)       ((type *)xmalloc_bytes(sizeof(type)))
#define xzalloc(type)       ((type *)xzalloc_bytes(sizeof(type)))
#define xzalloc_array(type, n) ((type *)xzalloc_array_bytes((n), sizeof(type)))

struct xmalloc_stats {
    uint64_t live_objects;      /* handed out and not freed */
    uint64_t live_bytes;        /* bytes of live objects, rounded up to their
                                   size class (large ones: pages less header) */
    uint64_t pages;             /* pages held from the page allocator */
    uint64_t allocs, frees, failed;
};
void xmalloc_get_stats(struct xmalloc_stats *st);

/*
 * Forget every object and zero the stats (unit tests; their pages are not
 * returned).  The allocator also starts out in this state, so boot need not
 * call it.
 */
void xmalloc_init(void);

#endif

/*
 * Small-object allocator.
 *
 * Objects up to XMALLOC_MAX_SMALL bytes live in slabs: one page each, a
 * 64-byte header, then equal objects of one size class.  A bitmap in the
 * header marks the free objects, so a double free or a pointer that is not
 * the start of a live object is caught.  Slabs with a free object sit on
 * their class's partial list; a slab whose objects are all free goes back to
 * the page allocator at once, so that freeing everything brings the free
 * page count back exactly (leak checks compare it).  Bigger objects take
 * 2^k pages behind a 16-byte header that records the order.
 *
 * A pointer is trusted only when the page allocator says its frame heads an
 * allocated block and that frame starts with the magic of its kind, mixed
 * with its own address so that a stale copy of a header elsewhere fails.
 * The xmalloc lock is taken before the page allocator's.
 */
#include <keel/bug.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/list.h>
#include <keel/page_alloc.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>
#include <asm/page.h>

#define SLAB_MAGIC  0x6b65656c736c6162UL    /* "keelslab" */
#define LARGE_MAGIC 0x6b65656c6c617267UL    /* "keellarg" */

struct slab {                   /* at the start of every slab page */
    uint64_t magic;             /* SLAB_MAGIC ^ address of the page */
    struct list_head link;      /* on the partial list while an object is free */
    uint16_t cls;               /* index in class_size[] */
    uint16_t nr_objs, nr_free;
    uint16_t pad;
    uint64_t free_map[4];       /* bit i set: object i is free */
};

struct large {                  /* in front of every large object */
    uint64_t magic;             /* LARGE_MAGIC ^ address of the header */
    uint32_t order;             /* the object took 2^order pages */
    uint32_t pad;
};

/* Multiples of 16 (the alignment), a few per power of two to limit waste;
 * the top ones split a slab page exactly in 6, 4, 3 and 2. */
static const uint16_t class_size[] = {
    16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 672, 1008, 1344,
    XMALLOC_MAX_SMALL,
};
#define NR_CLASSES ARRAY_SIZE(class_size)

#define SLAB_SPACE (PAGE_SIZE - sizeof(struct slab))
#define LARGE_MAX  ((PAGE_SIZE << (PAGE_ORDER_MAX - 1)) - sizeof(struct large))

STATIC_ASSERT(sizeof(struct slab) % 16 == 0);
STATIC_ASSERT(sizeof(struct large) == 16);
STATIC_ASSERT(SLAB_SPACE / 16 <= 64 * 4);           /* free_map is big enough */
STATIC_ASSERT(SLAB_SPACE / XMALLOC_MAX_SMALL == 2);

static struct {
    spinlock_t lock;
    struct list_head partial[NR_CLASSES];   /* zero until first used */
    struct xmalloc_stats stats;
} xm = { .lock = SPIN_LOCK_UNLOCKED };

void xmalloc_init(void)
{
    memset(&xm, 0, sizeof(xm));
    spin_lock_init(&xm.lock);
}

/* The lists start zeroed so that xm needs no initialiser per class. */
static struct list_head *partial_list(unsigned int cls)
{
    if (!xm.partial[cls].next)
        list_init(&xm.partial[cls]);
    return &xm.partial[cls];
}

static unsigned int size_class(size_t size)
{
    unsigned int cls = 0;

    while (class_size[cls] < size)
        cls++;
    return cls;
}

static void *slab_object(struct slab *s, unsigned int i)
{
    return (char *)s + sizeof(*s) + (size_t)i * class_size[s->cls];
}

static struct slab *slab_create(unsigned int cls)
{
    struct slab *s = alloc_xenheap_pages(0);

    if (!s)
        return NULL;
    s->magic = SLAB_MAGIC ^ (uintptr_t)s;
    s->cls = cls;
    s->nr_objs = s->nr_free = SLAB_SPACE / class_size[cls];
    s->pad = 0;
    memset(s->free_map, 0, sizeof(s->free_map));
    for (unsigned int i = 0; i < s->nr_objs; i++)
        s->free_map[i / 64] |= 1ULL << (i % 64);
    list_add(&s->link, partial_list(cls));
    xm.stats.pages++;
    return s;
}

static void *slab_alloc(unsigned int cls)
{
    struct list_head *partial = partial_list(cls);
    struct slab *s;
    unsigned int w = 0, i;

    if (list_empty(partial))
        s = slab_create(cls);
    else
        s = list_first_entry(partial, struct slab, link);
    if (!s)
        return NULL;
    while (!s->free_map[w])
        w++;
    i = w * 64 + __builtin_ctzll(s->free_map[w]);
    s->free_map[w] &= ~(1ULL << (i % 64));
    if (--s->nr_free == 0)
        list_del(&s->link);
    xm.stats.live_bytes += class_size[cls];
    return slab_object(s, i);
}

static int slab_free(struct slab *s, void *p)
{
    size_t off = (uintptr_t)p - (uintptr_t)s - sizeof(*s);
    size_t size = class_size[s->cls];
    size_t i = off / size;

    /* Below the first object, off wrapped around and fails the range check. */
    if (off % size || i >= s->nr_objs || (s->free_map[i / 64] >> (i % 64)) & 1)
        return -EINVAL;
    s->free_map[i / 64] |= 1ULL << (i % 64);
    if (s->nr_free++ == 0)
        list_add(&s->link, partial_list(s->cls));
    if (s->nr_free == s->nr_objs) {
        list_del(&s->link);
        s->magic = 0;
        free_xenheap_pages(s, 0);
        xm.stats.pages--;
    }
    xm.stats.live_bytes -= size;
    return 0;
}

static void *large_alloc(size_t size)
{
    unsigned int order = 0;
    struct large *l;

    while ((PAGE_SIZE << order) < size + sizeof(*l))
        order++;
    l = alloc_xenheap_pages(order);
    if (!l)
        return NULL;
    l->magic = LARGE_MAGIC ^ (uintptr_t)l;
    l->order = order;
    l->pad = 0;
    xm.stats.pages += 1UL << order;
    xm.stats.live_bytes += (PAGE_SIZE << order) - sizeof(*l);
    return l + 1;
}

static int large_free(struct large *l, unsigned int order, void *p)
{
    if (p != l + 1 || l->order != order)
        return -EINVAL;
    l->magic = 0;
    free_xenheap_pages(l, order);
    xm.stats.pages -= 1UL << order;
    xm.stats.live_bytes -= (PAGE_SIZE << order) - sizeof(*l);
    return 0;
}

void *xmalloc_bytes(size_t size)
{
    unsigned long flags;
    void *p = NULL;

    if (!size)
        return NULL;
    spin_lock_irqsave(&xm.lock, flags);
    if (size <= XMALLOC_MAX_SMALL)
        p = slab_alloc(size_class(size));
    else if (size <= LARGE_MAX)
        p = large_alloc(size);
    if (p) {
        xm.stats.allocs++;
        xm.stats.live_objects++;
    } else {
        xm.stats.failed++;
    }
    spin_unlock_irqrestore(&xm.lock, flags);
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
    unsigned long flags;
    size_t bytes;

    if (__builtin_mul_overflow(n, size, &bytes)) {
        spin_lock_irqsave(&xm.lock, flags);
        xm.stats.failed++;
        spin_unlock_irqrestore(&xm.lock, flags);
        return NULL;
    }
    return xzalloc_bytes(bytes);
}

/* Free p if it is a live object; called with the lock held. */
static int free_object(void *p)
{
    mfn_t mfn = virt_to_mfn(p);
    unsigned int order;
    enum page_state state;
    void *base;
    uint64_t magic;

    /* Ask the page allocator first: only then is reading the header safe. */
    if (page_block_head(mfn, &order, &state) != mfn || state != PGS_ALLOC_HEAD)
        return -EINVAL;
    base = mfn_to_virt(mfn);
    magic = *(const uint64_t *)base;
    if (order == 0 && magic == (SLAB_MAGIC ^ (uintptr_t)base))
        return slab_free(base, p);
    if (magic == (LARGE_MAGIC ^ (uintptr_t)base))
        return large_free(base, order, p);
    return -EINVAL;
}

int xfree_checked(void *p)
{
    unsigned long flags;
    int rc;

    if (!p)
        return 0;
    spin_lock_irqsave(&xm.lock, flags);
    rc = free_object(p);
    if (!rc) {
        xm.stats.frees++;
        xm.stats.live_objects--;
    }
    spin_unlock_irqrestore(&xm.lock, flags);
    return rc;
}

void xfree(void *p)
{
    if (xfree_checked(p))
        panic("xfree(%p): not a live xmalloc object", p);
}

void xmalloc_get_stats(struct xmalloc_stats *st)
{
    unsigned long flags;

    spin_lock_irqsave(&xm.lock, flags);
    *st = xm.stats;
    spin_unlock_irqrestore(&xm.lock, flags);
}

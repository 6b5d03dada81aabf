/*
 * Binary buddy allocator over the frame table.
 *
 * Each free block of 2^k frames sits on free list k, doubly linked through
 * the frame table by frame number.  The buddy of the block at frame m of
 * order k is m ^ 2^k: a freed block merges with its buddy for as long as the
 * buddy is a free block of the same order, and an allocation splits a bigger
 * block in halves, keeping the lower half, until it has the order asked for.
 * Only heads carry state and order (see page_alloc.h), so no operation but
 * adding a range ever touches every frame of a block.
 *
 * A block allocated to an owner (a domain) carries the owner's tag in its
 * head and sits on the owner's page_list, linked through the head's links
 * (free only while the block is free).  Such a block can be split around
 * one frame or sub-block (page_isolate), the same halving an allocation
 * does, so that a domain can give back single 4 KiB pages of its 2 MiB
 * blocks; freeing the pieces merges them again.
 */
#include <keel/bug.h>
#include <keel/compiler.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <asm/page.h>

#define NO_FRAME UINT32_MAX     /* ends a free list; links are 32-bit frame numbers */

static struct {
    spinlock_t lock;
    struct page_info *table;
    mfn_t nr_frames;
    uint32_t free_list[PAGE_ORDER_MAX];     /* first free block of each order */
    struct page_alloc_stats stats;
} heap = { .lock = SPIN_LOCK_UNLOCKED };

static inline uint64_t order_pages(unsigned int order)
{
    return (uint64_t)1 << order;
}

static bool is_head(const struct page_info *pg)
{
    return pg->state == PGS_FREE_HEAD || pg->state == PGS_ALLOC_HEAD;
}

size_t page_alloc_table_bytes(mfn_t nr_frames)
{
    return nr_frames * sizeof(struct page_info);
}

void page_alloc_init(struct page_info *table, mfn_t nr_frames)
{
    /* Frame numbers must fit the 32-bit links and stay below NO_FRAME. */
    if (nr_frames > NO_FRAME) {
        pr_warn("page_alloc: frames from %#lx on are not used\n",
                (unsigned long)NO_FRAME);
        nr_frames = NO_FRAME;
    }
    memset(&heap, 0, sizeof(heap));
    spin_lock_init(&heap.lock);
    heap.table = table;
    heap.nr_frames = nr_frames;
    memset(table, 0, page_alloc_table_bytes(nr_frames));   /* all PGS_RESERVED */
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++)
        heap.free_list[k] = NO_FRAME;
}

/* Make mfn the free head of a block of the given order, first on its list. */
static void free_list_add(mfn_t mfn, unsigned int order)
{
    struct page_info *pg = &heap.table[mfn];
    uint32_t first = heap.free_list[order];

    pg->state = PGS_FREE_HEAD;
    pg->order = order;
    pg->owner = PAGE_OWNER_NONE;
    pg->prev = NO_FRAME;
    pg->next = first;
    if (first != NO_FRAME)
        heap.table[first].prev = (uint32_t)mfn;
    heap.free_list[order] = (uint32_t)mfn;
    heap.stats.free_blocks[order]++;
    heap.stats.free_pages += order_pages(order);
}

/* Unlink the free block headed by mfn; the caller gives its head a new state. */
static void free_list_del(mfn_t mfn)
{
    struct page_info *pg = &heap.table[mfn];

    if (pg->prev != NO_FRAME)
        heap.table[pg->prev].next = pg->next;
    else
        heap.free_list[pg->order] = pg->next;
    if (pg->next != NO_FRAME)
        heap.table[pg->next].prev = pg->prev;
    heap.stats.free_blocks[pg->order]--;
    heap.stats.free_pages -= order_pages(pg->order);
}

/* Free a block whose tails read PGS_FREE_TAIL, merging it with free buddies. */
static void insert_free_block(mfn_t mfn, unsigned int order)
{
    while (order < PAGE_ORDER_MAX - 1) {
        mfn_t buddy = mfn ^ order_pages(order);
        const struct page_info *b;

        if (buddy >= heap.nr_frames)
            break;
        b = &heap.table[buddy];
        if (b->state != PGS_FREE_HEAD || b->order != order)
            break;
        free_list_del(buddy);
        /* The upper of the two heads becomes a tail of the merged block. */
        heap.table[MAX(mfn, buddy)].state = PGS_FREE_TAIL;
        mfn = MIN(mfn, buddy);
        order++;
    }
    free_list_add(mfn, order);
}

/* The biggest naturally aligned block that starts at mfn and ends by end. */
static unsigned int largest_fitting_order(mfn_t mfn, mfn_t end)
{
    unsigned int order = PAGE_ORDER_MAX - 1;

    if (mfn)
        order = MIN(order, (unsigned int)__builtin_ctzll(mfn));
    while (order_pages(order) > end - mfn)
        order--;
    return order;
}

/* Free a run of reserved frames as the biggest aligned blocks that fit. */
static void add_reserved_run(mfn_t start, mfn_t end)
{
    while (start < end) {
        unsigned int order = largest_fitting_order(start, end);
        mfn_t size = order_pages(order);

        for (mfn_t m = start + 1; m < start + size; m++)
            heap.table[m].state = PGS_FREE_TAIL;
        heap.stats.total_pages += size;
        insert_free_block(start, order);
        start += size;
    }
}

void page_alloc_add_range(mfn_t start, mfn_t end)
{
    unsigned long flags;
    uint64_t already_added = 0;
    mfn_t first = start;

    end = MIN(end, heap.nr_frames);
    spin_lock_irqsave(&heap.lock, flags);
    /* Only reserved frames are added: adding a frame twice would corrupt the lists. */
    while (start < end) {
        mfn_t run_end = start;

        while (run_end < end && heap.table[run_end].state == PGS_RESERVED)
            run_end++;
        if (run_end == start) {
            already_added++;
            start++;
            continue;
        }
        add_reserved_run(start, run_end);
        start = run_end;
    }
    spin_unlock_irqrestore(&heap.lock, flags);

    if (already_added)
        pr_warn("page_alloc: %lu frames of [%#lx, %#lx) were already added\n",
                (unsigned long)already_added, (unsigned long)first,
                (unsigned long)end);
}

/* Take a block of the given order off the free lists (lock held). */
static mfn_t alloc_locked(unsigned int order)
{
    unsigned int k = order;
    mfn_t mfn;

    while (k < PAGE_ORDER_MAX && heap.free_list[k] == NO_FRAME)
        k++;
    if (k >= PAGE_ORDER_MAX) {
        heap.stats.failed_allocs++;
        return INVALID_MFN;
    }
    mfn = heap.free_list[k];
    free_list_del(mfn);
    while (k > order) {
        k--;
        free_list_add(mfn + order_pages(k), k);
    }
    heap.table[mfn].state = PGS_ALLOC_HEAD;
    heap.table[mfn].order = order;
    heap.table[mfn].owner = PAGE_OWNER_NONE;
    heap.table[mfn].next = heap.table[mfn].prev = NO_FRAME;
    heap.stats.allocs++;
    return mfn;
}

mfn_t alloc_pages(unsigned int order)
{
    unsigned long flags;
    mfn_t mfn = INVALID_MFN;

    spin_lock_irqsave(&heap.lock, flags);
    if (order < PAGE_ORDER_MAX)
        mfn = alloc_locked(order);
    else
        heap.stats.failed_allocs++;
    spin_unlock_irqrestore(&heap.lock, flags);
    return mfn;
}

/* Why freeing (mfn, order) would be wrong, or NULL when it is a valid free. */
static const char *bad_free_reason(mfn_t mfn, unsigned int order)
{
    const struct page_info *pg;

    if (mfn >= heap.nr_frames)
        return "frame outside the table";
    pg = &heap.table[mfn];
    if (pg->state == PGS_FREE_HEAD)
        return "block already free";
    if (pg->state != PGS_ALLOC_HEAD)
        return "not the head of an allocated block";
    if (pg->order != order)
        return "order mismatch";
    if (pg->owner != PAGE_OWNER_NONE)
        return "block has an owner (it is freed through its page list)";
    return NULL;
}

/* Free the block, or leave everything as it is and say why not. */
static const char *free_block(mfn_t mfn, unsigned int order)
{
    unsigned long flags;
    const char *why;

    spin_lock_irqsave(&heap.lock, flags);
    why = bad_free_reason(mfn, order);
    if (!why) {
        insert_free_block(mfn, order);
        heap.stats.frees++;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return why;
}

int free_pages_checked(mfn_t mfn, unsigned int order)
{
    return free_block(mfn, order) ? -EINVAL : 0;
}

void free_pages(mfn_t mfn, unsigned int order)
{
    const char *why = free_block(mfn, order);

    if (why)
        panic("free_pages(%#lx, %u): %s", (unsigned long)mfn, order, why);
}

uint64_t page_alloc_free_pages(void)
{
    unsigned long flags;
    uint64_t n;

    spin_lock_irqsave(&heap.lock, flags);
    n = heap.stats.free_pages;
    spin_unlock_irqrestore(&heap.lock, flags);
    return n;
}

void page_alloc_get_stats(struct page_alloc_stats *st)
{
    unsigned long flags;

    spin_lock_irqsave(&heap.lock, flags);
    *st = heap.stats;
    spin_unlock_irqrestore(&heap.lock, flags);
}

struct page_info *mfn_to_page(mfn_t mfn)
{
    return mfn < heap.nr_frames ? &heap.table[mfn] : NULL;
}

/* page_block_head() with the lock held. */
static mfn_t block_head_locked(mfn_t mfn)
{
    if (mfn >= heap.nr_frames || heap.table[mfn].state == PGS_RESERVED)
        return INVALID_MFN;
    /*
     * Blocks are naturally aligned, so mfn's block starts at mfn rounded
     * down to the block's order, and no other head lies in between.
     */
    for (unsigned int k = 0; k < PAGE_ORDER_MAX; k++) {
        mfn_t h = ROUNDDOWN(mfn, order_pages(k));
        if (is_head(&heap.table[h]))
            return h;
    }
    return INVALID_MFN;
}

mfn_t page_block_head(mfn_t mfn, unsigned int *order, enum page_state *state)
{
    unsigned long flags;
    mfn_t head;

    spin_lock_irqsave(&heap.lock, flags);
    head = block_head_locked(mfn);
    if (head != INVALID_MFN) {
        if (order)
            *order = heap.table[head].order;
        if (state)
            *state = heap.table[head].state;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return head;
}

/* ---- blocks with an owner ------------------------------------------------- */

/* Put the allocated block headed by mfn first on list (lock held). */
static void owned_link(struct page_list *list, mfn_t mfn)
{
    struct page_info *pg = &heap.table[mfn];

    pg->prev = NO_FRAME;
    pg->next = list->blocks ? list->first : NO_FRAME;
    if (list->blocks)
        heap.table[list->first].prev = (uint32_t)mfn;
    list->first = (uint32_t)mfn;
    list->blocks++;
    list->pages += order_pages(pg->order);
}

static void owned_unlink(struct page_list *list, mfn_t mfn)
{
    struct page_info *pg = &heap.table[mfn];

    if (pg->prev != NO_FRAME)
        heap.table[pg->prev].next = pg->next;
    else
        list->first = pg->next;
    if (pg->next != NO_FRAME)
        heap.table[pg->next].prev = pg->prev;
    pg->next = pg->prev = NO_FRAME;
    list->blocks--;
    list->pages -= order_pages(pg->order);
}

static bool is_owned_head(mfn_t mfn)
{
    return mfn < heap.nr_frames && heap.table[mfn].state == PGS_ALLOC_HEAD &&
           heap.table[mfn].owner != PAGE_OWNER_NONE;
}

mfn_t alloc_owned_pages(struct page_list *list, uint16_t owner, unsigned int order)
{
    unsigned long flags;
    mfn_t mfn = INVALID_MFN;

    BUG_ON(owner == PAGE_OWNER_NONE);
    spin_lock_irqsave(&heap.lock, flags);
    if (order < PAGE_ORDER_MAX)
        mfn = alloc_locked(order);
    else
        heap.stats.failed_allocs++;
    if (mfn != INVALID_MFN) {
        heap.table[mfn].owner = owner;
        owned_link(list, mfn);
        heap.stats.owned_pages += order_pages(order);
        heap.stats.owned_blocks++;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return mfn;
}

/* The owned block holding mfn if owner's (lock held). */
static mfn_t owned_block_locked(mfn_t mfn, uint16_t owner)
{
    mfn_t head = block_head_locked(mfn);

    if (head == INVALID_MFN || !is_owned_head(head) || heap.table[head].owner != owner ||
        owner == PAGE_OWNER_NONE)
        return INVALID_MFN;
    return head;
}

mfn_t page_owned_block(mfn_t mfn, uint16_t owner, unsigned int *order)
{
    unsigned long flags;
    mfn_t head;

    spin_lock_irqsave(&heap.lock, flags);
    head = owned_block_locked(mfn, owner);
    if (head != INVALID_MFN && order)
        *order = heap.table[head].order;
    spin_unlock_irqrestore(&heap.lock, flags);
    return head;
}

int page_isolate(struct page_list *list, uint16_t owner, mfn_t mfn, unsigned int order)
{
    unsigned long flags;
    int rc = -EINVAL;

    spin_lock_irqsave(&heap.lock, flags);
    mfn_t h = owned_block_locked(mfn, owner);
    if (h != INVALID_MFN && order <= heap.table[h].order &&
        IS_ALIGNED(mfn, order_pages(order))) {
        unsigned int k = heap.table[h].order;
        /*
         * Halve until the wanted piece is a block: each time, the half
         * without mfn becomes a block of its own (a new head for the upper
         * half, or the old head, now of a lower order, for the lower one).
         */
        while (k > order) {
            k--;
            mfn_t upper = h + order_pages(k);
            struct page_info *up = &heap.table[upper];

            heap.table[h].order = k;
            list->pages -= order_pages(k);      /* owned_link adds the upper half back */
            up->state = PGS_ALLOC_HEAD;
            up->order = k;
            up->owner = owner;
            owned_link(list, upper);
            heap.stats.owned_blocks++;
            if (mfn >= upper)
                h = upper;
        }
        rc = 0;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return rc;
}

int page_list_move(struct page_list *from, struct page_list *to, mfn_t head)
{
    unsigned long flags;
    int rc = -EINVAL;

    spin_lock_irqsave(&heap.lock, flags);
    if (is_owned_head(head) && from->blocks &&
        from->pages >= order_pages(heap.table[head].order)) {
        owned_unlink(from, head);
        owned_link(to, head);
        rc = 0;
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return rc;
}

/* The first frame of the block at head that someone holds a reference on. */
static mfn_t referenced_frame(mfn_t head)
{
    for (mfn_t m = head; m < head + order_pages(heap.table[head].order); m++)
        if (__atomic_load_n(&heap.table[m].count, __ATOMIC_ACQUIRE))
            return m;
    return INVALID_MFN;
}

uint64_t page_list_free(struct page_list *list)
{
    struct page_list kept = { 0 };
    unsigned long flags;
    uint64_t freed = 0;

    /* One block per lock hold: a big domain's blocks do not stall other CPUs. */
    for (;;) {
        mfn_t head, busy;
        unsigned int order;

        spin_lock_irqsave(&heap.lock, flags);
        if (!list->blocks) {
            spin_unlock_irqrestore(&heap.lock, flags);
            break;
        }
        head = list->first;
        BUG_ON(!is_owned_head(head));
        order = heap.table[head].order;
        owned_unlink(list, head);
        busy = referenced_frame(head);
        if (busy == INVALID_MFN) {
            heap.stats.owned_pages -= order_pages(order);
            heap.stats.owned_blocks--;
            heap.stats.frees++;
            insert_free_block(head, order);
            freed += order_pages(order);
        } else {
            owned_link(&kept, head);
        }
        spin_unlock_irqrestore(&heap.lock, flags);
        if (busy != INVALID_MFN)
            pr_err("page_alloc: frame %#lx still has %u references: its block "
                   "(%#lx, order %u) is not freed\n", (unsigned long)busy,
                   page_refs(busy), (unsigned long)head, order);
    }
    /* What could not be freed goes back where it was. */
    spin_lock_irqsave(&heap.lock, flags);
    while (kept.blocks) {
        mfn_t head = kept.first;
        owned_unlink(&kept, head);
        owned_link(list, head);
    }
    spin_unlock_irqrestore(&heap.lock, flags);
    return freed;
}

int page_list_verify(const struct page_list *list, uint16_t owner)
{
    unsigned long flags;
    const char *why = NULL;
    uint64_t blocks = 0, pages = 0;
    uint32_t prev = NO_FRAME, m = list->blocks ? list->first : NO_FRAME;

    spin_lock_irqsave(&heap.lock, flags);
    for (; m != NO_FRAME && !why; m = heap.table[m].next) {
        if (blocks++ >= list->blocks)
            why = "list longer than its block count";
        else if (!is_owned_head(m) || heap.table[m].owner != owner)
            why = "list holds a block that is not an allocated block of its owner";
        else if (heap.table[m].prev != prev)
            why = "list back link broken";
        else
            pages += order_pages(heap.table[m].order);
        prev = m;
    }
    if (!why && (blocks != list->blocks || pages != list->pages))
        why = "list totals differ from its blocks";
    spin_unlock_irqrestore(&heap.lock, flags);

    if (!why)
        return 0;
    pr_err("page_alloc: owner %u: %s (near mfn %#lx)\n", owner, why, (unsigned long)prev);
    return -EINVAL;
}

void page_get_ref(mfn_t mfn)
{
    BUG_ON(mfn >= heap.nr_frames);
    uint32_t old = __atomic_fetch_add(&heap.table[mfn].count, 1, __ATOMIC_ACQ_REL);
    BUG_ON(old == UINT32_MAX);
}

void page_put_ref(mfn_t mfn)
{
    BUG_ON(mfn >= heap.nr_frames);
    uint32_t old = __atomic_fetch_sub(&heap.table[mfn].count, 1, __ATOMIC_ACQ_REL);
    BUG_ON(old == 0);
}

uint32_t page_refs(mfn_t mfn)
{
    return mfn < heap.nr_frames ? __atomic_load_n(&heap.table[mfn].count, __ATOMIC_ACQUIRE) : 0;
}

void *alloc_xenheap_pages(unsigned int order)
{
    mfn_t mfn = alloc_pages(order);

    return mfn == INVALID_MFN ? NULL : mfn_to_virt(mfn);
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (!va)
        return;
    BUG_ON(!IS_ALIGNED((uintptr_t)va, PAGE_SIZE));
    free_pages(virt_to_mfn(va), order);
}

/* Check one block in the table walk; NULL when it is well formed. */
struct verify_counts {
    uint64_t free_blocks[PAGE_ORDER_MAX];
    uint64_t used, owned_pages, owned_blocks;
};

static const char *verify_block(mfn_t mfn, struct verify_counts *c)
{
    const struct page_info *pg = &heap.table[mfn];
    mfn_t size, buddy;

    if (!is_head(pg))
        return "tail outside any block";
    if (pg->order >= PAGE_ORDER_MAX)
        return "bad order";
    size = order_pages(pg->order);
    buddy = mfn ^ size;
    if (!IS_ALIGNED(mfn, size) || mfn + size > heap.nr_frames)
        return "misplaced block";
    for (mfn_t m = mfn + 1; m < mfn + size; m++)
        if (heap.table[m].state != PGS_FREE_TAIL)
            return "block tail is not PGS_FREE_TAIL";
    if (pg->state == PGS_ALLOC_HEAD) {
        c->used += size;
        if (pg->owner != PAGE_OWNER_NONE) {
            c->owned_pages += size;
            c->owned_blocks++;
        } else if (pg->next != NO_FRAME || pg->prev != NO_FRAME) {
            return "hypervisor block is linked into a list";
        }
        return NULL;
    }
    if (pg->owner != PAGE_OWNER_NONE)
        return "free block has an owner";
    for (mfn_t m = mfn; m < mfn + size; m++)
        if (heap.table[m].count)
            return "free frame holds references";
    if (pg->order < PAGE_ORDER_MAX - 1 && buddy < heap.nr_frames &&
        heap.table[buddy].state == PGS_FREE_HEAD &&
        heap.table[buddy].order == pg->order)
        return "free buddies not merged";
    c->free_blocks[pg->order]++;
    return NULL;
}

/* Walk free list k; NULL when its blocks are the ones the table walk counted. */
static const char *verify_free_list(unsigned int k, uint64_t counted, mfn_t *at)
{
    uint32_t prev = NO_FRAME;
    uint64_t n = 0;

    for (uint32_t m = heap.free_list[k]; m != NO_FRAME; m = heap.table[m].next) {
        *at = m;
        if (m >= heap.nr_frames || n++ >= counted)
            return "free list runs off the free blocks";
        if (heap.table[m].state != PGS_FREE_HEAD || heap.table[m].order != k)
            return "free list holds a block of another state or order";
        if (heap.table[m].prev != prev)
            return "free list back link broken";
        prev = m;
    }
    if (n != counted || n != heap.stats.free_blocks[k])
        return "free list length differs from blocks and stats";
    return NULL;
}

int page_alloc_verify(void)
{
    unsigned long flags;
    struct verify_counts c;
    uint64_t free = 0;
    const char *why = NULL;
    mfn_t mfn = 0;

    memset(&c, 0, sizeof(c));
    spin_lock_irqsave(&heap.lock, flags);
    while (mfn < heap.nr_frames && !why) {
        if (heap.table[mfn].state == PGS_RESERVED) {
            mfn++;
            continue;
        }
        why = verify_block(mfn, &c);
        if (!why)
            mfn += order_pages(heap.table[mfn].order);
    }
    for (unsigned int k = 0; k < PAGE_ORDER_MAX && !why; k++) {
        why = verify_free_list(k, c.free_blocks[k], &mfn);
        free += c.free_blocks[k] << k;
    }
    if (!why && free != heap.stats.free_pages)
        why = "stats.free_pages differs from the free blocks";
    if (!why && free + c.used != heap.stats.total_pages)
        why = "free and allocated pages do not add up to total_pages";
    if (!why && (c.owned_pages != heap.stats.owned_pages ||
                 c.owned_blocks != heap.stats.owned_blocks))
        why = "owned blocks differ from stats.owned_pages/owned_blocks";
    spin_unlock_irqrestore(&heap.lock, flags);

    if (!why)
        return 0;
    pr_err("page_alloc: %s (near mfn %#lx)\n", why, (unsigned long)mfn);
    return -EINVAL;
}

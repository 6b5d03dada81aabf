/*
 * The physical page allocator: a binary buddy allocator over host frames,
 * orders 0 .. PAGE_ORDER_MAX-1.  Arch-neutral; its metadata is a frame table
 * (one struct page_info per frame from 0 to the top of RAM) that the caller
 * places, so that the same code runs on the host in unit tests.
 */
#ifndef KEEL_PAGE_ALLOC_H
#define KEEL_PAGE_ALLOC_H

#include <keel/types.h>

#define PAGE_ORDER_MAX 19   /* largest block: 2^18 pages = 1 GiB */

struct page_info {
    uint32_t next, prev;    /* list links (frame numbers), see below */
    uint8_t  order;         /* block order, valid on a block's head */
    uint8_t  state;         /* PGS_* below */
    uint16_t owner;         /* allocated head: owner tag (PAGE_OWNER_NONE: the hypervisor's) */
    uint32_t count;         /* references the hypervisor holds on this frame */
};

enum page_state {
    PGS_RESERVED = 0,   /* never handed to the allocator (firmware, image, holes) */
    PGS_FREE_HEAD,      /* first frame of a free block of 2^order frames */
    PGS_FREE_TAIL,      /* other frames of a block, free or allocated (see below) */
    PGS_ALLOC_HEAD,     /* first frame of an allocated block */
    PGS_ALLOC_TAIL,     /* never set by the allocator (see below) */
};

/*
 * Only a block's head says whether the block is free or allocated, and its
 * order.  Allocating and freeing rewrite a few heads and never a block's
 * tails (which all read PGS_FREE_TAIL), so both cost O(PAGE_ORDER_MAX)
 * rather than O(2^order).  page_block_head() finds the block of any frame.
 * Other code may use a page's count (through page_get_ref/page_put_ref)
 * but must not write state, order, owner or links.
 *
 * A head's links chain the free list of its order while the block is free,
 * and the owner's page_list while it is allocated to an owner (a domain);
 * a block the hypervisor allocated for itself (alloc_pages) is on no list.
 */

#define PAGE_OWNER_NONE 0xffff      /* not a domain ID (those are < 0x7ff0) */

/*
 * The blocks one owner holds, linked through their heads, so that an owner
 * can give back everything it has without keeping an array of extents and
 * a frame's block (and so its owner) is found from the frame table in
 * O(PAGE_ORDER_MAX).  All-zero is an empty list.  The lists are changed
 * only here, under the allocator's lock; their totals may be read anywhere.
 */
struct page_list {
    uint32_t first;         /* head of the first block; meaningless while blocks == 0 */
    uint64_t blocks;        /* blocks on the list */
    uint64_t pages;         /* frames in them */
};

struct page_alloc_stats {
    uint64_t total_pages;                       /* pages ever given to the allocator */
    uint64_t free_pages;
    uint64_t free_blocks[PAGE_ORDER_MAX];       /* free blocks of each order */
    uint64_t allocs, frees, failed_allocs;
    uint64_t owned_pages, owned_blocks;         /* in blocks that have an owner */
};

/* Bytes of frame table needed for frames 0 .. nr_frames-1. */
size_t page_alloc_table_bytes(mfn_t nr_frames);

/* Start with every frame reserved; table must hold nr_frames entries. */
void page_alloc_init(struct page_info *table, mfn_t nr_frames);

/* Hand frames [start, end) to the allocator (boot time). */
void page_alloc_add_range(mfn_t start, mfn_t end);

/* Allocate 2^order contiguous, naturally aligned frames; INVALID_MFN if none. */
mfn_t alloc_pages(unsigned int order);

/*
 * Give back a block.  Returns 0, or -EINVAL when mfn is not the head of an
 * allocated block of exactly that order (double free, wrong order, never
 * allocated) or the block has an owner (it goes back through
 * page_list_free), and changes nothing.
 */
int free_pages_checked(mfn_t mfn, unsigned int order);

/* free_pages_checked() for callers whose bad free is a hypervisor bug. */
void free_pages(mfn_t mfn, unsigned int order);

uint64_t page_alloc_free_pages(void);
void page_alloc_get_stats(struct page_alloc_stats *st);
struct page_info *mfn_to_page(mfn_t mfn);   /* NULL when outside the table */

/*
 * The head of the block (free or allocated) that holds frame mfn; *order and
 * *state (either may be NULL) get that block's order and its head's state.
 * INVALID_MFN when mfn is reserved or outside the table.  O(PAGE_ORDER_MAX).
 */
mfn_t page_block_head(mfn_t mfn, unsigned int *order, enum page_state *state);

/* ---- blocks with an owner (a domain's memory) ---------------------------- */

/* Allocate like alloc_pages(), give the block to owner and put it on list. */
mfn_t alloc_owned_pages(struct page_list *list, uint16_t owner, unsigned int order);

/*
 * The head of the allocated block that holds frame mfn if owner owns it
 * (*order: its order), else INVALID_MFN.  O(PAGE_ORDER_MAX).
 */
mfn_t page_owned_block(mfn_t mfn, uint16_t owner, unsigned int *order);

/*
 * Make [mfn, mfn + 2^order) (naturally aligned) a block of its own: the
 * owned block around it is split buddy-style into blocks of orders
 * k-1, ..., order+1, order, order around it, all staying owner's and on
 * list (O(k) head writes; nothing is freed).  0, or -EINVAL when the frames
 * are not inside one block of owner's of at least that order.
 */
int page_isolate(struct page_list *list, uint16_t owner, mfn_t mfn, unsigned int order);

/* Move the owned block headed by head from one list to another (same owner). */
int page_list_move(struct page_list *from, struct page_list *to, mfn_t head);

/*
 * Free every block on list and return the number of pages freed.  A block
 * with a frame someone still holds a reference on (count != 0) is not
 * freed: it is logged and stays on the list (a leak is better than a frame
 * freed under its user).  O(blocks + pages).
 */
uint64_t page_list_free(struct page_list *list);

/* Check list: well linked, every block an allocated head of owner's, totals right. */
int page_list_verify(const struct page_list *list, uint16_t owner);

/* References on one frame (vcpu_info areas, later grant mappings). */
void page_get_ref(mfn_t mfn);
void page_put_ref(mfn_t mfn);
uint32_t page_refs(mfn_t mfn);

/*
 * Check every invariant of the frame table, the free lists and the stats
 * (O(frames); for tests and debugging).  0, or -EINVAL after logging the
 * first problem found.
 */
int page_alloc_verify(void);

/* Pages that the hypervisor itself uses, reached through the direct map. */
void *alloc_xenheap_pages(unsigned int order);  /* NULL if none */
void free_xenheap_pages(void *va, unsigned int order);

#endif

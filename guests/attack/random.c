/*
 * mode=random: seeded random hypercalls.  Every call must come back (the
 * guest keeps counting); what it returns is only tallied.  seed=N picks the
 * sequence (printed first, so a failure replays), calls=N how many,
 * trace=N prints each call from the Nth on with its result.
 *
 * Most calls are implemented hypercalls with their sub-ops and arguments
 * drawn from pools of the interesting values for each type (ports, domain
 * IDs, frame numbers, counts near 2^32 and 2^64, ...); the rest are unknown
 * numbers.  Pointers point at one of:
 *   - a buffer in the arena, filled for the call (random bytes, or the
 *     structure the sub-op takes with fields from the pools);
 *   - a read-only mapping of an arena page (writes must fail);
 *   - a buffer whose end runs into a page the guest's page tables do not
 *     map, or past the end of RAM (not in the P2M);
 *   - unmapped guest memory, a hole in the memory map, the top of the
 *     address space, hypervisor-looking and non-canonical addresses;
 *   - spare RAM (SPARE_START and up) that calls may have ballooned out.
 * The 64-bit build also makes some calls from compatibility mode (32-bit
 * layouts) with garbage in the registers' upper halves, and gives
 * int-typed arguments garbage upper halves in 64-bit calls.
 *
 * Left out, because they would legitimately end or stall the attacker:
 * SCHEDOP_shutdown with a readable argument (only unreadable ones, which
 * must be -EFAULT, or an invalid reason, -EINVAL); SCHEDOP_block (nothing
 * might wake it: interrupts stay off here); SCHEDOP_poll without a timeout
 * (every poll gets one at most 500 us ahead, or in the past).  Pointers
 * whose contents the guest does not control (spare RAM, random addresses
 * that may be RAM) are only given where the contents cannot name our own
 * memory: never as a structure holding pointers, frame numbers, a poll or
 * a shutdown reason.  Frame numbers come from the spare range, holes or
 * impossible values, never the image.  Interrupts stay off, so an upcall
 * vector set at random is never delivered.
 */
#include "attack.h"
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/vcpu.h>
#include <public/version.h>

#define DEFAULT_SEED    0x6b65656c61747421ull   /* "keelatt!" */
#define DEFAULT_CALLS   100000u
#define PROGRESS_EVERY  10000u

/*
 * The arena.  Pages 0-2 hold the buffers calls get; page 3 is the one seen
 * through ALIAS_VA (followed by an unmapped page) and RO_VA.  Runstate
 * areas go to `runstate_sink` (or bad addresses): Keel writes them at every
 * context switch, and one landing in a buffer between its filling and the
 * call would change what the call sees.
 */
#define ARENA_PAGES     4
#define BUF_BYTES       (3 * PAGE_SIZE)
static uint8_t arena[ARENA_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t runstate_sink[PAGE_SIZE] __attribute__((aligned(4096)));
#define EDGE_PAGE       (arena + 3 * PAGE_SIZE)

#ifdef __x86_64__
#define ALIAS_VA        0x4000000000ul          /* -> arena page 3; +4 KiB unmapped */
#define RO_VA           0x4000002000ul          /* -> arena page 3, read-only */
#define GVA_UNMAPPED    0x200000000ul           /* 8 GiB: no page-table entry */
#define GVA_HV_TEXT     0xffffffff80200000ul    /* Keel's image */
#define GVA_HV_DIRECT   0xffff800000000000ul    /* Keel's direct map */
#define GVA_XEN_DIRECT  0xffff830000000000ul    /* Xen's */
#define GVA_NONCANON    0x0000800000000000ul
#endif
#define CONSOLE_GFN     0xfefffu                /* Keel's console ring page */

/* ---- pools ------------------------------------------------------------------ */

static uint64_t pick(const uint64_t *pool, unsigned int n)
{
    return pool[prng_below(n)];
}
#define PICK(pool) pick(pool, ARRAY_SIZE(pool))

/* Counts and lengths: small, boundaries, near 2^31, 2^32 and 2^64. */
static uint64_t any_count(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, 15, 16, 17, 127, 128, 129, 511, 512, 513, 4095, 4096, 4097,
        0x3ffffff, 0x4000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    };

    switch (prng_below(4)) {
    case 0:  return prng_below(8);
    case 1:  return PICK(edges);
#ifdef __x86_64__
    case 2:  return prng_percent(50) ? ~0ul - prng_below(4) : (1ul << 32) + prng_below(4);
#endif
    default: return prng_next();
    }
}

static uint32_t any_port(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 63, 64, 1023, 1024, 4095, 4096, 4097, 0xffff, 0x7fffffff, 0xffffffff,
    };

    switch (prng_below(3)) {
    case 0:  return 1 + prng_below(16);         /* ours, likely in use */
    case 1:  return (uint32_t)PICK(edges);
    default: return prng_percent(50) ? prng_below(4096) : (uint32_t)prng_next();
    }
}

static domid_t any_domid(void)
{
    switch (prng_below(6)) {
    case 0:
    case 1:  return DOMID_SELF;
    case 2:  return (domid_t)env.domid;
    case 3:  return env.nr_peers ? env.peers[prng_below(env.nr_peers)] : 0;
    case 4:  return (domid_t)(DOMID_FIRST_RESERVED + prng_below(16));   /* IO, XEN, ... */
    default: return prng_percent(50) ? (domid_t)prng_below(16) : (domid_t)prng_next();
    }
}

static uint32_t any_vcpu(void)
{
    static const uint64_t edges[] = { 0, 0, 0, 1, 31, 32, 127, 128, 0xffff, 0xffffffff };
    return (uint32_t)PICK(edges);
}

/*
 * A frame number for calls that map, free or write frames: the spare
 * range (never the image), holes, the console ring, or impossible values.
 * Extents of up to 2^9 frames from any of them stay clear of the image,
 * also when a 32-bit layout truncates them (so no 2^40: it would be 0).
 */
static uint64_t any_gfn(void)
{
    uint64_t spare_first = SPARE_START / PAGE_SIZE, spare_pages = env.ram_top / PAGE_SIZE - spare_first;

    switch (prng_below(8)) {
    case 0:
    case 1:
    case 2:  return spare_first + prng_below((uint32_t)spare_pages);
    case 3:  return (spare_first + 512 * prng_below((uint32_t)(spare_pages / 512))) & ~511ull;
    case 4:  return env.hole / PAGE_SIZE + prng_below(64);
    case 5:  return prng_percent(50) ? CONSOLE_GFN : 0xfec00;           /* IO-APIC page */
    case 6:  return prng_percent(50) ? (1ull << 36) - 1 - prng_below(2) : 0xfffffe00ull;
    default: return prng_percent(50) ? ~0ull - prng_below(2) : 0xffffffffull;
    }
}

static uint32_t any_order(void)
{
    static const uint64_t orders[] = { 0, 0, 0, 0, 1, 2, 9, 9, 10, 18, 19, 31, 32, 0xffffffff };
    return (uint32_t)PICK(orders);
}

/* An int-typed argument: Xen uses its low 32 bits, whatever is above. */
static unsigned long int_arg(uint32_t v)
{
#ifdef __x86_64__
    if (prng_percent(25))
        return ((unsigned long)prng_next() << 32) | v;
#endif
    return v;
}

/* ---- pointers ---------------------------------------------------------------- */

/*
 * Where a call's buffer is: the address passed (gva) and, if the guest can
 * fill it, where it writes the contents (at, room bytes of it).
 */
struct buf {
    unsigned long gva;
    uint8_t *at;
    size_t room;
};

enum ptr_use {
    USE_OUTPUT,     /* the call writes there, or reads what cannot hurt us */
    USE_STRUCT,     /* read as a structure that names memory or ends us */
};

/*
 * An address no call can ever read or write: no guest page-table entry
 * maps it (64-bit), or no call can populate the frame (frame numbers from
 * any_gfn() never name 0xfee00 or 0xfffff).
 */
static unsigned long never_ptr(bool compat)
{
    if (compat)
        return (prng_percent(50) ? 0xfffff000u : 0xfee00000u) + prng_below(PAGE_SIZE);
#ifdef __x86_64__
    switch (prng_below(8)) {
    case 0:  return GVA_UNMAPPED + prng_below(1u << 30);
    case 1:  return 0xfffffffffffff000ul + prng_below(PAGE_SIZE);
    case 2:  return GVA_HV_TEXT + prng_below(1u << 22);
    case 3:  return GVA_HV_DIRECT + (unsigned long)prng_below(1u << 20) * PAGE_SIZE;
    case 4:  return GVA_XEN_DIRECT + prng_below(1u << 30);
    case 5:  return GVA_NONCANON + prng_below(1u << 30);
    case 6:  return prng_below(PAGE_SIZE);                      /* page 0: unmapped */
    default:
        /* Random, made non-canonical if it fell in the identity map. */
        return (unsigned long)(prng_next() | (prng_percent(50) ? 1ul << 47 : 0));
    }
#else
    return 0;   /* unreachable: 32-bit calls are compat */
#endif
}

/* A random 32-bit address outside our image (it may be RAM, spare or low). */
static unsigned long random_low_ptr(void)
{
    for (;;) {
        unsigned long p = (uint32_t)prng_next();
        if (p + PAGE_SIZE < (uintptr_t)__image_start || p >= (uintptr_t)__image_end)
            return p;
    }
}

static struct buf arena_buf(size_t size)
{
    size_t off = prng_below((uint32_t)(BUF_BYTES - size + 1));

    if (prng_percent(80))
        off &= ~(size_t)7;
    return (struct buf){ (uintptr_t)arena + off, arena + off, BUF_BYTES - off };
}

#ifdef __x86_64__
/* `readable` bytes we fill, then a page the guest's page tables do not map. */
static struct buf edge_buf(size_t readable)
{
    return (struct buf){ ALIAS_VA + PAGE_SIZE - readable, EDGE_PAGE + PAGE_SIZE - readable,
                         readable };
}
#endif

/*
 * Memory we never look at (for outputs only): the end of RAM running into
 * the P2M hole, spare RAM (maybe ballooned out), the hole after RAM (maybe
 * populated), anywhere low, the console ring.
 */
static struct buf maybe_buf(size_t size, bool compat)
{
    switch (prng_below(5)) {
    case 0:  return (struct buf){ (unsigned long)(env.ram_top - prng_below((uint32_t)size)), NULL, 0 };
    case 1:  return (struct buf){ SPARE_START + prng_below((uint32_t)(env.ram_top - SPARE_START)),
                                  NULL, 0 };
    case 2:  return (struct buf){ (unsigned long)(env.hole + prng_below(64 * PAGE_SIZE)), NULL, 0 };
    case 3:  return (struct buf){ random_low_ptr(), NULL, 0 };
    default: return (struct buf){ CONSOLE_GFN * PAGE_SIZE + prng_below(PAGE_SIZE), NULL, 0 };
    }
    (void)compat;
}

/* A buffer for `size` bytes (size <= BUF_BYTES) used as `use`. */
static struct buf any_buf(size_t size, enum ptr_use use, bool compat)
{
    unsigned int r = prng_below(100);

    if (r < 55)
        return arena_buf(size);
#ifdef __x86_64__
    if (!compat && r < 63)      /* runs into an unmapped page after k bytes */
        return edge_buf(size > 1 ? 1 + prng_below((uint32_t)size - 1) : 0);
    if (!compat && r < 68) {    /* read-only */
        size_t off = prng_below(PAGE_SIZE);
        return (struct buf){ RO_VA + off, EDGE_PAGE + off, PAGE_SIZE - off };
    }
#endif
    if (r < 80 && use == USE_OUTPUT)
        return maybe_buf(size, compat);
    return (struct buf){ never_ptr(compat), NULL, 0 };
}

/*
 * A list of elements the call reads as frame numbers or copy operations:
 * the n we made, and never anything else.  A call may read `count` of
 * them; past n it must find the end of what it can read, not whatever
 * memory follows.
 */
static struct buf list_buf(size_t elem, uint64_t n, uint64_t count, bool compat)
{
    if (count <= n)
        return any_buf(n ? n * elem : 1, USE_STRUCT, compat);
#ifdef __x86_64__
    if (!compat && prng_percent(70))
        return edge_buf(prng_below((uint32_t)n + 1) * elem);
#endif
    return (struct buf){ never_ptr(compat), NULL, 0 };
}

/* Contents for b: random bytes, then the structure's first len bytes. */
static void fill(const struct buf *b, const void *data, size_t len)
{
    if (!b->at)
        return;
    prng_fill(b->at, MIN(b->room, (size_t)64 + len));
    memcpy(b->at, data, MIN(len, b->room));
}

/* The bytes fill() writes for data of len bytes at b (none for a bad pointer). */
static size_t filled(const struct buf *b, size_t len)
{
    return b->at ? MIN(b->room, (size_t)64 + len) : 0;
}

/* Whether a and b, filled with a_len and b_len bytes, share any byte (through
 * any alias: the host addresses are compared). */
static bool bufs_overlap(const struct buf *a, size_t a_len, const struct buf *b, size_t b_len)
{
    size_t na = filled(a, a_len), nb = filled(b, b_len);

    return na && nb && a->at < b->at + nb && b->at < a->at + na;
}

/* ---- one call ------------------------------------------------------------------ */

struct call {
    unsigned long nr, a[5];
    bool compat;                    /* 32-bit layouts and registers */
};

/* A buffer of `size` for arg slot i, filled with data. */
static void ptr_arg(struct call *c, unsigned int i, const void *data, size_t size,
                    enum ptr_use use)
{
    struct buf b = any_buf(size, use, c->compat);
    fill(&b, data, size);
    c->a[i] = b.gva;
}

/* Arg slot i: the 32-bit or the 64-bit layout of a structure, as the call
 * reads it, exactly its size (a buffer crossing into the unreadable must
 * cross inside the structure). */
#define STRUCT_ARG(c, i, s32, s64)                                          \
    ((c)->compat ? ptr_arg((c), (i), &(s32), sizeof(s32), USE_STRUCT)       \
                 : ptr_arg((c), (i), &(s64), sizeof(s64), USE_STRUCT))

/* A guest-handle value inside a structure (an extent list, ports, ...). */
static uint64_t handle_for(const void *data, size_t size, enum ptr_use use, bool compat)
{
    struct buf b = any_buf(size, use, compat);
    fill(&b, data, size);
    return b.gva;
}

static void gen_xen_version(struct call *c)
{
    uint8_t junk[1024];
    uint32_t cmd = prng_percent(90) ? prng_below(12) : (uint32_t)prng_next();

    prng_fill(junk, sizeof(junk));
    c->nr = __HYPERVISOR_xen_version;
    c->a[0] = int_arg(cmd);
    ptr_arg(c, 1, junk, sizeof(junk), USE_OUTPUT);
    if (cmd == XENVER_pagesize && prng_percent(50))
        c->a[1] = 0;
}

/*
 * console_io: writes that print get a short line of letters (the log must
 * stay readable and small); everything else may be any command, count and
 * pointer: those must fail.
 */
static void gen_console_io(struct call *c)
{
    c->nr = __HYPERVISOR_console_io;
    if (prng_percent(60)) {
        char text[16];
        uint32_t n = 1 + prng_below(sizeof(text) - 1);
        for (uint32_t i = 0; i < n; i++)
            text[i] = (char)('a' + prng_below(26));
        text[n - 1] = '\n';
        struct buf b = arena_buf(n);
        fill(&b, text, n);
        c->a[0] = int_arg(CONSOLEIO_write);
        c->a[1] = int_arg(n);
        c->a[2] = b.gva;
        return;
    }
    c->a[0] = int_arg(prng_percent(70) ? CONSOLEIO_write : (uint32_t)any_count());
    /* At least one chunk (128 bytes) is unreadable, so nothing prints. */
    c->a[1] = int_arg((uint32_t)(128 + prng_below(UINT32_MAX - 128)));
    c->a[2] = never_ptr(c->compat);
}

static void gen_sched_op(struct call *c)
{
    unsigned int r = prng_below(100);

    c->nr = __HYPERVISOR_sched_op;
    if (r < 30) {
        c->a[0] = int_arg(SCHEDOP_yield);
        c->a[1] = prng_percent(80) ? 0 : never_ptr(c->compat);
    } else if (r < 70) {
        /* A poll that ends by itself: timeout at most 500 us ahead. */
        evtchn_port_t ports[130];
        for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
            ports[i] = any_port();
        uint32_t nr = prng_percent(80) ? prng_below(4) : (uint32_t)PICK(((const uint64_t[]){
                          127, 128, 129, 0x80000000, 0xffffffff }));
        uint64_t ports_gva = handle_for(ports, MIN(nr, ARRAY_SIZE(ports)) * 4 + 4, USE_OUTPUT,
                                        c->compat);
        uint64_t timeout = prng_percent(40) ? 1 + prng_below(1000000)
                                            : attack_now() + prng_below(500000);
        struct compat_sched_poll p32 = { (uint32_t)ports_gva, nr, timeout };
        struct sched_poll p64 = { ports_gva, nr, timeout };
        STRUCT_ARG(c, 1, p32, p64);
        c->a[0] = int_arg(SCHEDOP_poll);
    } else if (r < 78) {
        /* Unreadable (-EFAULT) or readable with an invalid reason (-EINVAL). */
        struct sched_shutdown s = { .reason = 5 + prng_below(UINT32_MAX - 5) };
        if (prng_percent(50)) {
            struct buf b = arena_buf(sizeof(s));
            fill(&b, &s, sizeof(s));
            c->a[1] = b.gva;
        } else {
            c->a[1] = never_ptr(c->compat);
        }
        c->a[0] = int_arg(SCHEDOP_shutdown);
    } else if (r < 84) {
        struct sched_shutdown s = { .reason = (uint32_t)prng_next() };
        c->a[0] = int_arg(SCHEDOP_shutdown_code);         /* only latches a reason */
        ptr_arg(c, 1, &s, sizeof(s), USE_OUTPUT);
    } else if (r < 92) {
        /* Not the control domain: -EPERM or -ESRCH, never a shutdown. */
        struct sched_remote_shutdown s = { .domain_id = any_domid(), .reason = prng_below(6) };
        c->a[0] = int_arg(SCHEDOP_remote_shutdown);
        ptr_arg(c, 1, &s, sizeof(s), USE_OUTPUT);
    } else {
        /* Anything but block (1) and shutdown (2) in the low 32 bits. */
        uint32_t cmd;
        do
            cmd = prng_percent(50) ? 5 + prng_below(16) : (uint32_t)prng_next();
        while (cmd == SCHEDOP_block || cmd == SCHEDOP_shutdown);
        uint8_t junk[64];
        prng_fill(junk, sizeof(junk));
        c->a[0] = int_arg(cmd);
        ptr_arg(c, 1, junk, sizeof(junk), USE_STRUCT);
    }
}

/* The reservation ops and friends; frame lists name spare frames only. */
static void gen_memory_op(struct call *c)
{
    unsigned int r = prng_below(100);
    unsigned long cmd;

    c->nr = __HYPERVISOR_memory_op;
    if (r < 45) {
        static const uint64_t ops[] = {
            XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap,
            XENMEM_decrease_reservation, XENMEM_populate_physmap,
        };
        uint64_t list[64];
        uint32_t list32[64];
        for (unsigned int i = 0; i < ARRAY_SIZE(list); i++)
            list32[i] = (uint32_t)(list[i] = any_gfn());
        uint64_t nr = prng_percent(85) ? prng_below(9) : any_count();
        uint32_t order = any_order(), flags = prng_percent(80) ? 0 : (uint32_t)prng_next();
        domid_t dom = prng_percent(80) ? DOMID_SELF : any_domid();
        cmd = PICK(ops);
        if (prng_percent(15))
            cmd |= (unsigned long)(prng_percent(50) ? prng_below(8) : prng_next())
                   << MEMOP_EXTENT_SHIFT;
        size_t elem = c->compat ? 4 : 8, list_len = c->compat ? sizeof(list32) : sizeof(list);
        size_t res_len = c->compat ? sizeof(struct compat_xen_memory_reservation)
                                   : sizeof(struct xen_memory_reservation);
        /*
         * The structure's place first, then a list apart from it: filling
         * one over the other would make the hypervisor read the
         * structure's bytes (extent_order, say) as frame numbers, which
         * may name our own image (it would then rightly be ballooned out).
         */
        struct buf rb = any_buf(res_len, USE_STRUCT, c->compat), lb;
        do
            lb = list_buf(elem, ARRAY_SIZE(list), c->compat ? (uint32_t)nr : nr, c->compat);
        while (bufs_overlap(&lb, list_len, &rb, res_len));
        if (c->compat)
            fill(&lb, list32, sizeof(list32));
        else
            fill(&lb, list, sizeof(list));
        struct compat_xen_memory_reservation x32 = { (uint32_t)lb.gva, (uint32_t)nr, order,
                                                     flags, dom };
        struct xen_memory_reservation x64 = { lb.gva, nr, order, flags, dom };
        if (c->compat)
            fill(&rb, &x32, sizeof(x32));
        else
            fill(&rb, &x64, sizeof(x64));
        c->a[1] = rb.gva;
    } else if (r < 60) {
        domid_t dom = any_domid();
        cmd = prng_percent(50) ? XENMEM_current_reservation : XENMEM_maximum_reservation;
        if (prng_percent(10))
            cmd |= 1ul << MEMOP_EXTENT_SHIFT;
        ptr_arg(c, 1, &dom, sizeof(dom), USE_OUTPUT);
    } else if (r < 70) {
        cmd = XENMEM_memory_map;
        uint64_t buffer = handle_for("", 0, USE_OUTPUT, c->compat);
        uint32_t room = prng_percent(70) ? prng_below(8) : (uint32_t)any_count();
        struct compat_xen_memory_map m32 = { room, (uint32_t)buffer };
        struct xen_memory_map m64 = { room, buffer };
        STRUCT_ARG(c, 1, m32, m64);
    } else if (r < 85) {
        cmd = XENMEM_add_to_physmap;
        static const uint64_t idxs[] = {
            0, 0, 1, 2, 63, 64, 65, 0x80000000, 0x80000001, 0xffffffff,
        };
        uint32_t space = prng_percent(85) ? prng_below(2) : (uint32_t)any_count();
        uint64_t idx = prng_percent(70) ? prng_below(8) : PICK(idxs);
        uint64_t gpfn = any_gfn();
        domid_t dom = prng_percent(80) ? DOMID_SELF : any_domid();
        uint16_t size = (uint16_t)prng_next();
        struct compat_xen_add_to_physmap x32 = { dom, size, space, (uint32_t)idx, (uint32_t)gpfn };
        struct xen_add_to_physmap x64 = { dom, size, space, idx, gpfn };
        STRUCT_ARG(c, 1, x32, x64);
    } else {
        /* Sub-ops Keel does not have, or continuation garbage on queries. */
        static const uint64_t others[] = { 2, 5, 8, 10, 11, 12, 13, 14, 15, 16, 20, 63 };
        cmd = PICK(others);
        if (prng_percent(30))
            cmd |= (unsigned long)prng_next() << MEMOP_EXTENT_SHIFT;
        c->a[1] = never_ptr(c->compat);
    }
    c->a[0] = c->compat ? (uint32_t)cmd : cmd;
}

static void gen_hvm_op(struct call *c)
{
    static const uint64_t values[] = {
        0, 1, 0xf3, (2ull << 56) | 0xf3, (2ull << 56) | 0x02, (2ull << 56) | 0x0e,
        (1ull << 56) | 5, ~0ull, 0xfefff, 4096,
    };
    struct xen_hvm_param p = {
        .domid = any_domid(),
        .index = prng_percent(85) ? prng_below(HVM_NR_PARAMS + 2) : (uint32_t)prng_next(),
        .value = prng_percent(50) ? PICK(values) : prng_next(),
    };
    unsigned long op = prng_percent(90) ? prng_below(2) : PICK(((const uint64_t[]){
                           HVMOP_pagetable_dying, HVMOP_set_evtchn_upcall_vector, 2, 99 }));

    c->nr = __HYPERVISOR_hvm_op;
#ifdef __x86_64__
    if (!c->compat && prng_percent(5))
        op |= (unsigned long)prng_next() << 32;       /* hvm_op's op is unsigned long */
#endif
    c->a[0] = op;
    ptr_arg(c, 1, &p, sizeof(p), USE_OUTPUT);
}

static void gen_vcpu_op(struct call *c)
{
    uint32_t cmd = prng_percent(90) ? prng_below(14) : (uint32_t)prng_next();
    uint8_t junk[64];

    c->nr = __HYPERVISOR_vcpu_op;
    c->a[0] = int_arg(cmd);
    c->a[1] = int_arg(prng_percent(80) ? 0 : any_vcpu());
    prng_fill(junk, sizeof(junk));
    switch (cmd) {
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t = {
            .timeout_abs_ns = prng_percent(50) ? attack_now() + prng_below(2000000) : prng_next(),
            .flags = prng_percent(50) ? prng_below(2) : (uint32_t)prng_next(),
        };
        ptr_arg(c, 2, &t, sizeof(t), USE_OUTPUT);
        break;
    }
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info v = {
            .mfn = any_gfn(),
            .offset = prng_percent(70) ? 64 * prng_below(64) : (uint32_t)prng_next(),
        };
        ptr_arg(c, 2, &v, sizeof(v), USE_STRUCT);
        break;
    }
    case VCPUOP_register_runstate_memory_area: {
        /* Keel writes there at every context switch: our sink, or nowhere. */
        struct vcpu_register_runstate_memory_area a = {
            .addr = prng_percent(30) ? 0 :
                    prng_percent(50) ? (uintptr_t)runstate_sink + prng_below(PAGE_SIZE - 48)
                                     : never_ptr(c->compat),
        };
        ptr_arg(c, 2, &a, sizeof(a), USE_STRUCT);
        break;
    }
    default:
        ptr_arg(c, 2, junk, sizeof(junk), USE_OUTPUT);
        break;
    }
}

/* The argument of EVTCHNOP_cmd, with fields from the pools (16 bytes cover all). */
static void evtchn_arg(uint32_t cmd, uint8_t out[24])
{
    prng_fill(out, 24);
    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound a = { any_domid(), any_domid(), 0 };
        memcpy(out, &a, sizeof(a));
        break;
    }
    case EVTCHNOP_bind_interdomain: {
        struct evtchn_bind_interdomain a = { any_domid(), any_port(), 0 };
        memcpy(out, &a, sizeof(a));
        break;
    }
    case EVTCHNOP_bind_virq: {
        struct evtchn_bind_virq a = {
            prng_percent(80) ? prng_below(24) : (uint32_t)prng_next(), any_vcpu(), 0,
        };
        memcpy(out, &a, sizeof(a));
        break;
    }
    case EVTCHNOP_bind_ipi:
    case EVTCHNOP_bind_vcpu: {
        uint32_t a[2] = { cmd == EVTCHNOP_bind_ipi ? any_vcpu() : any_port(), any_vcpu() };
        memcpy(out, a, sizeof(a));
        break;
    }
    case EVTCHNOP_close:
    case EVTCHNOP_send:
    case EVTCHNOP_unmask: {
        uint32_t port = any_port();
        memcpy(out, &port, sizeof(port));
        break;
    }
    case EVTCHNOP_status: {
        struct evtchn_status a = { .dom = any_domid(), .port = any_port() };
        memcpy(out, &a, sizeof(a));
        break;
    }
    case EVTCHNOP_reset: {
        domid_t dom = any_domid();
        memcpy(out, &dom, sizeof(dom));
        break;
    }
    }
}

static uint32_t any_evtchn_cmd(void)
{
    /* Sends and unmasks the most: they are what a guest does all day. */
    static const uint64_t cmds[] = {
        0, 1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 9, 10, 11, 12, 13, 14,
    };
    return prng_percent(95) ? (uint32_t)PICK(cmds) : (uint32_t)prng_next();
}

static void gen_event_channel_op(struct call *c)
{
    uint32_t cmd = any_evtchn_cmd();
    uint8_t arg[24];

    /* Resetting ourselves now and then frees the ports the rest allocate. */
    if (cmd == EVTCHNOP_reset && prng_percent(50))
        cmd = EVTCHNOP_send;
    evtchn_arg(cmd, arg);
    c->nr = __HYPERVISOR_event_channel_op;
    c->a[0] = int_arg(cmd);
    ptr_arg(c, 1, arg, sizeof(arg), USE_OUTPUT);
}

/* Hypercall 16: one struct evtchn_op, the sub-op inside. */
static void gen_event_channel_op_compat(struct call *c)
{
    uint8_t op[4 + 24];
    uint32_t cmd = any_evtchn_cmd();

    memcpy(op, &cmd, 4);
    evtchn_arg(cmd, op + 4);
    c->nr = __HYPERVISOR_event_channel_op_compat;
    ptr_arg(c, 0, op, sizeof(op), USE_OUTPUT);
}

/* One side of a grant copy: a grant of some domain, or a spare frame of ours. */
static void copy_side(bool gref, uint64_t *frame, domid_t *dom, uint16_t *off)
{
    static const uint64_t refs[] = { 0, 7, 8, 9, 10, 511, 512, 32767, 32768, 0xffffffff };
    static const uint64_t offs[] = { 0, 0, 1, 8, 2048, 4088, 4095, 4096, 0xffff };

    if (gref) {
        *frame = prng_percent(60) ? prng_below(16) : PICK(refs);
        *dom = prng_percent(70) && env.nr_peers ? env.peers[prng_below(env.nr_peers)]
                                                : any_domid();
    } else {
        *frame = any_gfn();
        *dom = prng_percent(90) ? DOMID_SELF : any_domid();
    }
    *off = (uint16_t)(prng_percent(70) ? PICK(offs) : prng_next());
}

static size_t gen_copies(uint8_t *out, size_t room, uint32_t n, bool compat)
{
    static const uint64_t lens[] = { 0, 1, 8, 64, 4095, 4096, 4097, 0xffff };
    size_t size = compat ? sizeof(struct compat_gnttab_copy) : sizeof(struct gnttab_copy);
    size_t used = 0;

    for (uint32_t i = 0; i < n && used + size <= room; i++, used += size) {
        uint64_t sframe, dframe;
        domid_t sdom, ddom;
        uint16_t soff, doff;
        uint16_t flags = (uint16_t)(prng_percent(90) ? prng_below(4) : prng_next());
        uint16_t len = (uint16_t)(prng_percent(80) ? PICK(lens) : prng_next());

        copy_side(flags & GNTCOPY_source_gref, &sframe, &sdom, &soff);
        copy_side(flags & GNTCOPY_dest_gref, &dframe, &ddom, &doff);
        if (compat) {
            struct compat_gnttab_copy x = {
                .source = { .u.gmfn = (uint32_t)sframe, .domid = sdom, .offset = soff },
                .dest = { .u.gmfn = (uint32_t)dframe, .domid = ddom, .offset = doff },
                .len = len, .flags = flags, .status = 0x55,
            };
            memcpy(out + used, &x, size);
        } else {
            struct gnttab_copy x = {
                .source = { .u.gmfn = sframe, .domid = sdom, .offset = soff },
                .dest = { .u.gmfn = dframe, .domid = ddom, .offset = doff },
                .len = len, .flags = flags, .status = 0x55,
            };
            if (flags & GNTCOPY_source_gref)
                x.source.u.ref = (grant_ref_t)sframe;
            if (flags & GNTCOPY_dest_gref)
                x.dest.u.ref = (grant_ref_t)dframe;
            memcpy(out + used, &x, size);
        }
    }
    return used;
}

static void gen_grant_table_op(struct call *c)
{
    static uint8_t ops[40 * sizeof(struct gnttab_copy)];
    uint32_t cmd = prng_percent(90) ? prng_below(14) : (uint32_t)prng_next();
    uint32_t count;

    if (prng_percent(5))
        cmd |= 0x1000u << prng_below(4);            /* continuation bits */
    c->nr = __HYPERVISOR_grant_table_op;
    switch (cmd) {
    case GNTTABOP_copy: {
        uint32_t n = prng_below(40);
        count = prng_percent(85) ? n : (uint32_t)any_count();
        size_t used = gen_copies(ops, sizeof(ops), n, c->compat);
        size_t elem = c->compat ? sizeof(struct compat_gnttab_copy) : sizeof(struct gnttab_copy);
        struct buf b = list_buf(elem, n, count, c->compat);
        fill(&b, ops, used);
        c->a[1] = b.gva;
        break;
    }
    case GNTTABOP_setup_table: {
        uint32_t nr = prng_percent(80) ? prng_below(66) : (uint32_t)any_count();
        uint64_t list = handle_for("", 0, USE_OUTPUT, c->compat);
        domid_t dom = any_domid();
        struct compat_gnttab_setup_table s32 = { dom, nr, 0x55, (uint32_t)list };
        struct gnttab_setup_table s64 = { dom, nr, 0x55, list };
        STRUCT_ARG(c, 1, s32, s64);
        count = prng_percent(80) ? 1 : (uint32_t)any_count();
        break;
    }
    default: {
        /* query_size, get/set_version and the rest: a domain ID first. */
        uint32_t a[4] = { any_domid(), prng_below(4), (uint32_t)prng_next(), 0 };
        if (cmd == GNTTABOP_set_version)
            a[0] = prng_percent(80) ? prng_below(4) : (uint32_t)prng_next();
        ptr_arg(c, 1, a, sizeof(a), USE_OUTPUT);
        count = prng_percent(80) ? 1 : (uint32_t)any_count();
        break;
    }
    }
    c->a[0] = int_arg(cmd);
    c->a[2] = int_arg(count);
}

/* A hypercall number Keel does not implement, with arbitrary arguments. */
static void gen_unknown(struct call *c)
{
    static const uint64_t implemented[] = {
        __HYPERVISOR_xen_version, __HYPERVISOR_console_io, __HYPERVISOR_sched_op,
        __HYPERVISOR_memory_op, __HYPERVISOR_hvm_op, __HYPERVISOR_vcpu_op,
        __HYPERVISOR_event_channel_op, __HYPERVISOR_event_channel_op_compat,
        __HYPERVISOR_grant_table_op,
    };
    unsigned long nr;

    for (;;) {
        nr = prng_percent(80) ? prng_below(64) : (unsigned long)prng_next();
        if (c->compat)
            nr = (uint32_t)nr;
        bool known = false;
        for (unsigned int i = 0; i < ARRAY_SIZE(implemented); i++)
            known |= nr == implemented[i];
        if (!known)
            break;
    }
    c->nr = nr;
    for (unsigned int i = 0; i < 5; i++)
        c->a[i] = prng_percent(50) ? never_ptr(c->compat) : (unsigned long)any_count();
}

static void gen_call(struct call *c)
{
    static void (*const gens[])(struct call *) = {
        gen_xen_version, gen_xen_version, gen_console_io, gen_sched_op, gen_sched_op,
        gen_memory_op, gen_memory_op, gen_memory_op, gen_hvm_op, gen_vcpu_op, gen_vcpu_op,
        gen_event_channel_op, gen_event_channel_op, gen_event_channel_op,
        gen_event_channel_op, gen_event_channel_op_compat, gen_grant_table_op,
        gen_grant_table_op, gen_grant_table_op, gen_unknown,
    };

    memset(c, 0, sizeof(*c));
#ifdef __x86_64__
    c->compat = prng_percent(10);
#else
    c->compat = true;
#endif
    gens[prng_below(ARRAY_SIZE(gens))](c);
}

static long issue(const struct call *c)
{
#ifdef __x86_64__
    if (c->compat) {
        /* Garbage in every upper half: only the low 32 bits count. */
        uint64_t regs[6] = { c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4] };
        for (unsigned int i = 0; i < 6; i++)
            regs[i] = (uint32_t)regs[i] | (prng_next() << 32);
        return hypercall_compat_mode(regs);
    }
#endif
    return hypercall_vmmcall(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4]);
}

/* ---- the run ------------------------------------------------------------------ */

/* What the calls returned: >= 0, and the errors seen most. */
static const struct {
    long err;
    const char *name;
} tally_names[] = {
    { XEN_EFAULT, "EFAULT" }, { XEN_EINVAL, "EINVAL" }, { XEN_ENOSYS, "ENOSYS" },
    { XEN_EPERM, "EPERM" }, { XEN_ESRCH, "ESRCH" }, { XEN_ENOENT, "ENOENT" },
    { XEN_EEXIST, "EEXIST" }, { XEN_ETIME, "ETIME" }, { 28, "ENOSPC" }, { 7, "E2BIG" },
};
static uint32_t tally[ARRAY_SIZE(tally_names) + 2];  /* ..., >= 0, other */

static void count_result(long rc)
{
    if (rc >= 0) {
        tally[ARRAY_SIZE(tally_names)]++;
        return;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(tally_names); i++)
        if (rc == -tally_names[i].err) {
            tally[i]++;
            return;
        }
    tally[ARRAY_SIZE(tally_names) + 1]++;
}

static void print_tally(const char *what, uint32_t calls)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "attack: %s %u calls: ok %u", what, calls,
                     tally[ARRAY_SIZE(tally_names)]);
    for (unsigned int i = 0; i < ARRAY_SIZE(tally_names); i++)
        if (tally[i])
            n += snprintf(line + n, sizeof(line) - n, ", %s %u", tally_names[i].name, tally[i]);
    snprintf(line + n, sizeof(line) - n, ", other %u\n", tally[ARRAY_SIZE(tally_names) + 1]);
    printf("%s", line);
}

/* Pages the pointers need: the alias of arena page 3 (and the page after
 * it left unmapped), a read-only alias of the same page. */
static void map_aliases(void)
{
#ifdef __x86_64__
    if (pt_map_4k(ALIAS_VA, (uintptr_t)EDGE_PAGE, PTE_W) ||
        pt_map_4k(ALIAS_VA + PAGE_SIZE, 0, 0) ||
        pt_map_4k(RO_VA, (uintptr_t)EDGE_PAGE, PTE_P))
        test_fail("attack: cannot map the arena aliases");
#endif
}

void attack_random(void)
{
    uint64_t seed = cmdline_u64("seed", DEFAULT_SEED);
    uint32_t calls = (uint32_t)cmdline_u64("calls", DEFAULT_CALLS);
    /* trace=N: print every call from the Nth on, and what it returned. */
    uint32_t trace_from = (uint32_t)cmdline_u64("trace", UINT32_MAX);

    /* First, so that a failure can be replayed with seed=. */
    printf("attack: random hypercalls, seed=%#llx calls=%u\n", (unsigned long long)seed, calls);
    prng_seed(seed);
    map_aliases();

    uint64_t start = attack_now();
    for (uint32_t i = 1; i <= calls; i++) {
        struct call c;
        gen_call(&c);
        if (i >= trace_from)
            printf("attack: call %u: %s%#lx(%#lx, %#lx, %#lx, %#lx, %#lx)\n", i,
                   c.compat ? "compat " : "", c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
        long rc = issue(&c);
        if (i >= trace_from)
            printf("attack: call %u = %ld\n", i, rc);
        count_result(rc);
        if (i % PROGRESS_EVERY == 0 && i != calls)
            print_tally("after", i);
    }
    print_tally("done:", calls);
    /* ms as ns >> 20: no 64-bit division in the 32-bit build. */
    printf("attack: %u random calls took about %u ms\n", calls,
           (uint32_t)((attack_now() - start) >> 20));

    /* Still a working domain: the basics answer as they should. */
    check_ret(HYPERVISOR_xen_version(XENVER_version, NULL), XEN_CPUID_VERSION(4, 17),
              "xen_version(version) after the storm");
    static const char msg[] = "attack: console still works\n";
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0,
              "console_io(write) after the storm");
}

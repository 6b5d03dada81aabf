/*
 * Memory map arithmetic on arrays of struct mem_range.
 *
 * Overlaps are resolved point by point: each byte gets the type of the most
 * restrictive range that covers it, in this order (least to most):
 *
 *     RAM  <  ACPI  <  NVS  <  RESERVED and unknown types  <  BAD
 *
 * RAM is what we may use; ACPI tables can be reclaimed once read, so they
 * are less precious than NVS, which firmware owns for good; RESERVED is
 * opaque (MMIO, firmware) and types we do not know must be treated like it;
 * BAD memory must never be touched by anyone.  Between two types of equal
 * rank (RESERVED and an unknown type, or two unknown types) the larger type
 * number wins, only so that the result does not depend on input order.
 */
#include <keel/bootinfo.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/printk.h>

static unsigned int type_rank(uint32_t type)
{
    switch (type) {
    case MEM_RAM:      return 0;
    case MEM_ACPI:     return 1;
    case MEM_NVS:      return 2;
    case MEM_BAD:      return 4;
    default:           return 3;    /* MEM_RESERVED and unknown types */
    }
}

/* Does type a win over type b where both cover the same byte? */
static bool type_beats(uint32_t a, uint32_t b)
{
    unsigned int ra = type_rank(a), rb = type_rank(b);

    return ra != rb ? ra > rb : a > b;
}

static int cmp_start(const void *a, const void *b)
{
    const struct mem_range *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return 0;
}

/*
 * Resolve the type at pos from the live input ranges in[0..n): set *type
 * and *next (where that type stops applying) and return true, or, when no
 * range covers pos, set *next to the next range start and return false.
 * *more is false when nothing lies at or after pos at all.
 */
static bool type_at(const struct mem_range *in, unsigned int n, uint64_t pos,
                    uint32_t *type, uint64_t *next, bool *more)
{
    bool covered = false;

    *more = false;
    *next = UINT64_MAX;
    for (unsigned int i = 0; i < n; i++) {
        const struct mem_range *r = &in[i];

        if (r->end <= pos)
            continue;
        *more = true;
        if (r->start <= pos) {
            if (!covered || type_beats(r->type, *type))
                *type = r->type;
            covered = true;
            if (r->end < *next)
                *next = r->end;
        } else if (r->start < *next) {
            *next = r->start;
        }
    }
    return covered;
}

/*
 * Drop the input ranges in r[*tail..max) that end at or before pos, keeping
 * the others (in order) at the top of the array, to make room for output.
 */
static void compact_inputs(struct mem_range *r, unsigned int *tail,
                           unsigned int max, uint64_t pos)
{
    unsigned int dst = max;

    for (unsigned int i = max; i-- > *tail;) {
        if (r[i].end > pos)
            r[--dst] = r[i];
    }
    *tail = dst;
}

unsigned int memmap_sanitize(struct mem_range *r, unsigned int n, unsigned int max)
{
    unsigned int kept = 0, out = 0, tail, dropped = 0;
    uint64_t pos;

    if (n > max)
        n = max;
    for (unsigned int i = 0; i < n; i++) {
        if (r[i].start < r[i].end)
            r[kept++] = r[i];
    }
    if (kept == 0)
        return 0;
    sort(r, kept, sizeof(*r), cmp_start);

    /*
     * Sweep upwards from the lowest address.  The inputs move to the top
     * of the array and the output grows from the bottom; resolving an
     * overlap can need more entries than the input had (a reserved hole
     * splits a RAM range in three), so when the two would meet, inputs we
     * have swept past are discarded first.
     */
    tail = max - kept;
    memmove(&r[tail], &r[0], kept * sizeof(*r));
    pos = r[tail].start;

    for (;;) {
        uint32_t type = 0;
        uint64_t next;
        bool more;

        if (!type_at(&r[tail], max - tail, pos, &type, &next, &more)) {
            if (!more)
                break;
            pos = next;
            continue;
        }

        if (out > 0 && r[out - 1].end == pos && r[out - 1].type == type) {
            r[out - 1].end = next;
        } else {
            if (out == tail)
                compact_inputs(r, &tail, max, next);
            if (out < tail)
                r[out++] = (struct mem_range){ pos, next, type };
            else
                dropped++;      /* no room: a hole, i.e. unusable memory */
        }
        pos = next;
    }

    if (dropped)
        pr_warn("memory map: %u ranges did not fit in %u entries and were left out\n",
                dropped, max);
    return out;
}

int memmap_subtract(struct mem_range *r, unsigned int n, unsigned int max,
                    uint64_t start, uint64_t end)
{
    unsigned int count = 0;

    if (start >= end)
        return (int)n;

    /* First check that the result fits, so that failure changes nothing. */
    for (unsigned int i = 0; i < n; i++) {
        bool left = r[i].start < start && r[i].end > start;
        bool right = r[i].end > end && r[i].start < end;

        if (r[i].end <= start || r[i].start >= end)
            count++;            /* untouched */
        else
            count += (unsigned int)left + (unsigned int)right;
    }
    if (count > max)
        return -ENOSPC;

    /* Trim and drop first, so that the array never holds more than the
     * final count while the splits below insert entries. */
    count = 0;
    for (unsigned int i = 0; i < n; i++) {
        struct mem_range x = r[i];

        if (x.start < end && x.end > start && !(x.start < start && x.end > end)) {
            if (x.start < start)
                x.end = start;
            else if (x.end > end)
                x.start = end;
            else
                continue;       /* entirely inside [start, end) */
        }
        r[count++] = x;
    }
    n = count;

    /* A range that straddles [start, end) gets its upper part inserted
     * right after it, so an ordered map stays ordered. */
    for (unsigned int i = 0; i < n; i++) {
        struct mem_range *x = &r[i];

        if (x->start < start && x->end > end) {
            memmove(&r[i + 2], &r[i + 1], (n - i - 1) * sizeof(*r));
            r[i + 1] = (struct mem_range){ end, x->end, x->type };
            x->end = start;
            n++;
            i++;
        }
    }
    return (int)n;
}

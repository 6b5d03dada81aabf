/*
 * memory_op (hypercall 12): ballooning (increase/decrease_reservation,
 * populate_physmap) with extent lists of GFNs in and around RAM, 2 MiB
 * leaves, hypervisor pages and the ends of the guest-physical space;
 * reservation queries; the memory map; add_to_physmap of shared_info and
 * grant frames; the control domain acting on others.  Memory pressure
 * and allocation failures come from the common steps.  Beyond the
 * world's checks: a reservation op returns at most nr_extents, and moves
 * the target's page count only the way it says; the extents it says it
 * did are done: released GFNs map nothing, populated ones map zeroed
 * pages of the domain's own.
 */
#include <string.h>

#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <asm/page.h>
#include <public/memory.h>
#include "fuzz.h"

#define MAX_LIST 16

static const int errs[] = { EFAULT, EINVAL, ESRCH, EPERM, ENOSYS, ENOMEM, 0 };

static const unsigned int cmds[] = {
    XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap,
    XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_memory_map,
    XENMEM_add_to_physmap, XENMEM_decrease_reservation, XENMEM_populate_physmap,
};

static unsigned int pick_order(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    switch (sel % 8) {
    case 0: case 1: case 2: case 3: return 0;
    case 4: return 9;
    case 5: return 1 + (sel >> 3) % 4;
    case 6: return 18 + (sel >> 3) % 3;         /* the control domain's limit */
    default: return fz_u32(in);
    }
}

static struct domain *target_of(domid_t id)
{
    return id == DOMID_SELF ? current->domain : domain_by_id(id);
}

/* The first done extents of gfns[] (as the handler read them) are done. */
static void check_extents(struct domain *d, unsigned int cmd, const uint64_t *gfns,
                          uint64_t done, unsigned int order)
{
    for (uint64_t i = 0; i < done; i++) {
        for (uint64_t j = 0; j < (1ULL << order); j++) {
            uint64_t gfn = gfns[i] + j;
            mfn_t m = p2m_lookup(d, gfn);
            if (cmd == XENMEM_decrease_reservation && m != INVALID_MFN)
                fz_fail("decrease_reservation: gfn %#lx still maps %#lx", (unsigned long)gfn,
                        (unsigned long)m);
            if (cmd != XENMEM_populate_physmap)
                continue;
            if (page_owned_block(m, d->domain_id, NULL) == INVALID_MFN)
                fz_fail("populate_physmap: gfn %#lx maps %#lx, not the domain's",
                        (unsigned long)gfn, (unsigned long)m);
            const uint8_t *p = mfn_to_virt(m);
            for (size_t b = 0; b < PAGE_SIZE; b++)
                if (p[b])
                    fz_fail("populate_physmap: gfn %#lx not zeroed", (unsigned long)gfn);
        }
    }
}

/*
 * Whether the handler read the list as written: it was written whole,
 * away from the argument, and no extent replaces or releases the page it
 * is on (the handler reads it as it goes).
 */
static bool list_stays(uint64_t list, size_t len, uint64_t arg, size_t arg_len,
                       const uint64_t *gfns, unsigned int n, unsigned int order, const void *want)
{
    uint8_t got[MAX_LIST * 8];
    uint64_t lpa, apa;

    if (!len || (list & ~PAGE_MASK) + len > PAGE_SIZE || (arg & ~PAGE_MASK) + arg_len > PAGE_SIZE ||
        guest_virt_to_phys(current, list, false, &lpa) < 0 ||
        guest_virt_to_phys(current, arg, false, &apa) < 0 ||
        (lpa < apa + arg_len && apa < lpa + len) ||
        !fz_guest_read(list, got, len) || memcmp(got, want, len))
        return false;
    for (unsigned int i = 0; i < n; i++) {
        uint64_t end = gfns[i] + (1ULL << order);
        if ((lpa >> PAGE_SHIFT >= gfns[i] && lpa >> PAGE_SHIFT < end) ||
            (apa >> PAGE_SHIFT >= gfns[i] && apa >> PAGE_SHIFT < end))
            return false;
    }
    return true;
}

static long reservation_call(struct fuzz_input *in, unsigned int cmd, bool compat)
{
    unsigned int n = fz_below(in, MAX_LIST + 1), order = pick_order(in);
    uint64_t list = fz_gva(in, FZ_VA_LIST, compat), arg = fz_gva(in, FZ_VA_ARG, compat);
    uint64_t nr = fz_u8(in) < 0xf0 ? n : fz_u32(in), start = 0, gfns[MAX_LIST];
    uint32_t flags = fz_u8(in) < 0xe0 ? 0 : fz_u32(in);
    domid_t domid = fz_domid(in);
    struct domain *d;
    uint64_t before;
    uint32_t g32[MAX_LIST];
    bool stays;
    long rc;

    if (fz_u8(in) >= 0xf0)
        start = fz_u8(in);                      /* a continuation index */
    for (unsigned int i = 0; i < n; i++) {
        gfns[i] = fz_gfn(in);
        if (compat)
            gfns[i] = (uint32_t)gfns[i];
    }
    if (compat) {
        struct compat_xen_memory_reservation r = {
            .extent_start = (uint32_t)list, .nr_extents = (uint32_t)nr,
            .extent_order = order, .mem_flags = flags, .domid = domid,
        };
        for (unsigned int i = 0; i < n; i++)
            g32[i] = (uint32_t)gfns[i];
        fz_guest_write(list, g32, n * sizeof(g32[0]));
        fz_guest_write(arg, &r, sizeof(r));
    } else {
        struct xen_memory_reservation r = {
            .extent_start = list, .nr_extents = nr, .extent_order = order,
            .mem_flags = flags, .domid = domid,
        };
        fz_guest_write(list, gfns, n * sizeof(gfns[0]));
        fz_guest_write(arg, &r, sizeof(r));
    }
    stays = list_stays(list, n * (compat ? 4 : 8), arg,
                       compat ? sizeof(struct compat_xen_memory_reservation)
                              : sizeof(struct xen_memory_reservation),
                       gfns, n, order <= 9 ? order : 0, compat ? (void *)g32 : (void *)gfns);
    d = target_of(domid);
    before = d ? d->tot_pages : 0;
    rc = fz_hypercall(__HYPERVISOR_memory_op,
                      (unsigned long[5]){ cmd | (start << MEMOP_EXTENT_SHIFT), arg }, compat);
    /* Xen answers these with the extents done, never an error code. */
    if (rc < 0 || (uint64_t)rc > (nr > start ? nr : start))
        fz_fail("memory_op %u: %ld for %lu extents from %lu", cmd, rc, (unsigned long)nr,
                (unsigned long)start);
    if (d && d->state != DOMAIN_DYING &&
        (cmd == XENMEM_decrease_reservation ? d->tot_pages > before : d->tot_pages < before))
        fz_fail("memory_op %u: d%u went from %lu to %lu pages", cmd, d->domain_id,
                (unsigned long)before, (unsigned long)d->tot_pages);
    /* What the guest's list said, if the handler read what was written. */
    if (d && d->state != DOMAIN_DYING && start == 0 && nr == n && order <= 9 &&
        (uint64_t)rc <= n && stays)
        check_extents(d, cmd, gfns, (uint64_t)rc, order);
    return rc;
}

static long add_to_physmap_call(struct fuzz_input *in, bool compat)
{
    uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
    domid_t domid = fz_domid(in);
    uint8_t sel = fz_u8(in);
    uint32_t space = sel < 0xf0 ? sel % 3 : fz_u32(in);
    uint64_t idx = fz_u8(in) < 0xf0 ? fz_u8(in) % 4 : fz_u64(in);

    return fz_add_to_physmap(arg, compat, domid, space, idx, fz_gfn(in));
}

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    unsigned int cmd = sel < 0xf0 ? cmds[sel % (sizeof(cmds) / sizeof(cmds[0]))] : fz_u32(in);
    bool compat = who & 0x80;
    long rc;

    if (!fz_set_current(who, who >> 2))
        return;
    switch (cmd) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        reservation_call(in, cmd, compat);
        return;
    case XENMEM_add_to_physmap:
        rc = add_to_physmap_call(in, compat);
        break;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
        domid_t id = fz_domid(in);
        struct domain *d = target_of(id);
        fz_guest_write(arg, &id, sizeof(id));
        rc = fz_hypercall(__HYPERVISOR_memory_op, (unsigned long[5]){ cmd, arg }, compat);
        if (rc >= 0 && (!d || (uint64_t)rc != (cmd == XENMEM_current_reservation
                                               ? d->tot_pages : d->max_pages)))
            fz_fail("memory_op %u: %ld pages", cmd, rc);
        break;
    }
    default: {
        uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
        uint8_t raw[16];
        if (cmd == XENMEM_memory_map) {
            uint64_t buf = fz_gva(in, FZ_VA_LIST, compat);
            uint32_t room = fz_u8(in) % 4;
            memcpy(raw, &room, 4);
            memset(raw + 4, 0, 4);
            memcpy(raw + 8, &buf, 8);
            if (compat)
                memcpy(raw + 4, &buf, 4);
        } else {
            fz_bytes(in, raw, sizeof(raw));
        }
        fz_guest_write(arg, raw, sizeof(raw));
        rc = fz_hypercall(__HYPERVISOR_memory_op,
                          (unsigned long[5]){ cmd | (fz_bool(in) ? 1ul << 6 : 0), arg }, compat);
        break;
    }
    }
    fz_check_rc("memory_op", rc, errs);
    /* A raw cmd may be a reservation op (counts) with a start index. */
    if (rc > 0 && (cmd == XENMEM_memory_map || cmd == XENMEM_add_to_physmap))
        fz_fail("memory_op %u: %ld", cmd, rc);
}

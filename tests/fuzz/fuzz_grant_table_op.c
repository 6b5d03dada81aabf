/*
 * grant_table_op (hypercall 20): copies between three domains through
 * grants they write into their own table frames (mapped with
 * XENMEM_add_to_physmap, the way Linux does), with references, domains,
 * GFNs, offsets and lengths near the edges; setup_table, query_size and
 * the versions; the unimplemented sub-ops.  Domains die, balloon and run
 * out of memory in between (common steps).  Beyond the world's checks
 * (gnttab_verify: every pin released, no holder left): every status
 * written back is a GNTST_ code.
 */
#include <string.h>

#include <keel/errno.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include "fuzz.h"

#define GT_GFN      0x100ULL        /* frame i of a domain's table goes at GT_GFN + i */
#define MAX_COPIES  4

static const int errs[] = { EFAULT, EINVAL, ENOSYS, ESRCH, EPERM, ENOMEM, 0 };

static uint32_t pick_ref(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    if (sel < 0xe0)
        return sel % 24;
    return sel < 0xf0 ? 510 + sel % 4 : fz_u32(in);    /* a frame's end, or anything */
}

static void pick_ptr(struct fuzz_input *in, bool gref, struct gnttab_copy_ptr *p)
{
    if (gref)
        p->u.ref = pick_ref(in);
    else
        p->u.gmfn = fz_gfn(in);
    p->domid = fz_domid(in);
    p->offset = fz_u8(in) < 0xe0 ? (fz_u8(in) & 0xf) * 256 : fz_u16(in);
}

/* The caller maps frame idx of its table, as Linux's gnttab_map() does. */
static long map_frame(struct fuzz_input *in, bool compat)
{
    uint64_t idx = fz_u8(in) % 4, arg = fz_gva(in, FZ_VA_ARG, compat);

    return fz_add_to_physmap(arg, compat, DOMID_SELF, XENMAPSPACE_grant_table, idx,
                             GT_GFN + idx);
}

/* The caller writes grant ref into its mapped table, as a frontend does. */
static void write_grant(struct fuzz_input *in)
{
    uint32_t ref = pick_ref(in);
    uint8_t sel = fz_u8(in);
    struct grant_entry_v1 e = {
        .flags = sel < 0xe0 ? GTF_permit_access | (sel & GTF_readonly) : fz_u16(in),
        .domid = fz_domid(in),
        .frame = (uint32_t)fz_gfn(in),
    };

    fz_guest_write(((GT_GFN + ref / GNTTAB_V1_PER_FRAME) << 12) +
                   (ref % GNTTAB_V1_PER_FRAME) * sizeof(e), &e, sizeof(e));
}

static long copy_call(struct fuzz_input *in, bool compat, uint64_t uop)
{
    unsigned int n = fz_below(in, MAX_COPIES + 1);
    uint32_t count = fz_u8(in) < 0xf0 ? n : fz_u32(in);
    struct gnttab_copy ops[MAX_COPIES];
    long rc;

    memset(ops, 0, sizeof(ops));
    for (unsigned int i = 0; i < n; i++) {
        uint16_t flags = fz_u8(in);
        pick_ptr(in, flags & GNTCOPY_source_gref, &ops[i].source);
        pick_ptr(in, flags & GNTCOPY_dest_gref, &ops[i].dest);
        ops[i].flags = flags & 0x80 ? fz_u16(in) : flags & 3;
        ops[i].len = fz_u8(in) < 0xe0 ? fz_u8(in) : fz_u16(in);
        ops[i].status = 0x7777;             /* must be overwritten */
        if (compat) {
            struct compat_gnttab_copy c = {
                .source = { { .gmfn = (uint32_t)ops[i].source.u.gmfn },
                            ops[i].source.domid, ops[i].source.offset },
                .dest = { { .gmfn = (uint32_t)ops[i].dest.u.gmfn },
                          ops[i].dest.domid, ops[i].dest.offset },
                .len = ops[i].len, .flags = ops[i].flags, .status = 0x7777,
            };
            fz_guest_write(uop + i * sizeof(c), &c, sizeof(c));
        } else {
            fz_guest_write(uop + i * sizeof(ops[i]), &ops[i], sizeof(ops[i]));
        }
    }
    rc = fz_hypercall(__HYPERVISOR_grant_table_op,
                      (unsigned long[5]){ GNTTABOP_copy, uop, count }, compat);
    /* Every op done has a status, and it is one of Xen's. */
    for (unsigned int i = 0; rc == 0 && i < n && i < count; i++) {
        int16_t st;
        uint64_t at = compat ? uop + i * sizeof(struct compat_gnttab_copy) +
                                   __builtin_offsetof(struct compat_gnttab_copy, status)
                             : uop + i * sizeof(struct gnttab_copy) +
                                   __builtin_offsetof(struct gnttab_copy, status);
        if (fz_guest_read(at, &st, sizeof(st)) && (st > 0 || st < GNTST_no_space))
            fz_fail("GNTTABOP_copy %u: status %d", i, st);
    }
    return rc;
}

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    bool compat = who & 0x80;
    uint64_t uop = fz_gva(in, FZ_VA_ARG, compat);
    long rc;

    if (!fz_set_current(who, who >> 2))
        return;
    switch (sel % 16) {
    case 0: case 1:
        rc = map_frame(in, compat);
        fz_check_rc("add_to_physmap(grant_table)", rc, errs);
        return;
    case 2: case 3: case 4:
        write_grant(in);
        return;
    case 5: case 6: case 7: case 8:
        rc = copy_call(in, compat, uop);
        break;
    case 9: {
        struct gnttab_setup_table s = { .dom = fz_domid(in), .nr_frames = fz_u8(in) % 70,
                                        .frame_list = fz_gva(in, FZ_VA_LIST, compat) };
        struct compat_gnttab_setup_table c = { .dom = s.dom, .nr_frames = s.nr_frames,
                                               .frame_list = (uint32_t)s.frame_list };
        if (compat)
            fz_guest_write(uop, &c, sizeof(c));
        else
            fz_guest_write(uop, &s, sizeof(s));
        rc = fz_hypercall(__HYPERVISOR_grant_table_op,
                          (unsigned long[5]){ GNTTABOP_setup_table, uop, fz_u8(in) % 3 }, compat);
        break;
    }
    case 10: {
        struct gnttab_query_size q = { .dom = fz_domid(in) };
        fz_guest_write(uop, &q, sizeof(q));
        rc = fz_hypercall(__HYPERVISOR_grant_table_op,
                          (unsigned long[5]){ GNTTABOP_query_size, uop, fz_u8(in) % 3 }, compat);
        if (rc == 0 && fz_guest_read(uop, &q, sizeof(q)) && q.status == GNTST_okay &&
            (q.nr_frames == 0 || q.nr_frames > q.max_nr_frames))
            fz_fail("query_size: %u frames of %u", q.nr_frames, q.max_nr_frames);
        break;
    }
    default: {
        /* The versions, the sub-ops Keel does not have, and any cmd. */
        uint8_t raw[24];
        unsigned int cmd = sel >> 4 < 14 ? (sel >> 4) : fz_u32(in);
        fz_bytes(in, raw, sizeof(raw));
        fz_guest_write(uop, raw, sizeof(raw));
        rc = fz_hypercall(__HYPERVISOR_grant_table_op,
                          (unsigned long[5]){ cmd, uop, fz_u8(in) % 3 }, compat);
        break;
    }
    }
    fz_check_rc("grant_table_op", rc, errs);
    if (rc > 0)
        fz_fail("grant_table_op: %ld", rc);
}

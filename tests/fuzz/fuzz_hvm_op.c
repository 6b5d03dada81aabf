/*
 * hvm_op (hypercall 34): get and set every HVM parameter (and indices
 * beyond them) of the caller and of other domains, from the control
 * domain and from others, with values at the edges; the sub-ops Keel
 * does not have.  Beyond the world's checks: an index out of range never
 * succeeds, a callback vector set is the one stored.
 */
#include <string.h>

#include <keel/errno.h>
#include <public/hvm/hvm_op.h>
#include "fuzz.h"

static const int errs[] = { EFAULT, EINVAL, ESRCH, EPERM, EEXIST, ENOSYS, 0 };

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    bool compat = who & 0x80;
    unsigned long op = sel < 0xf0 ? (sel % 4 == 3 ? 9 + sel % 20 : sel % 2) : fz_u64(in);
    uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
    struct xen_hvm_param p = { .domid = fz_domid(in) };
    uint8_t isel = fz_u8(in), vsel = fz_u8(in);
    long rc;

    p.index = isel < 0xf0 ? isel % (HVM_NR_PARAMS + 4) : fz_u32(in);
    if (vsel < 0x80)
        p.value = vsel % 8;
    else if (vsel < 0xc0)
        p.value = (2ULL << 56) | fz_u8(in);     /* CALLBACK_IRQ type vector */
    else
        p.value = fz_u64(in);
    if (!fz_set_current(who, who >> 2))
        return;
    struct domain *me = current->domain;
    fz_guest_write(arg, &p, sizeof(p));
    rc = fz_hypercall(__HYPERVISOR_hvm_op, (unsigned long[5]){ op, arg }, compat);
    fz_check_rc("hvm_op", rc, errs);
    if (rc > 0)
        fz_fail("hvm_op %lu: %ld", op, rc);
    if (rc == 0 && (op == HVMOP_set_param || op == HVMOP_get_param) &&
        p.index >= HVM_NR_PARAMS)
        fz_fail("hvm_op %lu: index %u accepted", op, p.index);
    if (rc == 0 && op == HVMOP_set_param && p.index == HVM_PARAM_CALLBACK_IRQ &&
        (p.value >> 56) == 2) {
        struct domain *d = p.domid == DOMID_SELF ? me : domain_by_id(p.domid);
        if (d && d->callback_vector != (p.value & 0xff))
            fz_fail("CALLBACK_IRQ vector %#lx set, %#x stored", (unsigned long)p.value,
                    d->callback_vector);
    }
}

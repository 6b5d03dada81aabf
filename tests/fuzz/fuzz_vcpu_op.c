/*
 * vcpu_op (hypercall 24) on any vCPU of the caller's domain: is_up, the
 * one-shot timer (which fires VIRQ_TIMER when time passes), moving
 * vcpu_info into guest frames (RAM, hypervisor pages, holes, odd
 * offsets, vCPUs without a shared_info slot), the runstate area and its
 * copy, and the sub-ops Keel does not have.  The world's checks hold the
 * vcpu_info areas to the domain's own referenced frames; ballooning one
 * out and destroying the domain must still balance the references.
 * Xen's rules checked on top: vcpu_info moves only for the calling vCPU
 * or one that is offline (another one may be reading it right now).
 */
#include <string.h>

#include <keel/errno.h>
#include <public/vcpu.h>
#include "fuzz.h"

static const int errs[] = { ENOENT, EINVAL, EFAULT, ETIME, ENOSYS, 0 };

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in), vsel = fz_u8(in);
    bool compat = who & 0x80;
    unsigned int cmd = sel < 0xf0 ? sel % 15 : fz_u32(in);
    uint32_t vcpu = vsel < 0xf0 ? vsel % 40 : fz_u32(in);
    uint64_t arg = fz_gva(in, FZ_VA_ARG, compat);
    uint8_t raw[16];
    long rc;

    switch (cmd) {
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info r = { .mfn = fz_gfn(in) };
        r.offset = fz_u8(in) < 0xe0 ? (fz_u8(in) % 64) * 64 : fz_u32(in);
        memcpy(raw, &r, sizeof(r));
        break;
    }
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t = { .flags = fz_u8(in) % 2 };
        t.timeout_abs_ns = fz_u8(in) < 0xe0 ? 1000000000ULL + fz_u32(in) : fz_u64(in);
        memcpy(raw, &t, sizeof(t));
        break;
    }
    case VCPUOP_register_runstate_memory_area: {
        uint64_t a = fz_gva(in, FZ_VA_LIST, compat);
        memcpy(raw, &a, sizeof(a));
        memset(raw + 8, 0, 8);
        break;
    }
    default:
        fz_bytes(in, raw, sizeof(raw));
        break;
    }
    if (!fz_set_current(who, who >> 2))
        return;
    struct domain *d = current->domain;
    struct vcpu *me = current;
    bool other_online = vcpu < d->max_vcpus && d->vcpu[vcpu] != me && d->vcpu[vcpu]->online;
    fz_guest_write(arg, raw, sizeof(raw));
    rc = fz_hypercall(__HYPERVISOR_vcpu_op, (unsigned long[5]){ cmd, vcpu, arg }, compat);
    fz_check_rc("vcpu_op", rc, errs);
    if (rc > 0 && !(cmd == VCPUOP_is_up && rc == 1))
        fz_fail("vcpu_op %u: %ld", cmd, rc);
    if (cmd == VCPUOP_is_up && rc >= 0 && rc != d->vcpu[vcpu]->online)
        fz_fail("VCPUOP_is_up: %ld", rc);
    if (cmd == VCPUOP_register_vcpu_info && rc == 0 && !d->evtchn.vcpu_info[vcpu])
        fz_fail("VCPUOP_register_vcpu_info: success, but no vcpu_info");
    if (cmd == VCPUOP_register_vcpu_info && rc == 0 && other_online)
        fz_fail("VCPUOP_register_vcpu_info: moved the vcpu_info of another vCPU that is online");
}

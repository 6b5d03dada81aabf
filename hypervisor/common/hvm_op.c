/*
 * hvm_op (hypercall 34): HVM parameters.  A guest may read its own
 * parameters and set what Xen lets a guest set (so far CALLBACK_IRQ: how
 * event-channel upcalls reach it); everything else is -EPERM to set.
 * CALLBACK_IRQ type "vector" makes the upcall an interrupt injected
 * directly whenever vcpu_info.evtchn_upcall_pending is set (no APIC, no
 * EOI); type GSI is accepted and ignored, as Xen does for PVH.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/hvm/hvm_op.h>

static long set_callback(struct domain *d, uint64_t value)
{
    switch (HVM_PARAM_CALLBACK_TYPE(value)) {
    case HVM_PARAM_CALLBACK_TYPE_VECTOR:
        if ((value & 0xff) < 0x10)
            return -EINVAL;
        d->callback_vector = value & 0xff;
        return 0;
    case HVM_PARAM_CALLBACK_TYPE_GSI:
        d->callback_vector = 0;
        return 0;
    default:
        return -EINVAL;
    }
}

static long param_op(uint64_t arg, bool set)
{
    struct domain *me = current->domain, *d = me;
    struct xen_hvm_param p;

    if (copy_from_guest(&p, arg, sizeof(p)) < 0)
        return -EFAULT;
    if (p.domid != DOMID_SELF && p.domid != me->domain_id) {
        d = domain_by_id(p.domid);
        if (!d)
            return -ESRCH;
        if (!me->is_privileged)
            return -EPERM;
    }
    if (p.index >= HVM_NR_PARAMS)
        return -EINVAL;
    if (!set) {
        p.value = d->hvm_params[p.index];
        return copy_to_guest(arg, &p, sizeof(p)) < 0 ? -EFAULT : 0;
    }
    if (p.index != HVM_PARAM_CALLBACK_IRQ && !me->is_privileged)
        return -EPERM;
    if (p.index == HVM_PARAM_CALLBACK_IRQ) {
        long rc = set_callback(d, p.value);
        if (rc < 0)
            return rc;
    }
    d->hvm_params[p.index] = p.value;
    return 0;
}

long do_hvm_op(struct hypercall_args *args)
{
    switch (args->a[0]) {
    case HVMOP_set_param:
        return param_op(args->a[1], true);
    case HVMOP_get_param:
        return param_op(args->a[1], false);
    case HVMOP_pagetable_dying:
        return -EINVAL;             /* as Xen with nested paging: never needed */
    default:
        return -ENOSYS;
    }
}

/*
 * hvm_op (hypercall 34): HVM parameters, with Xen 4.17's access rules.
 * A domain reads and sets its own parameters only where Xen lets a guest
 * (the lists in param_access()); the rest are the toolstack's: -EPERM for
 * the domain itself, allowed for a privileged caller on another domain.
 * Deprecated parameters are -EINVAL for everyone.
 *
 * CALLBACK_IRQ type "vector" makes the upcall an interrupt injected
 * directly whenever vcpu_info.evtchn_upcall_pending is set (no APIC, no
 * EOI).  A PVH domain has no virtual IO-APIC or PIC, so, as on Xen, the
 * other types (GSI, PCI INTx) are stored but change nothing.  Vector 0
 * means no upcall to Keel (Xen would inject vector 0).
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/hvm/hvm_op.h>

enum param_access {
    PARAM_GUEST_RW,         /* the domain may read and set it */
    PARAM_GUEST_RO,         /* the domain may read it; the toolstack sets it */
    PARAM_TOOLSTACK,        /* only a privileged caller, on another domain */
    PARAM_DEPRECATED,       /* -EINVAL */
};

static enum param_access param_access(uint32_t index)
{
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
    case HVM_PARAM_VM86_TSS:
    case HVM_PARAM_VM86_TSS_SIZED:
    case HVM_PARAM_ACPI_IOPORTS_LOCATION:
    case HVM_PARAM_VM_GENERATION_ID_ADDR:
    case HVM_PARAM_STORE_EVTCHN:
    case HVM_PARAM_CONSOLE_EVTCHN:
    case HVM_PARAM_X87_FIP_WIDTH:
        return PARAM_GUEST_RW;
    case HVM_PARAM_STORE_PFN:
    case HVM_PARAM_CONSOLE_PFN:
    case HVM_PARAM_ALTP2M:          /* and read-only for everyone */
        return PARAM_GUEST_RO;
    case HVM_PARAM_PAE_ENABLED:
    case HVM_PARAM_DM_DOMAIN:
    case HVM_PARAM_MEMORY_EVENT_CR0:
    case HVM_PARAM_MEMORY_EVENT_CR3:
    case HVM_PARAM_MEMORY_EVENT_CR4:
    case HVM_PARAM_MEMORY_EVENT_INT3:
    case HVM_PARAM_NESTEDHVM:
    case HVM_PARAM_MEMORY_EVENT_SINGLE_STEP:
    case HVM_PARAM_BUFIOREQ_EVTCHN:
    case HVM_PARAM_MEMORY_EVENT_MSR:
        return PARAM_DEPRECATED;
    default:
        return PARAM_TOOLSTACK;
    }
}

/* Parameters that, once non-zero, keep their value (-EEXIST). */
static bool set_once(uint32_t index)
{
    switch (index) {
    case HVM_PARAM_VIRIDIAN:
    case HVM_PARAM_IOREQ_PFN:
    case HVM_PARAM_BUFIOREQ_PFN:
    case HVM_PARAM_IOREQ_SERVER_PFN:
    case HVM_PARAM_NR_IOREQ_SERVER_PAGES:
    case HVM_PARAM_MCA_CAP:
        return true;
    default:
        return false;
    }
}

static long set_param(struct domain *d, uint32_t index, uint64_t value, bool own)
{
    enum param_access a = param_access(index);

    if (a == PARAM_DEPRECATED)
        return -EINVAL;
    if (index == HVM_PARAM_ALTP2M)
        return -EEXIST;
    if (own && a != PARAM_GUEST_RW)
        return -EPERM;
    if (set_once(index) && d->hvm_params[index] && value != d->hvm_params[index])
        return -EEXIST;
    switch (index) {
    case HVM_PARAM_CALLBACK_IRQ:
        if (HVM_PARAM_CALLBACK_TYPE(value) == HVM_PARAM_CALLBACK_TYPE_VECTOR)
            d->callback_vector = value & 0xff;
        break;
    case HVM_PARAM_TIMER_MODE:
        if (value > HVMPTM_one_missed_tick_pending)
            return -EINVAL;
        break;
    }
    d->hvm_params[index] = value;
    return 0;
}

/* get/set_param on d (the caller's own domain, or one it holds a reference on). */
static long param_op_on(struct domain *d, struct xen_hvm_param *p, uint64_t arg, bool set)
{
    bool self = d == current->domain;

    if (set)
        return set_param(d, p->index, p->value, self);
    enum param_access a = param_access(p->index);
    if (a == PARAM_DEPRECATED)
        return -EINVAL;
    if (self && a == PARAM_TOOLSTACK)
        return -EPERM;
    p->value = d->hvm_params[p->index];
    return copy_to_guest(arg, p, sizeof(*p)) < 0 ? -EFAULT : 0;
}

static long param_op(uint64_t arg, bool set)
{
    struct domain *me = current->domain;
    struct xen_hvm_param p;

    if (copy_from_guest(&p, arg, sizeof(p)) < 0)
        return -EFAULT;
    if (p.index >= HVM_NR_PARAMS)
        return -EINVAL;
    if (p.domid == DOMID_SELF || p.domid == me->domain_id)
        return param_op_on(me, &p, arg, set);

    struct domain *d = domain_get(p.domid);
    long rc;
    if (!d)
        return -ESRCH;
    rc = me->is_privileged ? param_op_on(d, &p, arg, set) : -EPERM;
    domain_put(d);
    return rc;
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

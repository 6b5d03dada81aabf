/*
 * event_channel_op (hypercall 32): copy the guest's argument in, run the
 * EVTCHNOP_* in event_channel.c for the calling domain, copy the OUT
 * fields back.  Xen 4.17's sub-ops and error codes.  The argument
 * structures have the same layout for 32- and 64-bit callers
 * (public/event_channel.h), so there is no compat translation.  The
 * legacy event_channel_op_compat (hypercall 16) is for PV guests only in
 * Xen 4.17: an HVM/PVH guest gets -ENOSYS, so Keel does not have it.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <public/event_channel.h>

/*
 * Copy *op in from the guest, run call, and copy it back on success (Xen
 * copies the whole structure back; only the OUT fields changed).
 */
#define EVTCHN_INOUT(type, arg, call)                               \
    ({                                                              \
        type op_;                                                   \
        long rc_;                                                   \
        if (copy_from_guest(&op_, (arg), sizeof(op_)) < 0)          \
            rc_ = -EFAULT;                                          \
        else if ((rc_ = call(current->domain, &op_)) == 0 &&        \
                 copy_to_guest((arg), &op_, sizeof(op_)) < 0)       \
            rc_ = -EFAULT;                                          \
        rc_;                                                        \
    })

/* Sub-ops that only take a port. */
static long port_op(uint64_t arg, int (*call)(struct domain *, evtchn_port_t))
{
    evtchn_port_t port;         /* evtchn_close/send/unmask: just the port */

    if (copy_from_guest(&port, arg, sizeof(port)) < 0)
        return -EFAULT;
    return call(current->domain, port);
}

static long event_channel_op(unsigned int cmd, uint64_t arg)
{
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        return EVTCHN_INOUT(struct evtchn_alloc_unbound, arg, evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return EVTCHN_INOUT(struct evtchn_bind_interdomain, arg, evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:
        return EVTCHN_INOUT(struct evtchn_bind_virq, arg, evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:
        return EVTCHN_INOUT(struct evtchn_bind_ipi, arg, evtchn_bind_ipi);
    case EVTCHNOP_status:
        return EVTCHN_INOUT(struct evtchn_status, arg, evtchn_status);
    case EVTCHNOP_close:
        return port_op(arg, evtchn_close);
    case EVTCHNOP_send:
        return port_op(arg, evtchn_send);
    case EVTCHNOP_unmask:
        return port_op(arg, evtchn_unmask);
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu op;
        if (copy_from_guest(&op, arg, sizeof(op)) < 0)
            return -EFAULT;
        return evtchn_bind_vcpu(current->domain, op.port, op.vcpu);
    }
    case EVTCHNOP_reset:
    case EVTCHNOP_reset_cont: {
        struct evtchn_reset op;
        if (copy_from_guest(&op, arg, sizeof(op)) < 0)
            return -EFAULT;
        return evtchn_reset(current->domain, &op, cmd == EVTCHNOP_reset_cont);
    }
    case EVTCHNOP_bind_pirq: {
        struct evtchn_bind_pirq op;
        if (copy_from_guest(&op, arg, sizeof(op)) < 0)
            return -EFAULT;
        /* No physical IRQs are routed to guests yet: no pirq is valid. */
        return -EINVAL;
    }
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        /* FIFO ABI not offered: Linux falls back to 2-level on -ENOSYS. */
        return -ENOSYS;
    default:
        return -ENOSYS;
    }
}

long do_event_channel_op(struct hypercall_args *args)
{
    return event_channel_op((unsigned int)args->a[0], args->a[1]);
}

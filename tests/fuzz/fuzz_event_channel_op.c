/*
 * event_channel_op (hypercall 32) and the legacy event_channel_op_compat
 * (16): every EVTCHNOP with ports, domains, VIRQs and vCPUs chosen near
 * the edges, between three domains; the common steps raise VIRQs, fire
 * timers, destroy domains with ports still connected.  After a
 * successful bind the port handed back must be in use as asked; a send
 * leaves the receiving port pending (and, unmasked, its vCPU's selector
 * and upcall flag set); a closed connection leaves the other end waiting
 * for the closer; the world's checks cover both ends of every connection.
 */
#include <string.h>

#include <keel/errno.h>
#include <public/event_channel.h>
#include "fuzz.h"

static const int errs[] = { EINVAL, ENOENT, EEXIST, ESRCH, EPERM, ENOSPC, ENOMEM, EFAULT,
                            ENOSYS, 0 };

static evtchn_port_t pick_port(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    if (sel < 0xe0)
        return sel % 80;            /* around d2's 70 ports and the first buckets */
    return fz_u32(in);
}

static uint32_t pick_vcpu(struct fuzz_input *in)
{
    uint8_t sel = fz_u8(in);

    return sel < 0xf0 ? sel % 40 : fz_u32(in);
}

/* The port an OUT field names is in use in d, in the state asked for. */
static void check_bound(struct domain *d, evtchn_port_t port, uint8_t state)
{
    struct evtchn *b;

    if (!d || port == 0 || port >= d->evtchn.nr_ports)
        fz_fail("bind returned port %u (of %u)", port, d ? d->evtchn.nr_ports : 0);
    b = d->evtchn.bucket[port / EVTCHN_PER_BUCKET];
    if (!b || b[port % EVTCHN_PER_BUCKET].state != state)
        fz_fail("d%u: port %u handed out, state %u, not %u", d->domain_id, port,
                b ? b[port % EVTCHN_PER_BUCKET].state : 0, state);
}

static struct evtchn *entry(struct domain *d, evtchn_port_t port)
{
    struct evtchn *b;

    if (!d || port >= d->evtchn.nr_ports)
        return NULL;
    b = d->evtchn.bucket[port / EVTCHN_PER_BUCKET];
    return b ? &b[port % EVTCHN_PER_BUCKET] : NULL;
}

static bool bit(const uint64_t *words, evtchn_port_t port)
{
    return words[port / 64] >> (port % 64) & 1;
}

static bool was_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *si = d ? d->evtchn.shared_info : NULL;

    return !si || port >= EVTCHN_MAX_PORTS || bit(si->evtchn_pending, port);
}

/*
 * What a delivery to port of d must have left behind when the port was
 * not pending before (a port pending already is not delivered again).
 */
static void check_delivered(struct domain *d, evtchn_port_t port, bool pending_before,
                            const char *what)
{
    struct shared_info *si = d->evtchn.shared_info;
    struct evtchn *chn = entry(d, port);
    struct vcpu_info *vi;

    if (!si || !chn || pending_before)
        return;
    if (!bit(si->evtchn_pending, port))
        fz_fail("%s: d%u port %u not pending", what, d->domain_id, port);
    vi = d->evtchn.vcpu_info[chn->notify_vcpu];
    if (!vi && chn->notify_vcpu < XEN_LEGACY_MAX_VCPUS)
        vi = &si->vcpu_info[chn->notify_vcpu];
    if (vi && !bit(si->evtchn_mask, port) &&
        (!(vi->evtchn_pending_sel >> (port / 64) & 1) || !(vi->evtchn_upcall_pending & 1)))
        fz_fail("%s: d%u port %u pending and unmasked, vCPU %u not told", what, d->domain_id,
                port, chn->notify_vcpu);
}

void fuzz_target_step(struct fuzz_input *in)
{
    uint8_t who = fz_u8(in), sel = fz_u8(in);
    unsigned int cmd = sel < 0xf0 ? sel % 14 : fz_u32(in);
    bool legacy = who & 0x40;
    struct evtchn_op op;
    uint64_t gva;
    long rc;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        op.u.alloc_unbound.dom = fz_domid(in);
        op.u.alloc_unbound.remote_dom = fz_domid(in);
        break;
    case EVTCHNOP_bind_interdomain:
        op.u.bind_interdomain.remote_dom = fz_domid(in);
        op.u.bind_interdomain.remote_port = pick_port(in);
        break;
    case EVTCHNOP_bind_virq:
        op.u.bind_virq.virq = fz_u8(in) % 30;
        op.u.bind_virq.vcpu = pick_vcpu(in);
        break;
    case EVTCHNOP_bind_ipi:
        op.u.bind_ipi.vcpu = pick_vcpu(in);
        break;
    case EVTCHNOP_close:
    case EVTCHNOP_send:
    case EVTCHNOP_unmask:
        op.u.close.port = pick_port(in);
        break;
    case EVTCHNOP_status:
        op.u.status.dom = fz_domid(in);
        op.u.status.port = pick_port(in);
        break;
    case EVTCHNOP_bind_vcpu:
        op.u.bind_vcpu.port = pick_port(in);
        op.u.bind_vcpu.vcpu = pick_vcpu(in);
        break;
    case EVTCHNOP_reset: {
        struct evtchn_reset r = { .dom = fz_domid(in) };
        memcpy(&op.u, &r, sizeof(r));   /* not in the legacy union */
        break;
    }
    default:
        fz_bytes(in, &op.u, 16);
        break;
    }
    gva = fz_gva(in, FZ_VA_ARG, who & 0x80);
    if (!fz_set_current(who, who >> 2))
        return;
    struct domain *me = current->domain;
    struct evtchn *chn = entry(me, op.u.send.port), before = chn ? *chn : (struct evtchn){ 0 };
    bool pending_before = before.state == ECS_INTERDOMAIN
                              ? was_pending(before.remote, before.remote_port)
                              : was_pending(me, op.u.send.port);
    if (legacy) {
        fz_guest_write(gva, &op, sizeof(op));
        rc = fz_hypercall(__HYPERVISOR_event_channel_op_compat,
                          (unsigned long[5]){ gva }, who & 0x80);
        gva += __builtin_offsetof(struct evtchn_op, u);
    } else {
        fz_guest_write(gva, &op.u, sizeof(op.u));
        rc = fz_hypercall(__HYPERVISOR_event_channel_op, (unsigned long[5]){ cmd, gva },
                          who & 0x80);
    }
    fz_check_rc("event_channel_op", rc, errs);
    if (rc > 0)
        fz_fail("event_channel_op %u returned %ld", cmd, rc);
    if (rc < 0 || !fz_set_current(me->domain_id, 0) || !fz_guest_read(gva, &op.u, sizeof(op.u)))
        return;
    if (cmd == EVTCHNOP_send && before.state == ECS_INTERDOMAIN)
        check_delivered(before.remote, before.remote_port, pending_before, "send");
    if (cmd == EVTCHNOP_send && before.state == ECS_IPI)
        check_delivered(me, op.u.send.port, pending_before, "send to self");
    if (cmd == EVTCHNOP_close && before.state == ECS_INTERDOMAIN) {
        struct evtchn *r = entry(before.remote, before.remote_port);
        if (!r || r->state != ECS_UNBOUND || r->remote_domid != me->domain_id)
            fz_fail("close: the other end is not left waiting for d%u", me->domain_id);
    }
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        check_bound(op.u.alloc_unbound.dom == DOMID_SELF ? me
                        : domain_by_id(op.u.alloc_unbound.dom),
                    op.u.alloc_unbound.port, ECS_UNBOUND);
        break;
    case EVTCHNOP_bind_interdomain:
        check_bound(me, op.u.bind_interdomain.local_port, ECS_INTERDOMAIN);
        /* The new port was free, so not pending, unless the guest wrote
         * its shared_info's bits itself (it is mapped somewhere). */
        check_delivered(me, op.u.bind_interdomain.local_port, me->shared_info_gfn != ~0ULL,
                        "bind_interdomain");
        break;
    case EVTCHNOP_bind_virq:
        check_bound(me, op.u.bind_virq.port, ECS_VIRQ);
        break;
    case EVTCHNOP_bind_ipi:
        check_bound(me, op.u.bind_ipi.port, ECS_IPI);
        break;
    case EVTCHNOP_status:
        if (op.u.status.status > EVTCHNSTAT_ipi)
            fz_fail("EVTCHNOP_status: status %u", op.u.status.status);
        break;
    }
}

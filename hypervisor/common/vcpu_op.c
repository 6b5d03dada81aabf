/*
 * vcpu_op (hypercall 24): per-vCPU services, Xen's semantics and errors.
 * So far what a PVH guest uses first: is_up, the one-shot timer (it fires
 * VIRQ_TIMER), stopping the periodic timer (there is none), and moving
 * vcpu_info out of shared_info into a page of the guest's choice.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/timer.h>
#include <asm/page.h>
#include <public/vcpu.h>

/* The one-shot timer fires VIRQ_TIMER on its vCPU. */
static void singleshot_expired(void *data)
{
    evtchn_send_virq(data, VIRQ_TIMER);
}

void vcpu_singleshot_init(struct vcpu *v, unsigned int cpu)
{
    init_timer(&v->singleshot_timer, singleshot_expired, v, cpu);
}

static long set_singleshot(struct vcpu *v, uint64_t arg)
{
    struct vcpu_set_singleshot_timer t;

    if (copy_from_guest(&t, arg, sizeof(t)) < 0)
        return -EFAULT;
    if ((t.flags & VCPU_SSHOTTMR_future) && (s_time_t)t.timeout_abs_ns < NOW())
        return -ETIME;
    set_timer(&v->singleshot_timer, (s_time_t)t.timeout_abs_ns);
    return 0;
}

/*
 * The vcpu_info moves into guest RAM, which the hypervisor then writes
 * through a direct pointer.  The frame must be the domain's own RAM, and
 * it gets a reference (page_get_ref) under the domain's mem_lock, the lock
 * ballooning takes: a frame with a reference is never freed, so releasing
 * it (XENMEM_decrease_reservation) only unmaps it and the pointer stays
 * valid until the domain is destroyed, where the reference is dropped
 * (common/domain.c, free_domain_memory).  The runstate area needs no
 * reference: it is translated afresh on every copy.
 */
static long register_vcpu_info(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_vcpu_info r;
    struct domain *d = v->domain;
    long rc = 0;

    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -EFAULT;
    if (r.offset > PAGE_SIZE - sizeof(struct vcpu_info) || (r.offset & 7))
        return -EINVAL;
    /*
     * Only for the calling vCPU or one that is not up yet, as in Xen: an
     * online vCPU may be running on another CPU and reading its vcpu_info
     * while the area moves (Linux registers each AP's from the boot CPU
     * before starting it).
     */
    if (v != current && v->online)
        return -EINVAL;

    spin_lock(&d->mem_lock);
    mfn_t mfn = p2m_access_frame(d, r.mfn);
    if (d->evtchn.vcpu_info[v->vcpu_id])
        rc = -EINVAL;               /* once only, as Xen */
    else if (mfn == INVALID_MFN ||
             page_owned_block(mfn, d->domain_id, NULL) == INVALID_MFN)
        rc = -EINVAL;               /* not RAM of the domain's (shared_info, say) */
    if (rc == 0) {
        struct vcpu_info *vi = (struct vcpu_info *)((uint8_t *)mfn_to_virt(mfn) + r.offset);

        page_get_ref(mfn);
        if (v->vcpu_id < XEN_LEGACY_MAX_VCPUS)
            memcpy(vi, &d->shared_info->vcpu_info[v->vcpu_id], sizeof(*vi));
        else
            memset(vi, 0, sizeof(*vi));
        arch_vcpu_time_update(v, &vi->time);
        evtchn_set_vcpu_info(v, vi);
    }
    spin_unlock(&d->mem_lock);
    return rc;
}

/*
 * The guest's runstate copy lives at a guest-virtual address of its own
 * vCPU; translate it with that vCPU's page tables (we may be on any
 * context here) and write through the P2M, page by page.
 */
static void runstate_copy_out(struct vcpu *v)
{
    const uint8_t *src = (const uint8_t *)&v->runstate;
    uint64_t gva = v->runstate_gva;
    size_t left = sizeof(v->runstate);

    while (left) {
        size_t chunk = MIN(left, PAGE_SIZE - (gva & (PAGE_SIZE - 1)));
        uint64_t gpa;
        if (guest_virt_to_phys(v, gva, true, &gpa) < 0 ||
            copy_to_gpa(v->domain, gpa, src, chunk) < 0)
            return;                 /* unmapped now: the guest's problem */
        gva += chunk, src += chunk, left -= chunk;
    }
}

void vcpu_runstate_change(struct vcpu *v, int state, s_time_t now)
{
    if (v->runstate.state == state)
        return;
    if (now > (s_time_t)v->runstate.state_entry_time)
        v->runstate.time[v->runstate.state & 3] += now - v->runstate.state_entry_time;
    v->runstate.state = state;
    v->runstate.state_entry_time = now;
    if (v->runstate_gva)
        runstate_copy_out(v);
}

static long register_runstate(struct vcpu *v, uint64_t arg)
{
    struct vcpu_register_runstate_memory_area a;

    if (copy_from_guest(&a, arg, sizeof(a)) < 0)
        return -EFAULT;
    v->runstate_gva = a.addr;
    if (a.addr)
        runstate_copy_out(v);
    return 0;
}

long do_vcpu_op(struct hypercall_args *args)
{
    unsigned int cmd = (unsigned int)args->a[0], id = (unsigned int)args->a[1];
    uint64_t arg = args->a[2];
    struct domain *d = current->domain;

    if (id >= d->max_vcpus || !d->vcpu[id])
        return -ENOENT;
    struct vcpu *v = d->vcpu[id];

    switch (cmd) {
    case VCPUOP_is_up:
        return v->online;
    case VCPUOP_set_singleshot_timer:
        return v == current ? set_singleshot(v, arg) : -EINVAL;
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -EINVAL;
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_stop_periodic_timer:
        return 0;                   /* there is no periodic timer to stop */
    case VCPUOP_register_vcpu_info:
        return register_vcpu_info(v, arg);
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(v, arg);
    case VCPUOP_get_runstate_info:
        return copy_to_guest(arg, &v->runstate, sizeof(v->runstate)) < 0 ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}

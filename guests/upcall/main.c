/*
 * upcall: event delivery the way Linux receives it.  HVM params
 * (get/set of CALLBACK_IRQ with the "vector" type, and Xen's rules for
 * what a guest may read and set), then an IPI event channel to itself: while interrupts are off
 * the event waits in upcall_pending; enabling them injects the callback
 * vector; a masked port raises nothing until EVTCHNOP_unmask; and
 * SCHEDOP_block returns at once when an upcall is already pending.
 * Reports TEST PASS/FAIL.
 */
#include "guest.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/hvm/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/shared_info.h>

#define CALLBACK_VECTOR 0xf3

static struct shared_info *shinfo;
static volatile unsigned int upcalls, last_port;

static long evtchn_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long hvm_param(unsigned int op, uint32_t index, uint64_t *value, domid_t dom)
{
    struct xen_hvm_param p = { .domid = dom, .index = index, .value = value ? *value : 0 };
    long rc = hypercall(__HYPERVISOR_hvm_op, op, (unsigned long)&p, 0, 0, 0);
    if (rc == 0 && value)
        *value = p.value;
    return rc;
}

static void note_port(unsigned int port)
{
    last_port = port;
}

/* What Linux's upcall handler does: clear the flag, scan selector and ports. */
static void on_irq(uint64_t vector)
{
    if (vector != CALLBACK_VECTOR)
        return;
    evtchn_upcall_scan(shinfo, 0, note_port);
    upcalls++;
}


void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    uint64_t v;

    if (!xen.present)
        test_fail("no hypervisor");

    /* Parameters. */
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), 0,
              "get CALLBACK_IRQ");
    check_ret((long)v, 0, "CALLBACK_IRQ starts as 0");
    /* A GSI callback is stored but, with no IO-APIC in PVH, changes nothing. */
    v = 9;
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), 0,
              "set CALLBACK_IRQ to GSI 9");
    v = 0;
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), 0,
              "get CALLBACK_IRQ back");
    check_ret((long)v, 9, "CALLBACK_IRQ reads back GSI 9");
    /* Xen's lists: what a guest may set, read, or neither. */
    v = 0x1234;
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_STORE_PFN, &v, DOMID_SELF), -XEN_EPERM,
              "set STORE_PFN (not the guest's to set)");
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_CONSOLE_PFN, &v, DOMID_SELF), -XEN_EPERM,
              "set CONSOLE_PFN (not the guest's to set)");
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, &v, DOMID_SELF), 0,
              "get CONSOLE_PFN");
    check(v != 0 && v != 0x1234, "CONSOLE_PFN is Keel's ring (%#lx)", (unsigned long)v);
    uint64_t store_evtchn = 0;
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_STORE_EVTCHN, &store_evtchn, DOMID_SELF), 0,
              "get STORE_EVTCHN");
    v = 7;
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_STORE_EVTCHN, &v, DOMID_SELF), 0,
              "set STORE_EVTCHN (a guest may)");
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_STORE_EVTCHN, &store_evtchn, DOMID_SELF), 0,
              "set STORE_EVTCHN back");
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_TIMER_MODE, &v, DOMID_SELF), -XEN_EPERM,
              "get TIMER_MODE (the toolstack's)");
    check_ret(hvm_param(HVMOP_get_param, HVM_PARAM_PAE_ENABLED, &v, DOMID_SELF), -XEN_EINVAL,
              "get PAE_ENABLED (deprecated)");
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_ALTP2M, &v, DOMID_SELF), -XEN_EEXIST,
              "set ALTP2M (read-only)");
    check_ret(hvm_param(HVMOP_get_param, 99, &v, DOMID_SELF), -XEN_EINVAL, "get param 99");
    check_ret(hvm_param(HVMOP_get_param, 99, &v, 0x7000), -XEN_EINVAL,
              "get param 99 of no domain (the index is checked first)");
    check_ret(hvm_param(HVMOP_get_param, 0, &v, 0x7000), -XEN_ESRCH, "get param of no domain");
    check_ret(hypercall(__HYPERVISOR_hvm_op, HVMOP_pagetable_dying, 0, 0, 0, 0), -XEN_EINVAL,
              "pagetable_dying");
    check_ret(hypercall(__HYPERVISOR_hvm_op, 99, 0, 0, 0, 0), -XEN_ENOSYS, "hvm_op 99");
    check_ret(hypercall(__HYPERVISOR_hvm_op, HVMOP_get_param, 8, 0, 0, 0), -XEN_EFAULT,
              "get_param with a bad pointer");

    /* shared_info over the last RAM page, an IPI port to ourselves. */
    shinfo = map_shared_info();
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_ipi, &ipi), 0, "bind_ipi");
    evtchn_port_t port = ipi.port;
    struct evtchn_send send = { .port = port };

    guest_irq_handler = on_irq;
    v = (2ULL << 56) | CALLBACK_VECTOR;
    check_ret(hvm_param(HVMOP_set_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF), 0,
              "set CALLBACK_IRQ to vector 0xf3");
    v = 0;
    hvm_param(HVMOP_get_param, HVM_PARAM_CALLBACK_IRQ, &v, DOMID_SELF);
    check(v == ((2ULL << 56) | CALLBACK_VECTOR), "CALLBACK_IRQ reads back %#lx", (unsigned long)v);

    irq_off();
    check_ret(evtchn_op(EVTCHNOP_send, &send), 0, "send on the IPI port");
    check_ret(shinfo->vcpu_info[0].evtchn_upcall_pending, 1, "upcall pending while interrupts are off");
    check_ret(upcalls, 0, "no upcall while interrupts are off");
    irq_on();
    check_ret(upcalls, 1, "one upcall once interrupts are on");
    check_ret(last_port, port, "the upcall saw the IPI port");

    /* Masked: pending, but no upcall until unmask. */
    __atomic_fetch_or(&shinfo->evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
    evtchn_op(EVTCHNOP_send, &send);
    asm volatile("nop; nop" ::: "memory");
    check_ret(upcalls, 1, "no upcall for a masked port");
    struct evtchn_unmask um = { .port = port };
    check_ret(evtchn_op(EVTCHNOP_unmask, &um), 0, "unmask");
    asm volatile("nop; nop" ::: "memory");
    check_ret(upcalls, 2, "unmask delivers the waiting event");

    /* SCHEDOP_block with an upcall pending returns at once. */
    irq_off();
    evtchn_op(EVTCHNOP_send, &send);
    check_ret(HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0, "block with an upcall pending");
    irq_on();
    check_ret(upcalls, 3, "that upcall arrives after block");

    irq_off();
    test_finish();
}

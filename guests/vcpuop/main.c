/*
 * vcpuop: vcpu_op as a PVH guest uses it, and guest time.  is_up; the
 * pvclock in shared_info advances with the TSC; a one-shot timer fires
 * VIRQ_TIMER as an upcall no earlier than asked; a stopped one does not;
 * vcpu_info moves into guest memory (marked for a rescan, time valid
 * there); and the error returns.  Run with vcpus=2.  TEST PASS/FAIL.
 */
#include "guest.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/hvm/hvm_op.h>
#include <public/memory.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#define CALLBACK_VECTOR 0xf3

static struct shared_info *shinfo;
static struct vcpu_info *vinfo;             /* where vCPU 0's vcpu_info is now */
static volatile unsigned int timer_upcalls;
static evtchn_port_t timer_port;
static struct vcpu_info moved __attribute__((aligned(64)));

static long vcpu_op(unsigned int cmd, unsigned int id, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg, 0, 0);
}

static void on_irq(uint64_t vector)
{
    if (vector != CALLBACK_VECTOR)
        return;
    __atomic_store_n(&vinfo->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    __atomic_exchange_n(&vinfo->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    unsigned int w = timer_port / 64;
    unsigned long bit = 1UL << (timer_port % 64);
    if (__atomic_fetch_and(&shinfo->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST) & bit)
        timer_upcalls++;
}

/* Spin with interrupts on until the deadline (system time); no HLT: with
 * no timer armed nothing would wake us. */
static void wait_until(uint64_t deadline)
{
    asm volatile("sti" ::: "memory");
    while (pvclock_now(&vinfo->time) < deadline)
        asm volatile("pause" ::: "memory");
    asm volatile("cli" ::: "memory");
}

static bool timer_fires(uint64_t delay_ns, uint64_t *fired_after)
{
    unsigned int before = timer_upcalls;
    uint64_t start = pvclock_now(&vinfo->time);
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = start + delay_ns, .flags = 0 };
    if (vcpu_op(VCPUOP_set_singleshot_timer, 0, &t))
        return false;
    uint64_t limit = start + delay_ns + 2000000000ULL;
    while (timer_upcalls == before && pvclock_now(&vinfo->time) < limit)
        asm volatile("sti; hlt; cli" ::: "memory");
    *fired_after = pvclock_now(&vinfo->time) - start;
    return timer_upcalls != before;
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    uint64_t after = 0;

    if (!xen.present)
        test_fail("no hypervisor");
    check_ret(vcpu_op(VCPUOP_is_up, 0, NULL), 1, "is_up(vCPU 0)");
    check_ret(vcpu_op(VCPUOP_is_up, 1, NULL), 0, "is_up(vCPU 1, never started)");
    check_ret(vcpu_op(VCPUOP_is_up, 64, NULL), -XEN_ENOENT, "is_up(vCPU 64)");
    check_ret(vcpu_op(99, 0, NULL), -XEN_ENOSYS, "vcpu_op 99");
    check_ret(vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop_periodic_timer");

    shinfo = map_shared_info();
    vinfo = &shinfo->vcpu_info[0];

    /* Guest time: even version, advancing with the TSC. */
    check(!(vinfo->time.version & 1) && vinfo->time.tsc_to_system_mul,
          "pvclock valid (version %u, mul %u)", vinfo->time.version, vinfo->time.tsc_to_system_mul);
    uint64_t t0 = pvclock_now(&vinfo->time);
    delay_ms(50);
    uint64_t t1 = pvclock_now(&vinfo->time);
    check(t1 > t0 && t1 - t0 >= 40000000ULL && t1 - t0 < 500000000ULL,
          "pvclock advanced %lu us over a 50 ms TSC delay", (unsigned long)((t1 - t0) / 1000));
    check(shinfo->wc_sec > 1700000000u, "wallclock %u s is a plausible date", shinfo->wc_sec);

    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    check_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "bind_virq(TIMER)");
    timer_port = bv.port;
    guest_irq_handler = on_irq;
    check_ret(set_callback_vector(CALLBACK_VECTOR), 0, "callback vector");

    bool fired = timer_fires(20000000ULL, &after);
    check(fired && after >= 20000000ULL, "a 20 ms one-shot fired after %lu us",
          (unsigned long)(after / 1000));

    struct vcpu_set_singleshot_timer past = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };
    check_ret(vcpu_op(VCPUOP_set_singleshot_timer, 0, &past), -XEN_ETIME, "past timeout with _future");
    check_ret(vcpu_op(VCPUOP_set_singleshot_timer, 1, &past), -XEN_EINVAL, "one-shot for another vCPU");
    check_ret(vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)8), -XEN_EFAULT, "bad pointer");

    unsigned int before = timer_upcalls;
    struct vcpu_set_singleshot_timer soon = { .timeout_abs_ns = pvclock_now(&vinfo->time) + 30000000ULL };
    vcpu_op(VCPUOP_set_singleshot_timer, 0, &soon);
    check_ret(vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0, "stop_singleshot_timer");
    wait_until(pvclock_now(&vinfo->time) + 80000000ULL);
    check_ret(timer_upcalls, before, "a stopped one-shot does not fire");

    /* Move vcpu_info into our own memory. */
    struct vcpu_register_vcpu_info r = { .mfn = (uintptr_t)&moved / PAGE_SIZE,
                                         .offset = (uintptr_t)&moved % PAGE_SIZE };
    struct vcpu_register_vcpu_info bad = { .mfn = r.mfn, .offset = PAGE_SIZE - 32 };
    check_ret(vcpu_op(VCPUOP_register_vcpu_info, 0, &bad), -XEN_EINVAL, "vcpu_info across a page end");
    asm volatile("cli");
    check_ret(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0, "register_vcpu_info");
    check(moved.evtchn_upcall_pending == 1 && moved.evtchn_pending_sel == ~0UL,
          "new vcpu_info marked for a rescan");
    check(!(moved.time.version & 1) && moved.time.tsc_to_system_mul, "time valid in the new vcpu_info");
    vinfo = &moved;
    asm volatile("sti; nop; nop; cli" ::: "memory");   /* take the rescan upcall */
    check_ret(vcpu_op(VCPUOP_register_vcpu_info, 0, &r), -XEN_EINVAL, "registering twice");
    check(timer_fires(10000000ULL, &after), "one-shot upcall through the moved vcpu_info");
    test_finish();
}

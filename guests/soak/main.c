/*
 * soak: a domain that takes a little of everything a guest can make the
 * hypervisor hold for it, then reboots, for the create/destroy soak
 * (tests/boot/scenarios/soak.py): shared_info over one of its RAM pages,
 * a vcpu_info registered in its own memory, VIRQ_TIMER with a one-shot
 * timer still pending, unbound and IPI event channels (some closed again),
 * an interdomain channel to itself, four grant-table frames mapped, pages
 * ballooned out and some populated back, and a watchdog armed.  Every run
 * must end with all of it given back; the scenario compares the
 * hypervisor's memory figures before the first run and after the last.
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#define MIB             (1024 * 1024ul)
#define GRANT_GFN_BASE  (6 * MIB / PAGE_SIZE)   /* 4 grant frames over RAM */
#define BALLOON_BASE    (8 * MIB / PAGE_SIZE)   /* 64 pages out, 32 back */
#define BALLOON_PAGES   64
#define UNBOUND_PORTS   12

static struct vcpu_info vinfo_area __attribute__((aligned(64)));
static xen_pfn_t pfns[BALLOON_PAGES];

static long memop(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long reservation(unsigned int cmd, unsigned int n)
{
    struct xen_memory_reservation r = { .extent_start = (unsigned long)pfns, .nr_extents = n,
                                        .domid = DOMID_SELF };
    return memop(cmd, &r);
}

static void take_event_channels(domid_t self)
{
    evtchn_port_t first = 0;

    for (unsigned int i = 0; i < UNBOUND_PORTS; i++) {
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = self };
        require_ret(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a), 0, "alloc_unbound %u", i);
        if (!first)
            first = a.port;
    }
    /* An interdomain channel to ourselves, on the first unbound port. */
    struct evtchn_bind_interdomain b = { .remote_dom = self, .remote_port = first };
    require_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b), 0, "bind_interdomain");
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    require_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi), 0, "bind_ipi");
    for (evtchn_port_t p = first + 1; p < first + 4; p++) {
        struct evtchn_close c = { .port = p };
        require_ret(HYPERVISOR_event_channel_op(EVTCHNOP_close, &c), 0, "close %u", p);
    }
}

static void take_timer(struct shared_info *si)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    require_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "bind_virq(TIMER)");
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = pvclock_now(&si->vcpu_info[0].time) + 3600ULL * 1000000000ULL,
    };
    require_ret(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t), 0, "one-shot in an hour");
}

static void take_grant_frames(void)
{
    for (unsigned int i = 0; i < 4; i++) {
        struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
                                        .idx = i, .gpfn = GRANT_GFN_BASE + i };
        require_ret(memop(XENMEM_add_to_physmap, &x), 0, "grant frame %u", i);
    }
}

static void balloon(void)
{
    for (unsigned int i = 0; i < BALLOON_PAGES; i++)
        pfns[i] = BALLOON_BASE + i;
    require_ret(reservation(XENMEM_decrease_reservation, BALLOON_PAGES), BALLOON_PAGES,
              "balloon out %u pages", BALLOON_PAGES);
    require_ret(reservation(XENMEM_populate_physmap, BALLOON_PAGES / 2), BALLOON_PAGES / 2,
              "populate %u back", BALLOON_PAGES / 2);
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    domid_t self = (domid_t)cpuid(xen.base + 4).ecx;
    struct shared_info *shinfo = map_shared_info();

    struct vcpu_register_vcpu_info r = { .mfn = (uintptr_t)&vinfo_area / PAGE_SIZE,
                                         .offset = (uintptr_t)&vinfo_area % PAGE_SIZE };
    require_ret(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r), 0, "register_vcpu_info");
    take_timer(shinfo);
    take_event_channels(self);
    take_grant_frames();
    balloon();
    struct sched_watchdog w = { .id = 0, .timeout = 600 };
    require_ret(HYPERVISOR_sched_op(SCHEDOP_watchdog, &w), 1, "watchdog");
    printf("soak: holding everything; rebooting\n");
    guest_shutdown(SHUTDOWN_reboot);
}

/*
 * mode=targeted: attacks on the hypervisor's edges, each checked for the
 * answer Xen 4.17 gives an HVM guest (its source is the reference; the
 * comments say where Keel's answer comes from).  peers= names a running
 * domain (the victim): its ports, grants and memory are not ours.
 *   - garbage in the upper halves of int-typed arguments, and calls from
 *     compatibility mode with garbage in every upper half;
 *   - counts and lengths near 2^31, 2^32 and 2^64, lists whose end wraps
 *     around the top of the address space;
 *   - event channel ports out of range, closed, another domain's; the
 *     whole port space used up;
 *   - grant references never granted, beyond the table, another domain's,
 *     entries the guest fills with nonsense;
 *   - frames that are not the guest's RAM, beyond its P2M, another
 *     domain's; vCPUs that do not exist; HVM params it may not touch;
 *   - the hypercall-page MSR pointed outside RAM;
 *   - a frame moved far away again and again (P2M tables must be bounded).
 * Grants revoked in use, P2M violations and storms have modes of their own.
 */
#include "attack.h"
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/hvm/hvm_op.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/shared_info.h>
#include <public/vcpu.h>
#include <public/version.h>

#ifdef __x86_64__     /* the 32-bit build (attack32) has the random mode only */

#define GARBAGE       0xfeedface00000000ul
#define NO_DOMAIN     999                   /* no domain has this ID */
#define TOP_VA        0xfffffffffffff000ul  /* the last page of the address space */
#define EDGE_VA       0x5000000000ul        /* a page with nothing mapped after it */
#define GT_GFN        (SPARE_START / PAGE_SIZE + 8)     /* our grant frame 0 */
#define XEN_ENOSPC    28
#define XEN_EBUSY     16
#define XEN_ENODATA   61

static uint8_t edge_page[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t top_page[PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t scratch[2][PAGE_SIZE] __attribute__((aligned(4096)));
static domid_t peer;

static long evtchn(unsigned int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op((int)cmd, arg);
}

static long port_op(unsigned int cmd, evtchn_port_t port)
{
    return evtchn(cmd, &port);
}

static long gnttab(unsigned long cmd, void *arg, unsigned long count)
{
    return hypercall(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count, 0, 0);
}

static long memop(unsigned long cmd, void *arg)
{
    return hypercall(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long vcpuop(unsigned long cmd, unsigned long id, void *arg)
{
    return hypercall(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg, 0, 0);
}

static long hvm_param(unsigned int op, domid_t dom, uint32_t index, uint64_t value)
{
    struct xen_hvm_param p = { .domid = dom, .index = index, .value = value };
    return hypercall(__HYPERVISOR_hvm_op, op, (unsigned long)&p, 0, 0, 0);
}

static uint64_t gfn_of(const void *p)
{
    return (uintptr_t)p / PAGE_SIZE;
}

/* ---- upper halves ------------------------------------------------------------ */

static long compat_call(unsigned long nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    uint64_t regs[6] = { GARBAGE | nr, GARBAGE | a1, GARBAGE | a2, GARBAGE | a3,
                         GARBAGE | 0x5555, GARBAGE | 0xaaaa };
    return hypercall_compat_mode(regs);
}

static void upper_halves(void)
{
    static const char msg[] = "attack: console_io with garbage above cmd and count\n";
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    domid_t self = DOMID_SELF;

    /* int / unsigned int arguments: Xen uses the low 32 bits only. */
    check_ret(hypercall(__HYPERVISOR_xen_version, GARBAGE | XENVER_version, 0, 0, 0, 0),
              XEN_CPUID_VERSION(4, 17), "xen_version(garbage:version)");
    check_ret(hypercall(__HYPERVISOR_sched_op, GARBAGE | SCHEDOP_yield, 0, 0, 0, 0), 0,
              "sched_op(garbage:yield)");
    check_ret(hypercall(__HYPERVISOR_console_io, GARBAGE | CONSOLEIO_write,
                        GARBAGE | (sizeof(msg) - 1), (unsigned long)msg, 0, 0), 0,
              "console_io(garbage:write, garbage:count)");
    check_ret(hypercall(__HYPERVISOR_event_channel_op, GARBAGE | EVTCHNOP_status,
                        (unsigned long)&st, 0, 0, 0), 0, "event_channel_op(garbage:status)");
    check_ret(st.status, EVTCHNSTAT_unbound, "... port 1 (console) is unbound");
    check_ret(vcpuop(GARBAGE | VCPUOP_is_up, GARBAGE | 0, NULL), 1,
              "vcpu_op(garbage:is_up, garbage:0)");
    check_ret(gnttab(GARBAGE | GNTTABOP_query_size, &q, GARBAGE | 1), 0,
              "grant_table_op(garbage:query_size, .., garbage:1)");
    check_ret(q.status, GNTST_okay, "... status okay");
    /* unsigned long arguments: all of it counts. */
    check_ret(memop((1ul << 32) | XENMEM_current_reservation, &self), -XEN_EINVAL,
              "memory_op(current_reservation, continuation index 2^26)");
    check_ret(hypercall(__HYPERVISOR_hvm_op, (1ul << 32) | HVMOP_get_param, 0, 0, 0, 0),
              -XEN_ENOSYS, "hvm_op(2^32 + get_param)");

    /* Compatibility mode: 32-bit layouts, every upper half garbage. */
    long tot = memop(XENMEM_current_reservation, &self);
    check_ret(compat_call(__HYPERVISOR_xen_version, XENVER_version, 0, 0),
              XEN_CPUID_VERSION(4, 17), "compat xen_version(version)");
    check_ret(compat_call(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0), 0, "compat sched_op(yield)");
    check_ret(compat_call(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(msg) - 1,
                          (uint32_t)(uintptr_t)msg), 0, "compat console_io(write)");
    st.status = 0x55;
    check_ret(compat_call(__HYPERVISOR_event_channel_op, EVTCHNOP_status,
                          (uint32_t)(uintptr_t)&st, 0), 0, "compat event_channel_op(status)");
    check_ret(st.status, EVTCHNSTAT_unbound, "... port 1 unbound");
    check_ret(compat_call(__HYPERVISOR_memory_op, XENMEM_current_reservation,
                          (uint32_t)(uintptr_t)&self, 0), tot, "compat current_reservation");
    check_ret(compat_call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0), 1, "compat vcpu_op(is_up)");
    check_ret(compat_call(__HYPERVISOR_grant_table_op, GNTTABOP_query_size,
                          (uint32_t)(uintptr_t)&q, 1), 0, "compat grant_table_op(query_size)");
    check_ret(compat_call(1000, 0, 0, 0), -XEN_ENOSYS, "compat hypercall 1000");
}

/* ---- lengths ---------------------------------------------------------------------- */

static long reservation(unsigned long cmd, uint64_t list, uint64_t nr, uint32_t order)
{
    struct xen_memory_reservation r = {
        .extent_start = list, .nr_extents = nr, .extent_order = order, .domid = DOMID_SELF,
    };
    return memop(cmd, &r);
}

static void lengths(void)
{
    domid_t self = DOMID_SELF;
    uint64_t *list = (uint64_t *)top_page;
    uint64_t spare = SPARE_START / PAGE_SIZE + 64;

    /* nr_extents too big to encode a continuation: nothing done (Xen). */
    check_ret(reservation(XENMEM_decrease_reservation, (uintptr_t)list, 0xffffffffu, 0), 0,
              "decrease_reservation, 2^32 - 1 extents");
    check_ret(reservation(XENMEM_decrease_reservation, (uintptr_t)list, ~0ul, 0), 0,
              "decrease_reservation, 2^64 - 1 extents");
    check_ret(reservation(XENMEM_populate_physmap, (uintptr_t)list, 1ul << 26, 0), 0,
              "populate_physmap, 2^26 extents");

    /* A list in the last page of the address space: its 513th entry wraps
     * to address 0, which nothing maps.  512 extents are done (one
     * continuation), then the read fails. */
    for (unsigned int i = 0; i < 512; i++)
        list[i] = spare + i;
    if (pt_map_4k(TOP_VA, (uintptr_t)top_page, PTE_W))
        test_fail("attack: cannot map the top page");
    long before = memop(XENMEM_current_reservation, &self);
    check_ret(reservation(XENMEM_decrease_reservation, TOP_VA, 600, 0), 512,
              "decrease_reservation of 600 extents from the top page: the list wraps at 512");
    check_ret(memop(XENMEM_current_reservation, &self), before - 512, "... 512 pages gone");
    check_ret(reservation(XENMEM_populate_physmap, TOP_VA, 513, 0), 512,
              "populate_physmap of 513 extents from the top page");
    check_ret(memop(XENMEM_current_reservation, &self), before, "... and back");

    /* SCHEDOP_poll: too many ports; a port list running off the top. */
    struct sched_poll p = { .ports = TOP_VA + PAGE_SIZE - 4, .nr_ports = 129, .timeout = 1 };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), -XEN_EINVAL, "poll of 129 ports");
    p.nr_ports = 0xffffffff;
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), -XEN_EINVAL, "poll of 2^32 - 1 ports");
    p.nr_ports = 2;
    *(uint32_t *)(top_page + PAGE_SIZE - 4) = 4000;    /* a port of ours that is not pending */
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), -XEN_EFAULT,
              "poll of 2 ports, the second at address 0 (wrapped)");

    /* Grant copies: a negative count; an array whose third op is unreadable. */
    struct gnttab_copy *ops = (struct gnttab_copy *)(edge_page + PAGE_SIZE - 2 * sizeof(*ops));
    check_ret(gnttab(GNTTABOP_copy, ops, 0x80000000u), -XEN_EINVAL, "copy, count 2^31");
    check_ret(gnttab(GNTTABOP_copy, ops, 0xffffffffu), -XEN_EINVAL, "copy, count 2^32 - 1");
    for (unsigned int i = 0; i < 2; i++)
        ops[i] = (struct gnttab_copy){
            .source = { .u.gmfn = gfn_of(scratch[0]), .domid = DOMID_SELF },
            .dest = { .u.gmfn = gfn_of(scratch[1]), .domid = DOMID_SELF },
            .len = 8, .status = 0x55,
        };
    check_ret(gnttab(GNTTABOP_copy, (void *)(EDGE_VA + PAGE_SIZE - 2 * sizeof(*ops)), 3),
              -XEN_EFAULT, "copy of 3 ops, the third unreadable");
    check(ops[0].status == GNTST_okay && ops[1].status == GNTST_okay,
          "... the first two done (statuses %d %d)", ops[0].status, ops[1].status);

    /* memory_map with room claimed for 2^32 - 1 entries, and half of one. */
    struct xen_memory_map m = { .nr_entries = 0xffffffff,
                                .buffer = EDGE_VA + PAGE_SIZE - sizeof(struct e820_entry) / 2 };
    check_ret(memop(XENMEM_memory_map, &m), -XEN_EFAULT,
              "memory_map into half an entry's room, 2^32 - 1 claimed");

    /* console_io: a huge count, the first chunk already unreadable. */
    check_ret(HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffu,
                                    (void *)(EDGE_VA + PAGE_SIZE - 16)), -XEN_EFAULT,
              "console_io(write, 2^32 - 1) 16 bytes before an unmapped page");
    check_ret(HYPERVISOR_console_io(CONSOLEIO_read, 0xffffffffu, edge_page), -XEN_EPERM,
              "console_io(read) from a domU");

    /* setup_table: more frames than a table may have. */
    struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 0xffffffff,
                                    .frame_list = (uintptr_t)scratch[0] };
    check_ret(gnttab(GNTTABOP_setup_table, &s, 1), 0, "setup_table of 2^32 - 1 frames");
    check_ret(s.status, GNTST_general_error, "... general_error");
    s.nr_frames = 65;
    check_ret(gnttab(GNTTABOP_setup_table, &s, 1), 0, "setup_table of 65 frames");
    check_ret(s.status, GNTST_general_error, "... general_error");
}

/* ---- event channels ------------------------------------------------------------- */

static long alloc_unbound(domid_t dom, domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote };
    long rc = evtchn(EVTCHNOP_alloc_unbound, &a);
    *port = a.port;
    return rc;
}

static long status(domid_t dom, evtchn_port_t port, uint32_t *state)
{
    struct evtchn_status st = { .dom = dom, .port = port, .status = 0x55 };
    long rc = evtchn(EVTCHNOP_status, &st);
    *state = st.status;
    return rc;
}

static void event_channels(void)
{
    static const evtchn_port_t out_of_range[] = { 4096, 4097, 0x7fffffff, 0xffffffff };
    evtchn_port_t port;
    uint32_t state;

    for (unsigned int i = 0; i < ARRAY_SIZE(out_of_range); i++) {
        evtchn_port_t p = out_of_range[i];
        check_ret(port_op(EVTCHNOP_send, p), -XEN_EINVAL, "send on port %#x", p);
        check_ret(port_op(EVTCHNOP_close, p), -XEN_EINVAL, "close port %#x", p);
        check_ret(port_op(EVTCHNOP_unmask, p), -XEN_EINVAL, "unmask port %#x", p);
        struct evtchn_bind_vcpu b = { .port = p, .vcpu = 0 };
        check_ret(evtchn(EVTCHNOP_bind_vcpu, &b), -XEN_EINVAL, "bind_vcpu port %#x", p);
        check_ret(status(DOMID_SELF, p, &state), -XEN_EINVAL, "status of port %#x", p);
    }

    /* Closed ports. */
    check_ret(alloc_unbound(DOMID_SELF, DOMID_SELF, &port), 0, "alloc_unbound");
    check_ret(port_op(EVTCHNOP_close, port), 0, "close port %u", port);
    check_ret(port_op(EVTCHNOP_close, port), -XEN_EINVAL, "close port %u again", port);
    check_ret(port_op(EVTCHNOP_send, port), -XEN_EINVAL, "send on closed port %u", port);
    check_ret(status(DOMID_SELF, port, &state), 0, "status of closed port %u", port);
    check_ret(state, EVTCHNSTAT_closed, "... closed");
    check_ret(port_op(EVTCHNOP_unmask, port), 0, "unmask closed port %u", port);

    /* Another domain's, and no domain's. */
    check_ret(status(peer, 1, &state), -XEN_EPERM, "status of d%u's port 1", peer);
    check_ret(status(NO_DOMAIN, 1, &state), -XEN_ESRCH, "status of d%u's port 1", NO_DOMAIN);
    check_ret(alloc_unbound(peer, DOMID_SELF, &port), -XEN_EPERM, "alloc_unbound in d%u", peer);
    check_ret(alloc_unbound(NO_DOMAIN, DOMID_SELF, &port), -XEN_ESRCH,
              "alloc_unbound in d%u", NO_DOMAIN);
    struct evtchn_bind_interdomain bi = { .remote_dom = peer, .remote_port = 1 };
    check_ret(evtchn(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL,
              "bind_interdomain to d%u's port 1 (not waiting for us)", peer);
    bi.remote_port = 4096;
    check_ret(evtchn(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL,
              "bind_interdomain to d%u's port 4096", peer);
    bi = (struct evtchn_bind_interdomain){ .remote_dom = NO_DOMAIN, .remote_port = 1 };
    check_ret(evtchn(EVTCHNOP_bind_interdomain, &bi), -XEN_ESRCH,
              "bind_interdomain to d%u", NO_DOMAIN);
    struct evtchn_reset r = { .dom = peer };
    check_ret(evtchn(EVTCHNOP_reset, &r), -XEN_EPERM, "reset d%u's ports", peer);
    r.dom = NO_DOMAIN;
    check_ret(evtchn(EVTCHNOP_reset, &r), -XEN_ESRCH, "reset d%u's ports", NO_DOMAIN);

    /* VIRQs and IPIs on vCPUs that do not exist; per-vCPU ones that stay put. */
    struct evtchn_bind_virq v = { .virq = 24 };
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), -XEN_EINVAL, "bind_virq 24 (NR_VIRQS)");
    v.virq = 0xffffffff;
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), -XEN_EINVAL, "bind_virq 2^32 - 1");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), -XEN_EINVAL, "global VIRQ on vCPU 1");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1 };
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), -XEN_ENOENT, "VIRQ_TIMER on vCPU 1 (none)");
    v.vcpu = 0;
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), 0, "VIRQ_TIMER on vCPU 0");
    evtchn_port_t timer = v.port;
    check_ret(evtchn(EVTCHNOP_bind_virq, &v), -XEN_EEXIST, "VIRQ_TIMER on vCPU 0 again");
    check_ret(port_op(EVTCHNOP_send, timer), -XEN_EINVAL, "send on the VIRQ port");
    struct evtchn_bind_vcpu bv = { .port = timer, .vcpu = 0 };
    check_ret(evtchn(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL, "bind_vcpu of a per-vCPU VIRQ");
    check_ret(port_op(EVTCHNOP_close, timer), 0, "close the VIRQ port");
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    check_ret(evtchn(EVTCHNOP_bind_ipi, &ipi), -XEN_ENOENT, "bind_ipi to vCPU 1 (none)");
    ipi.vcpu = 0xffffffff;
    check_ret(evtchn(EVTCHNOP_bind_ipi, &ipi), -XEN_ENOENT, "bind_ipi to vCPU 2^32 - 1");
    ipi.vcpu = 0;
    check_ret(evtchn(EVTCHNOP_bind_ipi, &ipi), 0, "bind_ipi to vCPU 0");
    bv = (struct evtchn_bind_vcpu){ .port = ipi.port, .vcpu = 0 };
    check_ret(evtchn(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL, "bind_vcpu of an IPI port");
    bv.vcpu = 1;
    check_ret(evtchn(EVTCHNOP_bind_vcpu, &bv), -XEN_ENOENT, "bind_vcpu to vCPU 1 (none)");
    bv.vcpu = 0;

    /* The FIFO ABI is not offered; reset_cont without a reset under way. */
    uint8_t junk[16] = { 0 };
    check_ret(evtchn(EVTCHNOP_init_control, junk), -XEN_ENOSYS, "init_control (FIFO)");
    check_ret(evtchn(EVTCHNOP_expand_array, junk), -XEN_ENOSYS, "expand_array (FIFO)");
    check_ret(evtchn(EVTCHNOP_set_priority, junk), -XEN_ENOSYS, "set_priority (FIFO)");
    r.dom = DOMID_SELF;
    check_ret(evtchn(14 /* EVTCHNOP_reset_cont */, &r), -XEN_EBUSY,
              "reset_cont with no reset under way");
    r.dom = peer;
    check_ret(evtchn(14, &r), -XEN_EPERM, "reset_cont of d%u", peer);
    /* Hypercall 16 (event_channel_op_compat) is PV-only in Xen 4.17. */
    check_ret(hypercall(__HYPERVISOR_event_channel_op_compat, (unsigned long)junk, 0, 0, 0, 0),
              -XEN_ENOSYS, "event_channel_op_compat from an HVM guest");

    /* Every port used: -ENOSPC; a reset gives them all back. */
    unsigned int got = 0;
    long rc;
    while ((rc = alloc_unbound(DOMID_SELF, peer, &port)) == 0)
        got++;
    check_ret(rc, -XEN_ENOSPC, "alloc_unbound once all ports are used (%u more)", got);
    check(got > 4000, "about 4096 ports (%u more were free)", got);
    r.dom = DOMID_SELF;
    check_ret(evtchn(EVTCHNOP_reset, &r), 0, "reset our ports");
    check_ret(alloc_unbound(DOMID_SELF, DOMID_SELF, &port), 0, "alloc_unbound after the reset");
    check_ret(port, 1, "... the first port again");
    check_ret(evtchn(EVTCHNOP_reset, &r), 0, "reset again");
}

/* ---- grants ------------------------------------------------------------------ */

static int16_t copy_one(struct gnttab_copy c)
{
    c.status = 0x55;
    long rc = gnttab(GNTTABOP_copy, &c, 1);
    if (rc)
        return (int16_t)(0x1000 + rc);      /* shows as a mismatch */
    return c.status;
}

static struct gnttab_copy from_ref(domid_t dom, grant_ref_t ref, uint16_t off, uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.ref = ref, .domid = dom, .offset = off },
        .dest = { .u.gmfn = gfn_of(scratch[0]), .domid = DOMID_SELF },
        .len = len, .flags = GNTCOPY_source_gref,
    };
}

static struct gnttab_copy frames(uint64_t src, domid_t sdom, uint64_t dst, uint16_t off,
                                 uint16_t len)
{
    return (struct gnttab_copy){
        .source = { .u.gmfn = src, .domid = sdom, .offset = off },
        .dest = { .u.gmfn = dst, .domid = DOMID_SELF },
        .len = len,
    };
}

static void grants(void)
{
    domid_t me = (domid_t)env.domid;
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    uint64_t hole = env.hole / PAGE_SIZE;

    check_ret(gnttab(GNTTABOP_query_size, &q, 1), 0, "query_size");
    check(q.status == GNTST_okay && q.nr_frames == 1 && q.max_nr_frames == 64,
          "our table: 1 of 64 frames (status %d, %u of %u)", q.status, q.nr_frames,
          q.max_nr_frames);
    q.dom = peer;
    check_ret(gnttab(GNTTABOP_query_size, &q, 1), 0, "query_size of d%u", peer);
    check_ret(q.status, GNTST_permission_denied, "... permission_denied");
    q.dom = NO_DOMAIN;
    check_ret(gnttab(GNTTABOP_query_size, &q, 1), 0, "query_size of d%u", NO_DOMAIN);
    check_ret(q.status, GNTST_bad_domain, "... bad_domain");
    struct gnttab_get_version gv = { .dom = peer };
    check_ret(gnttab(GNTTABOP_get_version, &gv, 1), -XEN_EPERM, "get_version of d%u", peer);
    gv.dom = NO_DOMAIN;
    check_ret(gnttab(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH, "get_version of d%u", NO_DOMAIN);
    struct gnttab_set_version sv = { .version = 2 };
    check_ret(gnttab(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS, "set_version(2)");
    check_ret(sv.version, 1, "... version 1 in force");
    sv.version = 0;
    check_ret(gnttab(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL, "set_version(0)");
    check_ret(gnttab(GNTTABOP_copy | 0x1000, &sv, 1), -XEN_ENOSYS, "copy | 0x1000");
    check_ret(gnttab(GNTTABOP_cache_flush, &sv, 0xffffffff), -XEN_ENOSYS, "cache_flush");
    check_ret(gnttab(99, &sv, 0x80000000u), -XEN_ENOSYS, "sub-op 99, count 2^31");

    /* Refs never granted, beyond the table, of no domain; frames not ours. */
    check_ret(copy_one(from_ref(DOMID_SELF, 100, 0, 8)), GNTST_general_error, "copy from ref 100 (never granted)");
    check_ret(copy_one(from_ref(DOMID_SELF, 512, 0, 8)), GNTST_bad_gntref, "copy from ref 512 (beyond 1 frame)");
    check_ret(copy_one(from_ref(DOMID_SELF, 0xffffffff, 0, 8)), GNTST_bad_gntref, "copy from ref 2^32 - 1");
    check_ret(copy_one(from_ref(NO_DOMAIN, 8, 0, 8)), GNTST_bad_domain, "copy from d%u's ref 8", NO_DOMAIN);
    check_ret(copy_one(from_ref(peer, 8, 0, 8)), GNTST_general_error, "copy from d%u's ref 8 (not ours)", peer);
    check_ret(copy_one(from_ref(peer, 40000, 0, 8)), GNTST_bad_gntref, "copy from d%u's ref 40000", peer);
    check_ret(copy_one(frames(gfn_of(scratch[1]), peer, gfn_of(scratch[0]), 0, 8)),
              GNTST_permission_denied, "copy from a frame, naming d%u", peer);
    check_ret(copy_one(frames(hole, DOMID_SELF, gfn_of(scratch[0]), 0, 8)), GNTST_bad_page,
              "copy from a frame past our RAM");
    check_ret(copy_one(frames(~0ull, DOMID_SELF, gfn_of(scratch[0]), 0, 8)), GNTST_bad_page,
              "copy from frame 2^64 - 1");
    check_ret(copy_one(frames(gfn_of(scratch[1]), DOMID_SELF, hole, 0, 8)), GNTST_bad_page,
              "copy to a frame past our RAM");
    check_ret(copy_one(frames(gfn_of(scratch[1]), DOMID_SELF, gfn_of(scratch[0]), 4000, 200)),
              GNTST_bad_copy_arg, "copy crossing the source page's end");

    /* Our own table, filled with nonsense. */
    struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
                                    .idx = 64, .gpfn = GT_GFN };
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_EINVAL, "grant frame 64 (max 64)");
    x.idx = 0x80000000;
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_EINVAL, "grant status frame (v1)");
    x.idx = 0;
    check_ret(memop(XENMEM_add_to_physmap, &x), 0, "grant frame 0 at a spare frame");
    volatile struct grant_entry_v1 *gt = (void *)(uintptr_t)(GT_GFN * PAGE_SIZE);
    static const struct {
        const char *what;
        uint16_t flags;
        uint64_t frame;
        int16_t want;
    } entries[] = {
        { "a frame past RAM", GTF_permit_access, 0, GNTST_bad_page },
        { "frame 2^32 - 1", GTF_permit_access, 0xffffffff, GNTST_bad_page },
        { "accept_transfer", GTF_accept_transfer, 1, GNTST_general_error },
        { "transitive (v2 only)", GTF_transitive, 1, GNTST_general_error },
        { "reading already set by the guest", GTF_permit_access | GTF_reading, 1, GNTST_okay },
        { "every flag", 0xffff, 1, GNTST_general_error },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(entries); i++) {
        grant_ref_t ref = 30 + i;
        gt[ref].domid = me;
        gt[ref].frame = (uint32_t)(entries[i].frame == 0 ? hole :
                                   entries[i].frame == 1 ? gfn_of(scratch[1]) : entries[i].frame);
        gt[ref].flags = entries[i].flags;
        check_ret(copy_one(from_ref(DOMID_SELF, ref, 0, 8)), entries[i].want,
                  "copy from our ref %u: %s", ref, entries[i].what);
    }
    /* A readonly grant as the destination; source and destination one page. */
    gt[40].domid = me;
    gt[40].frame = (uint32_t)gfn_of(scratch[1]);
    gt[40].flags = GTF_permit_access | GTF_readonly;
    struct gnttab_copy c = frames(gfn_of(scratch[0]), DOMID_SELF, 0, 0, 8);
    c.flags = GNTCOPY_dest_gref;
    c.dest = (struct gnttab_copy_ptr){ .u.ref = 40, .domid = DOMID_SELF };
    check_ret(copy_one(c), GNTST_general_error, "copy into a readonly grant");
    gt[41].domid = me;
    gt[41].frame = (uint32_t)gfn_of(scratch[1]);
    gt[41].flags = GTF_permit_access;
    memcpy(scratch[1], "0123456789abcdef", 16);
    c = (struct gnttab_copy){
        .source = { .u.ref = 41, .domid = DOMID_SELF, .offset = 0 },
        .dest = { .u.ref = 41, .domid = DOMID_SELF, .offset = 4 },
        .len = 8, .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
    };
    check_ret(copy_one(c), GNTST_okay, "copy within one granted page, overlapping");
    check(!memcmp(scratch[1], "012301234567cdef", 16), "... moved as memmove does");
    /* Keel's in-use flags are all gone again (34 and 35 had them from us). */
    uint32_t busy = 0;
    for (grant_ref_t ref = 0; ref < 512; ref++)
        busy += ref != 35 && (gt[ref].flags & (GTF_reading | GTF_writing)) != 0;
    check_ret(busy, 0, "no entry left in use after the copies");
}

/* ---- P2M table growth -------------------------------------------------------- */

/*
 * One frame moved, again and again, to a new 2 MiB region far above RAM:
 * each move makes the hypervisor allocate a P2M table page (a new 1 GiB
 * region one more), which it keeps until the domain goes.  Xen takes them
 * from the domain's bounded paging pool and fails populate_physmap once it
 * is used up; without such a bound one domain could take all host memory.
 */
#define FAR_GFN    (1ull << 30)         /* 4 TiB */
#define MOVES      4096

static void p2m_tables(void)
{
    uint64_t home = SPARE_START / PAGE_SIZE + 200, list[1] = { home };
    domid_t self = DOMID_SELF;
    long before = memop(XENMEM_current_reservation, &self);
    unsigned int moves = 0;

    while (moves < MOVES) {
        if (reservation(XENMEM_decrease_reservation, (uintptr_t)list, 1, 0) != 1)
            break;
        list[0] = FAR_GFN + (uint64_t)moves * 512;
        if (reservation(XENMEM_populate_physmap, (uintptr_t)list, 1, 0) != 1)
            break;
        moves++;
    }
    printf("attack: a frame moved %u times 2 MiB apart before populate_physmap failed\n", moves);
    check(moves > 16 && moves < MOVES, "P2M tables a domain can make are bounded (%u moves of %u)",
          moves, MOVES);
    /* The frame comes home (if the last populate failed, it is out now). */
    if (memop(XENMEM_current_reservation, &self) == before)
        reservation(XENMEM_decrease_reservation, (uintptr_t)list, 1, 0);
    list[0] = home;
    check_ret(reservation(XENMEM_populate_physmap, (uintptr_t)list, 1, 0), 1,
              "the frame back at home");
    check_ret(memop(XENMEM_current_reservation, &self), before, "... as many pages as before");
}

/* ---- memory, vCPUs, params, MSRs ------------------------------------------------- */

static void memory_and_more(void)
{
    domid_t self = DOMID_SELF, other = peer, none = NO_DOMAIN;
    uint64_t list[1];
    uint64_t console = 0xfefff, shinfo = (env.ram_top - PAGE_SIZE) / PAGE_SIZE;

    /* Not RAM of ours: hypervisor pages, the hole, impossible frames. */
    static const struct {
        const char *what;
        uint64_t gfn;
    } not_ram[] = {
        { "the console ring", 0xfefff }, { "the hole past RAM", 0 },
        { "frame 2^36 (beyond 48 bits)", 1ull << 36 }, { "frame 2^64 - 1", ~0ull },
        { "grant frame 0", GT_GFN },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(not_ram); i++) {
        list[0] = not_ram[i].gfn ? not_ram[i].gfn : env.hole / PAGE_SIZE;
        check_ret(reservation(XENMEM_decrease_reservation, (uintptr_t)list, 1, 0), 0,
                  "decrease_reservation of %s", not_ram[i].what);
    }
    list[0] = console;
    check_ret(reservation(XENMEM_populate_physmap, (uintptr_t)list, 1, 0), 0,
              "populate_physmap over the console ring");
    list[0] = SPARE_START / PAGE_SIZE + 1024;
    check_ret(reservation(XENMEM_populate_physmap, (uintptr_t)list, 1, 10), 0,
              "populate_physmap, order 10 (a domU may have 9)");
    check_ret(reservation(XENMEM_increase_reservation, (uintptr_t)list, 1, 9), 0,
              "increase_reservation of 2 MiB at max_pages");
    struct xen_memory_reservation r = { .extent_start = (uintptr_t)list, .nr_extents = 1,
                                        .domid = peer };
    check_ret(memop(XENMEM_decrease_reservation, &r), 0, "decrease_reservation of d%u", peer);
    r.domid = NO_DOMAIN;
    check_ret(memop(XENMEM_populate_physmap, &r), 0, "populate_physmap of d%u", NO_DOMAIN);
    r = (struct xen_memory_reservation){ .extent_start = (uintptr_t)list, .nr_extents = 1,
                                         .mem_flags = 12, .domid = DOMID_SELF };
    check_ret(memop(XENMEM_populate_physmap, &r), 0, "populate_physmap, address_bits 12");
    check_ret(memop(XENMEM_current_reservation, &other), -XEN_EPERM, "current_reservation of d%u", peer);
    check_ret(memop(XENMEM_current_reservation, &none), -XEN_ESRCH, "current_reservation of d%u", NO_DOMAIN);
    check(memop(XENMEM_current_reservation, &self) <= memop(XENMEM_maximum_reservation, &self),
          "current_reservation <= maximum_reservation");

    struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
                                    .idx = 1, .gpfn = shinfo };
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_EINVAL, "add_to_physmap shared_info idx 1");
    x = (struct xen_add_to_physmap){ .domid = DOMID_SELF, .space = XENMAPSPACE_gmfn, .gpfn = shinfo };
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_ENOSYS, "add_to_physmap gmfn");
    x = (struct xen_add_to_physmap){ .domid = peer, .space = XENMAPSPACE_shared_info, .gpfn = shinfo };
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_EPERM, "add_to_physmap into d%u", peer);
    x.domid = NO_DOMAIN;
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_ESRCH, "add_to_physmap into d%u", NO_DOMAIN);
    x = (struct xen_add_to_physmap){ .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
                                     .gpfn = 1ull << 36 };
    check_ret(memop(XENMEM_add_to_physmap, &x), -XEN_EINVAL, "shared_info at frame 2^36");

    /* vCPUs that do not exist; vcpu_info where it may not go. */
    check_ret(vcpuop(VCPUOP_is_up, 1, NULL), -XEN_ENOENT, "vcpu_op on vCPU 1 (none)");
    check_ret(vcpuop(VCPUOP_is_up, 0xffffffff, NULL), -XEN_ENOENT, "vcpu_op on vCPU 2^32 - 1");
    struct vcpu_register_vcpu_info vi = { .mfn = env.hole / PAGE_SIZE };
    check_ret(vcpuop(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL, "vcpu_info past RAM");
    vi = (struct vcpu_register_vcpu_info){ .mfn = console };
    check_ret(vcpuop(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL, "vcpu_info on the console ring");
    vi = (struct vcpu_register_vcpu_info){ .mfn = gfn_of(scratch[0]), .offset = 4090 };
    check_ret(vcpuop(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL, "vcpu_info across a page end");
    vi.offset = 7;
    check_ret(vcpuop(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL, "vcpu_info unaligned");
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };
    check_ret(vcpuop(VCPUOP_set_singleshot_timer, 0, &t), -XEN_ETIME, "a timer in the past, future flag");
    check_ret(vcpuop(VCPUOP_initialise, 0, scratch[0]), -XEN_ENOSYS, "VCPUOP_initialise");

    /* HVM params: out of range, another domain's, the toolstack's, deprecated. */
    check_ret(hvm_param(HVMOP_get_param, DOMID_SELF, HVM_NR_PARAMS, 0), -XEN_EINVAL, "get_param 39");
    check_ret(hvm_param(HVMOP_get_param, DOMID_SELF, 0xffffffff, 0), -XEN_EINVAL, "get_param 2^32 - 1");
    check_ret(hvm_param(HVMOP_get_param, peer, HVM_PARAM_STORE_PFN, 0), -XEN_EPERM, "get_param of d%u", peer);
    check_ret(hvm_param(HVMOP_get_param, NO_DOMAIN, HVM_PARAM_STORE_PFN, 0), -XEN_ESRCH,
              "get_param of d%u", NO_DOMAIN);
    check_ret(hvm_param(HVMOP_set_param, peer, HVM_PARAM_CALLBACK_IRQ, 0xf3), -XEN_EPERM,
              "set_param of d%u's upcall", peer);
    check_ret(hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 1), -XEN_EPERM,
              "set_param CONSOLE_PFN (the toolstack's)");
    check_ret(hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_PAE_ENABLED, 1), -XEN_EINVAL,
              "set_param PAE_ENABLED (deprecated)");

    /* The hypercall page: only page 0, in our RAM. */
    uint32_t msr = cpuid(xen.base + 2).ebx;
    check(wrmsr_safe(msr, env.hole) == (0x100 | 13), "hypercall page past RAM: #GP");
    check(wrmsr_safe(msr, 0xfee00000) == (0x100 | 13), "hypercall page at 0xfee00000: #GP");
    check(wrmsr_safe(msr, 1ull << 52) == (0x100 | 13), "hypercall page at 2^52: #GP");
    check(wrmsr_safe(msr, (uintptr_t)scratch[0] | 1) == (0x100 | 13), "hypercall page 1: #GP");

    /* Every x2APIC register read: a value or #GP, never anything else. */
    unsigned int odd = 0;
    for (uint32_t m = 0x800; m <= 0x8ff; m++) {
        uint64_t v;
        int rc = rdmsr_safe(m, &v);
        odd += rc != 0 && rc != (0x100 | 13);
    }
    check_ret(odd, 0, "x2APIC register reads: a value or #GP");
}

void attack_targeted(void)
{
    if (!env.nr_peers)
        test_fail("attack: targeted needs peers= (another running domain)");
    peer = env.peers[0];
    if (pt_map_4k(EDGE_VA, (uintptr_t)edge_page, PTE_W) || pt_map_4k(EDGE_VA + PAGE_SIZE, 0, 0))
        test_fail("attack: cannot map the edge page");

    upper_halves();
    lengths();
    event_channels();
    grants();
    memory_and_more();
    p2m_tables();
}

#endif

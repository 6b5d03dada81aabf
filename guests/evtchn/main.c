/*
 * evtchn: two domains talk over interdomain event channels, 2-level ABI.
 * One binary, two roles (command line):
 *   role=server peer=C         C: the client's domain id
 *   role=client peer=S [port=1]   S: the server's domain id
 * Both map their shared_info (XENMEM_add_to_physmap) over their last RAM
 * page and wait by reading its evtchn_pending bits (SCHEDOP_yield between
 * reads, bounded by the TSC), so nothing depends on upcalls.
 *
 * Protocol (server ports 2 and 3 are unbound for the client; the client
 * binds them as its ports 2 and 3; port 1 is each domain's console):
 *   client: bind 1, bind 2 (retrying while the server has not allocated
 *           them), send 1                                   ("hello")
 *   server: sees 1 pending + selector + upcall; masks 1; send 2 ("go")
 *   client: sees 2; send 1 twice (masked at the server)
 *   server: sees 1 pending (it reads the bit even while masked), but no
 *           selector or upcall; unmask 1 raises them, once; send 2 ("bye")
 *   client: sees 2; TEST PASS, and its death turns the server's ports
 *           back to unbound.
 * The server then checks statuses and error returns on its own ports.
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/shared_info.h>


#define WAIT_MS     20000           /* per step: generous, TCG is slow */

static struct shared_info *shinfo;

/* Port 1 is the console's, allocated by Keel when it builds a domain (as
 * Xen's toolstack does); a guest's own ports start at 2. */
#define FIRST_FREE_PORT 2

/* ---- hypercalls ---------------------------------------------------------- */

static long evtchn_op(unsigned int cmd, void *arg)
{
    return hypercall(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long evtchn_op_compat(struct evtchn_op *op)
{
    return hypercall(__HYPERVISOR_event_channel_op_compat, (unsigned long)op, 0, 0, 0, 0);
}

static long evtchn_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    return evtchn_op(EVTCHNOP_send, &s);
}

static long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };
    return evtchn_op(EVTCHNOP_close, &c);
}

static long evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = { .port = port };
    return evtchn_op(EVTCHNOP_unmask, &u);
}

static long evtchn_status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return evtchn_op(EVTCHNOP_status, st);
}

/* ---- shared_info --------------------------------------------------------- */


/* The hypervisor changes these words under us: atomic accesses only. */
static bool word_bit(xen_ulong_t *words, unsigned int bit)
{
    return (__atomic_load_n(&words[bit / 64], __ATOMIC_SEQ_CST) >> (bit % 64)) & 1;
}

static void word_set(xen_ulong_t *words, unsigned int bit)
{
    __atomic_fetch_or(&words[bit / 64], 1ULL << (bit % 64), __ATOMIC_SEQ_CST);
}

static void word_clear(xen_ulong_t *words, unsigned int bit)
{
    __atomic_fetch_and(&words[bit / 64], ~(1ULL << (bit % 64)), __ATOMIC_SEQ_CST);
}

static bool pending(evtchn_port_t port)
{
    return word_bit(shinfo->evtchn_pending, port);
}

static bool selector(unsigned int word)
{
    return word_bit(&shinfo->vcpu_info[0].evtchn_pending_sel, word);
}

static bool upcall(void)
{
    return __atomic_load_n(&shinfo->vcpu_info[0].evtchn_upcall_pending, __ATOMIC_SEQ_CST) & 1;
}

/* What a guest's upcall handler does once it has seen everything. */
static void clear_upcall_state(void)
{
    __atomic_store_n(&shinfo->vcpu_info[0].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&shinfo->vcpu_info[0].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
}

/* Wait for port to become pending; TEST FAIL naming the step if it does not. */
static void wait_pending(evtchn_port_t port, const char *what)
{
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();

    while (!pending(port)) {
        if (rdtsc() > deadline)
            test_fail("timed out waiting for %s (port %u)", what, port);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* pvclock system time (ns), the clock SCHEDOP_poll's timeout is in. */
static uint64_t system_time_ns(void)
{
    struct vcpu_time_info *t = &shinfo->vcpu_info[0].time;
    uint32_t ver;
    uint64_t ns;

    do {
        ver = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
        uint64_t delta = rdtsc() - t->tsc_timestamp;
        if (t->tsc_shift < 0)
            delta >>= -t->tsc_shift;
        else
            delta <<= t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != __atomic_load_n(&t->version, __ATOMIC_ACQUIRE));
    return ns;
}

/* ---- client -------------------------------------------------------------- */

/* Bind to the server's port, retrying while it is not (yet) ours to bind. */
static evtchn_port_t bind_to_server(domid_t server, evtchn_port_t rport)
{
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();
    struct evtchn_bind_interdomain b;
    long rc;

    for (;;) {
        b = (struct evtchn_bind_interdomain){ .remote_dom = server, .remote_port = rport };
        rc = evtchn_op(EVTCHNOP_bind_interdomain, &b);
        if (rc != -XEN_EINVAL)
            break;
        if (rdtsc() > deadline)
            test_fail("bind_interdomain(d%u port %u) still -EINVAL: server never allocated it",
                      server, rport);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    if (rc)
        test_fail("bind_interdomain(d%u port %u) = %ld", server, rport, rc);
    printf("evtchn: bound d%u port %u as local port %u\n", server, rport, b.local_port);
    return b.local_port;
}

static void client(domid_t server, evtchn_port_t sport)
{
    struct evtchn_status st;

    check(sport == FIRST_FREE_PORT, "server's port is %u (lowest free), given %u",
          FIRST_FREE_PORT, sport);
    evtchn_port_t hello = bind_to_server(server, sport);
    evtchn_port_t ctl = bind_to_server(server, sport + 1);
    check(hello == FIRST_FREE_PORT && ctl == FIRST_FREE_PORT + 1,
          "local ports %u and %u (got %u and %u)", FIRST_FREE_PORT, FIRST_FREE_PORT + 1, hello, ctl);

    /* Xen marks a freshly bound port pending (sends to it were dropped). */
    check(pending(hello) && pending(ctl), "bind_interdomain left both new ports pending");
    check_ret(evtchn_status(hello, &st), 0, "status(%u)", hello);
    check(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == server &&
          st.u.interdomain.port == sport && st.vcpu == 0,
          "status(%u): interdomain to d%u port %u (got %u d%u port %u)", hello,
          server, sport, st.status, st.u.interdomain.dom, st.u.interdomain.port);
    /* Consume the bind events before the server can send. */
    word_clear(shinfo->evtchn_pending, hello);
    word_clear(shinfo->evtchn_pending, ctl);
    clear_upcall_state();

    check_ret(evtchn_send(hello), 0, "send(%u) hello", hello);
    wait_pending(ctl, "the server's go");
    word_clear(shinfo->evtchn_pending, ctl);
    clear_upcall_state();

    /* The server has masked its end: two sends, still one pending bit. */
    check_ret(evtchn_send(hello), 0, "send(%u) to the masked port", hello);
    check_ret(evtchn_send(hello), 0, "send(%u) to the masked port again", hello);
    wait_pending(ctl, "the server's bye");
    test_finish();
}

/* ---- server -------------------------------------------------------------- */

static void status_is(evtchn_port_t port, uint32_t want, const char *what)
{
    struct evtchn_status st;

    if (check_ret(evtchn_status(port, &st), 0, "status(%u)", port))
        check(st.status == want, "status(%u) is %s (%u, got %u)", port, what, want, st.status);
}

static void server(domid_t client_id)
{
    struct evtchn_status st;
    uint32_t me = xen_domid();

    status_is(FIRST_FREE_PORT, EVTCHNSTAT_closed, "closed");
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = client_id };
    check_ret(evtchn_op(EVTCHNOP_alloc_unbound, &a), 0, "alloc_unbound(for d%u)", client_id);
    evtchn_port_t hello = a.port;
    a = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = client_id };
    check_ret(evtchn_op(EVTCHNOP_alloc_unbound, &a), 0, "alloc_unbound(for d%u) again", client_id);
    evtchn_port_t ctl = a.port;
    printf("evtchn: server d%u port=%u ctl=%u for d%u\n", me, hello, ctl, client_id);
    if (hello != FIRST_FREE_PORT || ctl != FIRST_FREE_PORT + 1)
        test_fail("ports %u and %u, want %u and %u (lowest free first)", hello, ctl,
                  FIRST_FREE_PORT, FIRST_FREE_PORT + 1);
    /* The client may have bound it already: it runs on the other CPU. */
    if (check_ret(evtchn_status(hello, &st), 0, "status(%u)", hello))
        check((st.status == EVTCHNSTAT_unbound || st.status == EVTCHNSTAT_interdomain) &&
              st.u.unbound.dom == client_id,
              "status(%u): unbound for / bound to d%u (got %u d%u)", hello, client_id,
              st.status, st.u.unbound.dom);

    /* 1. Unmasked delivery: pending bit, selector bit of word 0, upcall. */
    wait_pending(hello, "the client's hello");
    check(selector(0), "hello raised selector bit 0");
    check(upcall(), "hello raised evtchn_upcall_pending");
    if (check_ret(evtchn_status(hello, &st), 0, "status(%u)", hello))
        check(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == client_id &&
              st.u.interdomain.port == FIRST_FREE_PORT,
              "status(%u): interdomain to d%u port 2 (got %u d%u port %u)", hello,
              client_id, st.status, st.u.interdomain.dom, st.u.interdomain.port);

    /* A port already pending ends SCHEDOP_poll at once, not at the timeout. */
    uint64_t deadline = system_time_ns() + 10000000000ull;
    evtchn_port_t polled[1] = { hello };
    struct sched_poll p = { .ports = (uint64_t)(uintptr_t)polled, .nr_ports = 1,
                            .timeout = deadline };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_poll, &p), 0, "poll(pending port %u)", hello);
    check(system_time_ns() < deadline, "poll(pending port) returned before its timeout");

    /*
     * 2. Masked delivery: the bit is set, nothing else until unmask.  The
     * client sends nothing else meanwhile, so any selector or upcall now
     * would have come from the masked port.
     */
    word_clear(shinfo->evtchn_pending, hello);
    clear_upcall_state();
    word_set(shinfo->evtchn_mask, hello);
    check_ret(evtchn_send(ctl), 0, "send(%u) go", ctl);
    wait_pending(hello, "the client's send to the masked port");
    check(!selector(0) && !upcall(), "masked port raised no selector/upcall");
    check_ret(evtchn_unmask(hello), 0, "unmask(%u)", hello);
    check(!word_bit(shinfo->evtchn_mask, hello), "unmask cleared the mask bit");
    check(pending(hello), "still pending after unmask");
    check(selector(0) && upcall(), "unmask raised selector bit 0 and the upcall");
    clear_upcall_state();
    check_ret(evtchn_unmask(hello), 0, "unmask(%u) again", hello);
    check(!selector(0) && !upcall(), "a second unmask delivers nothing twice");
    word_clear(shinfo->evtchn_pending, hello);
    /* While the client surely exists (it waits for our bye). */
    a = (struct evtchn_alloc_unbound){ .dom = (domid_t)client_id, .remote_dom = DOMID_SELF };
    check_ret(evtchn_op(EVTCHNOP_alloc_unbound, &a), -XEN_EPERM,
              "alloc_unbound(in the client's table, unprivileged)");
    check_ret(evtchn_send(ctl), 0, "send(%u) bye", ctl);

    /* The client's death closes its ends: ours wait for it again, as in Xen. */
    uint64_t tsc_deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();
    while (evtchn_status(hello, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
           rdtsc() < tsc_deadline)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == client_id,
          "after the client went: port %u unbound for d%u again (got %u d%u)", hello,
          client_id, st.status, st.u.unbound.dom);

    /* 3. Local ports: IPI, VIRQ, the legacy hypercall 16. */
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_ipi, &ipi), 0, "bind_ipi(vcpu 0)");
    status_is(ipi.port, EVTCHNSTAT_ipi, "ipi");
    check_ret(evtchn_send(ipi.port), 0, "send(ipi %u)", ipi.port);
    check(pending(ipi.port), "ipi %u pending after send", ipi.port);
    struct evtchn_bind_vcpu bv = { .port = ipi.port, .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL, "bind_vcpu(ipi)");
    bv = (struct evtchn_bind_vcpu){ .port = hello, .vcpu = 7 };
    check_ret(evtchn_op(EVTCHNOP_bind_vcpu, &bv), -XEN_ENOENT, "bind_vcpu(vcpu 7)");
    check_ret(evtchn_close(ipi.port), 0, "close(ipi %u)", ipi.port);
    check(!pending(ipi.port), "close cleared ipi %u's pending bit", ipi.port);

    struct evtchn_bind_virq bvirq = { .virq = VIRQ_TIMER, .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_virq, &bvirq), 0, "bind_virq(TIMER)");
    evtchn_port_t vport = bvirq.port;
    if (check_ret(evtchn_status(vport, &st), 0, "status(virq %u)", vport))
        check(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER,
              "status(%u): virq TIMER (got %u virq %u)", vport, st.status, st.u.virq);
    bvirq = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_virq, &bvirq), -XEN_EEXIST, "bind_virq(TIMER) twice");
    check_ret(evtchn_send(vport), -XEN_EINVAL, "send(virq port)");
    check_ret(evtchn_close(vport), 0, "close(virq %u)", vport);

    /* Hypercall 16 is for PV guests only (Xen 4.17's HVM hypercall table). */
    struct evtchn_op legacy = { .cmd = EVTCHNOP_status,
                                .u.status = { .dom = DOMID_SELF, .port = ctl } };
    check_ret(evtchn_op_compat(&legacy), -XEN_ENOSYS, "event_channel_op_compat(status %u)", ctl);

    /* 4. Bad arguments get Xen's errors. */
    check_ret(evtchn_send(0), -XEN_EINVAL, "send(port 0)");
    check_ret(evtchn_send(5000), -XEN_EINVAL, "send(port 5000)");
    check_ret(evtchn_status(5000, &st), -XEN_EINVAL, "status(port 5000)");
    check_ret(evtchn_unmask(5000), -XEN_EINVAL, "unmask(port 5000)");
    check_ret(evtchn_close(0), -XEN_EINVAL, "close(port 0)");
    bvirq = (struct evtchn_bind_virq){ .virq = 99, .vcpu = 0 };
    check_ret(evtchn_op(EVTCHNOP_bind_virq, &bvirq), -XEN_EINVAL, "bind_virq(virq 99)");
    struct evtchn_bind_interdomain bi = { .remote_dom = 0x7000, .remote_port = 1 };
    check_ret(evtchn_op(EVTCHNOP_bind_interdomain, &bi), -XEN_ESRCH,
              "bind_interdomain(no such domain)");
    bi = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = hello };
    check_ret(evtchn_op(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL,
              "bind_interdomain(own port not unbound for us)");
    struct evtchn_init_control ic = { 0 };
    check_ret(evtchn_op(EVTCHNOP_init_control, &ic), -XEN_ENOSYS, "init_control (FIFO)");
    check_ret(evtchn_op(99, &ic), -XEN_ENOSYS, "event_channel_op(99)");
    check_ret(evtchn_op(EVTCHNOP_status, (void *)1), -XEN_EFAULT, "status(bad pointer)");

    check_ret(evtchn_close(ctl), 0, "close(%u)", ctl);
    check_ret(evtchn_close(ctl), -XEN_EINVAL, "close(%u) twice", ctl);
    status_is(ctl, EVTCHNSTAT_closed, "closed");
    check_ret(evtchn_close(hello), 0, "close(%u)", hello);
    test_finish();
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    char role[16];

    if (!xen.present)
        test_fail("no hypervisor");
    if (!cmdline_get("role", role, sizeof(role)))
        test_fail("no role= on the command line");
    uint64_t peer = cmdline_u64("peer", 0);
    if (peer == 0 || peer >= DOMID_FIRST_RESERVED)
        test_fail("peer=DOMID missing or bad");
    printf("evtchn: %s d%u, peer d%lu\n", role, xen_domid(), (unsigned long)peer);
    shinfo = map_shared_info();
    printf("evtchn: shared_info at %#lx\n", (unsigned long)(uintptr_t)shinfo);

    if (!strcmp(role, "server"))
        server((domid_t)peer);
    else if (!strcmp(role, "client"))
        client((domid_t)peer, (evtchn_port_t)cmdline_u64("port", 1));
    test_fail("role=%s: want server or client", role);
}

/*
 * evbench: event channel round trip between two domains, for `make bench`.
 *
 *   role=server peer=C   allocates an unbound port for domain C (port 2,
 *                        the lowest free one) and answers every event on
 *                        it with one back, ROUNDS times, then passes;
 *   role=client peer=S   binds S's port 2 and times ping-pong: send, then
 *                        wait (halted) for the reply's upcall.  Prints
 *                        "evbench: event channel round trip median N
 *                        cycles (R round trips)", then passes.
 *
 * Both receive events the way Linux does: the callback vector
 * (HVM_PARAM_CALLBACK_IRQ), then selector and pending bits in shared_info.
 * A one-shot timer (VIRQ_TIMER), armed once, ends a run that waits too
 * long for an event: a lost event fails the test instead of hanging it.
 *
 * spin=N (test use, either role): before each wait, busy-loop a varying
 * 0..N-1 iterations, so that the peer's event lands at every point of the
 * waiter's path into `sti; hlt`, including the interrupt shadow between
 * the two (see complete_shadowed_hlt() in the hypervisor's svm/exit.c).
 */
#include "guest.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#define CALLBACK_VECTOR 0xf3
#define FIRST_FREE_PORT 2           /* port 1 is the console's */
#define BATCHES     51
#define PER_BATCH   20
#define ROUNDS      (BATCHES * PER_BATCH)
#define WAIT_MS     20000         /* the whole run, either role */

static struct shared_info *shinfo;
static volatile unsigned int events;    /* upcalls that found our port pending */
static evtchn_port_t our_port;
static evtchn_port_t timer_port;
static volatile bool timed_out;
static unsigned int spin_max;           /* spin=N; 0: no delay (benchmark) */

static void send(void)
{
    struct evtchn_send s = { .port = our_port };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
    if (rc)
        test_fail("send(%u) = %ld", our_port, rc);
}

static void count_port(unsigned int port)
{
    if (port == our_port)
        events++;
    else if (port == timer_port)
        timed_out = true;
}

/* The upcall, as Linux handles it: flag, selector, then the port bits. */
static void on_irq(uint64_t vector)
{
    if (vector == CALLBACK_VECTOR)
        evtchn_upcall_scan(shinfo, 0, count_port);
}

static void spin(unsigned int round)
{
    if (!spin_max)
        return;
    /* A stride coprime with most N walks through every delay. */
    for (volatile unsigned int i = (round * 7919u) % spin_max; i; i--)
        ;
}

/* Halt until the upcall count passes seen (sti;hlt: no wake-up is lost). */
static void wait_event(unsigned int seen)
{
    spin(seen);
    for (;;) {
        irq_off();
        if (events != seen) {
            irq_on();
            return;
        }
        if (timed_out)
            test_fail("no event on port %u within %u ms of the start (after %u)",
                      our_port, WAIT_MS, seen);
        asm volatile("sti; hlt" ::: "memory");
    }
}

/* VIRQ_TIMER at now + WAIT_MS: the deadline of the whole run.  Bound
 * after our_port, so that the peer's port number stays predictable. */
static void arm_deadline(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv);
    if (rc)
        test_fail("bind_virq(TIMER) = %ld", rc);
    timer_port = bv.port;
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = pvclock_now(&shinfo->vcpu_info[0].time) + WAIT_MS * 1000000ULL,
    };
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
    if (rc)
        test_fail("set_singleshot_timer = %ld", rc);
}

static void setup_upcalls(void)
{
    shinfo = map_shared_info();
    guest_irq_handler = on_irq;
    long rc = set_callback_vector(CALLBACK_VECTOR);
    if (rc)
        test_fail("set CALLBACK_IRQ = %ld", rc);
}

static void server(domid_t client)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = client };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    if (rc || a.port != FIRST_FREE_PORT)
        test_fail("alloc_unbound for d%u = %ld, port %u", client, rc, a.port);
    our_port = a.port;
    arm_deadline();
    irq_on();
    for (unsigned int i = 0; i < ROUNDS; i++) {
        wait_event(i);
        send();
    }
    printf("evbench: answered %u events\n", ROUNDS);
}

static void client(domid_t server_id)
{
    static uint64_t per_trip[BATCHES];
    uint64_t deadline = rdtsc() + WAIT_MS * tsc_khz_or_guess();
    struct evtchn_bind_interdomain b;
    long rc;

    /* The server may not have allocated its port yet: -EINVAL until then. */
    for (;;) {
        b = (struct evtchn_bind_interdomain){ .remote_dom = server_id,
                                              .remote_port = FIRST_FREE_PORT };
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
        if (rc != -XEN_EINVAL || rdtsc() > deadline)
            break;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    if (rc)
        test_fail("bind_interdomain(d%u port %u) = %ld", server_id, FIRST_FREE_PORT, rc);
    our_port = b.local_port;
    arm_deadline();
    /* A freshly bound port starts pending (Xen's rule): not a reply. */
    __atomic_fetch_and(&shinfo->evtchn_pending[our_port / 64], ~(1UL << (our_port % 64)),
                       __ATOMIC_SEQ_CST);
    irq_on();

    unsigned int seen = events;
    for (unsigned int bt = 0; bt < BATCHES; bt++) {
        uint64_t t0 = rdtsc();
        for (unsigned int i = 0; i < PER_BATCH; i++) {
            send();
            wait_event(seen++);
        }
        per_trip[bt] = (rdtsc() - t0) / PER_BATCH;
    }
    sort_u64(per_trip, BATCHES);
    printf("evbench: event channel round trip median %lu cycles (%u round trips)\n",
           (unsigned long)per_trip[BATCHES / 2], ROUNDS);
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    char role[16];

    if (!xen.present)
        test_fail("no hypervisor");
    if (!cmdline_get("role", role, sizeof(role)))
        test_fail("no role= on the command line");
    domid_t peer = (domid_t)cmdline_u64("peer", 0);
    spin_max = (unsigned int)cmdline_u64("spin", 0);
    if (!peer)
        test_fail("no peer= on the command line");
    setup_upcalls();
    if (!strcmp(role, "server"))
        server(peer);
    else if (!strcmp(role, "client"))
        client(peer);
    else
        test_fail("role=%s: server or client", role);
    test_pass();
}

/*
 * ctlvirq: the VIRQs a control domain (booted with `dom0`) relies on, as
 * Linux's dom0 uses them.  Run as the first domain, beside a long-lived
 * domain whose id is peer=N:
 *   - VIRQ_CONSOLE with CONSOLEIO_read: it prints "ctlvirq: ready", and
 *     reads what is typed (it has the console focus) up to a newline,
 *     printing "ctlvirq: read 'TEXT'";
 *   - VIRQ_DEBUG: once the test has pressed debug key 'q', "ctlvirq:
 *     VIRQ_DEBUG";
 *   - VIRQ_DOM_EXC: it shuts the peer down (SCHEDOP_remote_shutdown) and
 *     waits for the VIRQ that says a domain changed state;
 * and the error returns of binding global VIRQs and of CONSOLEIO_read.
 * A one-shot timer (VIRQ_TIMER) bounds the whole run.  TEST PASS/FAIL.
 */
#include "guest.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/sched.h>
#include <public/shared_info.h>
#include <public/vcpu.h>
#include <public/xen.h>

#define CALLBACK_VECTOR 0xf3
#define DEADLINE_S      60
#define NR_WATCHED      4

static struct shared_info *shinfo;
static const unsigned int watched[NR_WATCHED] = { VIRQ_TIMER, VIRQ_CONSOLE, VIRQ_DEBUG, VIRQ_DOM_EXC };
static evtchn_port_t port_of[NR_WATCHED];
static volatile unsigned int fired[NR_WATCHED];     /* upcalls that found the port pending */

static void count_port(unsigned int port)
{
    for (unsigned int i = 0; i < NR_WATCHED; i++)
        if (port == port_of[i])
            fired[i]++;
}

static void on_irq(uint64_t vector)
{
    if (vector == CALLBACK_VECTOR)
        evtchn_upcall_scan(shinfo, 0, count_port);
}

/* Halt until watched VIRQ i has fired more than `seen` times. */
static void wait_virq(unsigned int i, unsigned int seen, const char *what)
{
    for (;;) {
        irq_off();
        if (fired[i] != seen) {
            irq_on();
            return;
        }
        if (fired[0])
            test_fail("no %s within %u s", what, DEADLINE_S);
        asm volatile("sti; hlt" ::: "memory");
    }
}

static void bind_all(void)
{
    for (unsigned int i = 0; i < NR_WATCHED; i++) {
        struct evtchn_bind_virq bv = { .virq = watched[i], .vcpu = 0 };
        long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bv);
        if (rc)
            test_fail("bind_virq(%u) = %ld", watched[i], rc);
        port_of[i] = bv.port;
    }
    /* Global VIRQs live on vCPU 0 only; a bound one cannot be bound again. */
    struct evtchn_bind_virq on1 = { .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    check_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &on1), -XEN_EINVAL, "bind_virq(DOM_EXC) on vCPU1");
    struct evtchn_bind_virq again = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    check_ret(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &again), -XEN_EEXIST, "bind_virq(CONSOLE) twice");
}

static void arm_deadline(void)
{
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = pvclock_now(&shinfo->vcpu_info[0].time) + DEADLINE_S * 1000000000ULL,
    };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
    if (rc)
        test_fail("set_singleshot_timer = %ld", rc);
}

static long console_read(void *buf, unsigned long count)
{
    return hypercall(__HYPERVISOR_console_io, CONSOLEIO_read, count, (unsigned long)buf, 0, 0);
}

/* Read typed bytes (one VIRQ_CONSOLE each, at least) up to a newline. */
static void read_line(char *line, size_t size)
{
    size_t len = 0;

    for (;;) {
        unsigned int seen = fired[1];
        long n = console_read(line + len, size - 1 - len);
        if (n < 0)
            test_fail("CONSOLEIO_read = %ld", n);
        len += (size_t)n;
        line[len] = '\0';
        for (size_t i = 0; i < len; i++) {
            if (line[i] == '\n') {
                line[i] = '\0';
                return;
            }
        }
        if (len == size - 1)
            test_fail("no newline in %zu typed bytes", len);
        if (n == 0)
            wait_virq(1, seen, "VIRQ_CONSOLE");
    }
}

void guest_main(const struct hvm_start_info *si)
{
    domid_t peer = (domid_t)cmdline_u64("peer", 0);
    char line[64];

    if (!(si->flags & SIF_INITDOMAIN))
        test_fail("not started as the control domain (flags %#x)", si->flags);
    if (!peer)
        test_fail("no peer= on the command line");
    shinfo = map_shared_info();
    guest_irq_handler = on_irq;
    if (set_callback_vector(CALLBACK_VECTOR))
        test_fail("set CALLBACK_IRQ");
    bind_all();
    arm_deadline();

    /* CONSOLEIO_read's own errors, before anything is typed. */
    check_ret(console_read((void *)8, 16), 0, "CONSOLEIO_read with nothing typed");
    check_ret(console_read(line, 0x80000000UL), -XEN_E2BIG, "CONSOLEIO_read count > INT_MAX");
    irq_on();

    printf("ctlvirq: ready\n");
    read_line(line, sizeof(line));
    printf("ctlvirq: read '%s'\n", line);

    wait_virq(2, 0, "VIRQ_DEBUG (debug key 'q')");
    printf("ctlvirq: VIRQ_DEBUG\n");

    unsigned int exc = fired[3];
    struct sched_remote_shutdown rs = { .domain_id = peer, .reason = SHUTDOWN_poweroff };
    check_ret(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), 0, "remote_shutdown(d%u)", peer);
    wait_virq(3, exc, "VIRQ_DOM_EXC after the peer's shutdown");
    printf("ctlvirq: VIRQ_DOM_EXC\n");
    test_finish();
}

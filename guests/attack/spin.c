/*
 * Guests that never yield, and the control domain that ends them.
 *
 * mode=spin: a busy loop with interrupts on (nothing is ever delivered:
 * no upcall vector is set) for ms= milliseconds of TSC time, no exit of
 * its own; then it reports and powers off.  mode=cli: `cli; jmp .` for
 * good.  Only the physical timer interrupt (which always makes a VM exit)
 * lets the scheduler take the CPU back from either.
 *
 * mode=referee (a control domain): waits, without spinning, until every
 * domain in wait= is gone, then shuts down each one in kill= with
 * SCHEDOP_remote_shutdown and waits until they are gone too.  It runs
 * beside the spinners, so it is itself a check that they cannot starve
 * anyone.
 */
#include "attack.h"
#include <public/event_channel.h>
#include <public/sched.h>

#ifdef __x86_64__     /* the 32-bit build (attack32) has the random mode only */

#define REFEREE_LIMIT_S   150       /* give up (TEST FAIL) after this long */
#define REFEREE_STEP_NS   100000000ull

void attack_spin(bool irqs_on)
{
    if (!irqs_on) {
        printf("attack: cli; jmp . (until the control domain ends us)\n");
        asm volatile("cli; 1: jmp 1b" ::: "memory");
    }
    uint64_t ms = cmdline_u64("ms", 20000);
    uint64_t end = rdtsc() + ms * tsc_khz_or_guess();
    uint64_t loops = 0;

    printf("attack: spinning with interrupts on for %llu ms\n", (unsigned long long)ms);
    asm volatile("sti" ::: "memory");
    while (rdtsc() < end)
        loops++;
    asm volatile("cli" ::: "memory");
    printf("attack: spun %llu loops\n", (unsigned long long)loops);
}

/* Is domain dom still there?  Its port 1 (console) answers as long as it is. */
static bool domain_exists(domid_t dom)
{
    struct evtchn_status st = { .dom = dom, .port = 1 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);

    if (rc != 0 && rc != -XEN_ESRCH)
        test_fail("referee: EVTCHNOP_status(d%u) = %ld", dom, rc);
    return rc == 0;
}

/* Sleep about 100 ms (a poll on no port: only the timeout ends it). */
static void nap(void)
{
    struct sched_poll p = { .ports = 0, .nr_ports = 0,
                            .timeout = attack_now() + REFEREE_STEP_NS };
    long rc = HYPERVISOR_sched_op(SCHEDOP_poll, &p);

    if (rc != 0)
        test_fail("referee: SCHEDOP_poll for 100 ms = %ld", rc);
}

static void wait_gone(const uint16_t *ids, unsigned int n, uint64_t limit)
{
    for (unsigned int i = 0; i < n; i++) {
        while (domain_exists(ids[i])) {
            if (attack_now() > limit)
                test_fail("referee: d%u still there after %u s", ids[i], REFEREE_LIMIT_S);
            nap();
        }
        printf("referee: d%u is gone\n", ids[i]);
    }
}

void attack_referee(void)
{
    uint16_t wait[8], kill[8];
    unsigned int nwait = cmdline_list("wait", wait, ARRAY_SIZE(wait));
    unsigned int nkill = cmdline_list("kill", kill, ARRAY_SIZE(kill));
    uint64_t limit = attack_now() + REFEREE_LIMIT_S * 1000000000ull;

    printf("referee: waiting for %u domain(s), then ending %u\n", nwait, nkill);
    wait_gone(wait, nwait, limit);
    for (unsigned int i = 0; i < nkill; i++) {
        struct sched_remote_shutdown r = { .domain_id = kill[i], .reason = 0 /* poweroff */ };
        check_ret(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &r), 0,
                  "referee: remote_shutdown(d%u, poweroff)", kill[i]);
    }
    wait_gone(kill, nkill, limit);
    for (unsigned int i = 0; i < nkill; i++) {
        struct sched_remote_shutdown r = { .domain_id = kill[i], .reason = 0 };
        check_ret(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &r), -XEN_ESRCH,
                  "referee: remote_shutdown(d%u) once it is gone", kill[i]);
    }
}

#endif

/*
 * What the handlers ask of the scheduler, time and the domain lifecycle:
 * the real schedule.c and credit scheduler on a CPU where nothing runs,
 * time a counter the input advances, domain_shutdown() doing what
 * domain.c does to the domain's state, vCPUs and timers, and a console
 * whose lines must come out sanitised.
 */
#include <stdlib.h>

#include <keel/console.h>
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/schedule.h>
#include <keel/timer.h>
#include "fuzz.h"

s_time_t fz_now = 1000000000;
unsigned int fz_notifications;

s_time_t NOW(void)
{
    return fz_now;
}

void arch_timer_program(s_time_t deadline)
{
    (void)deadline;
}

void arch_send_event_check(unsigned int cpu)
{
    (void)cpu;
}

/*
 * The arch side of the real schedule.c and sched_credit.c: one CPU, on
 * which nothing ever runs (no schedule() pass is made), so a vCPU's
 * blocked/runnable state and the policy's queues change exactly as the
 * hypercalls make them.
 */
struct vcpu *arch_cpu_current(unsigned int cpu)
{
    (void)cpu;
    return NULL;
}

void arch_set_current(struct vcpu *v)
{
    (void)v;
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    (void)prev, (void)next;
}

void arch_vcpu_run(struct vcpu *v)
{
    fz_fail("d%u vCPU %u entered: nothing runs here", v->domain->domain_id, v->vcpu_id);
}

bool cpu_online(unsigned int cpu)
{
    return cpu == 0;
}

/* As the arch does (hvm.c): wake the vCPU, make it see the upcall. */
void evtchn_notify_vcpu(struct vcpu *v)
{
    if (v->domain->state == DOMAIN_DYING)
        fz_fail("d%u: a vCPU of a dying domain notified", v->domain->domain_id);
    fz_notifications++;
    vcpu_unblock(v);
}

/* A deterministic pvclock: NOW() with an odd version while it changes. */
void arch_vcpu_time_update(struct vcpu *v, struct vcpu_time_info *t)
{
    (void)v;
    t->version = (t->version | 1) + 1;
    t->system_time = (uint64_t)fz_now;
    t->tsc_timestamp = (uint64_t)fz_now;
    t->tsc_to_system_mul = 1u << 31;
    t->tsc_shift = 1;
}

void domain_shutdown(struct domain *d, enum shutdown_reason reason)
{
    if (d->state != DOMAIN_RUNNING)
        return;
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    console_ring_drain(d);
    domain_console_flush(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        vcpu_update_runnable(d->vcpu[i]);
        stop_timer(&d->vcpu[i]->poll_timer);
        stop_timer(&d->vcpu[i]->singleshot_timer);
    }
}

void console_input_poll(void)
{
}

/* The hypervisor console: what guests print must come out tame. */
void console_write_lines(const char *prefix, const char *text, size_t len)
{
    (void)prefix;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
            fz_fail("console: byte %#x of a guest's line reached the console", c);
    }
}

/* asm/system.h's cpu_relax(): one thread never waits for another. */
void host_deadlock(void)
{
    fz_fail("deadlock: waiting for a lock or another CPU on the only thread");
}

/*
 * What the handlers ask of the scheduler, time and the domain lifecycle,
 * kept as small as the handlers need: blocking and waking set the vCPU's
 * flags (nothing actually runs), time is a counter the input advances,
 * domain_shutdown() does what domain.c does to the domain's state and
 * timers, and the console receives lines that must be sanitised.
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

void vcpu_block(struct vcpu *v)
{
    v->blocked = true;
}

void vcpu_unblock(struct vcpu *v)
{
    v->blocked = false;
}

void vcpu_yield(struct vcpu *v)
{
    (void)v;
}

void vcpu_kick(struct vcpu *v)
{
    (void)v;
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

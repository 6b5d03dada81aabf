/*
 * Per-CPU timers: a timer belongs to one CPU, and its callback runs there
 * from TIMER_SOFTIRQ (interrupts on, not in interrupt context) once NOW()
 * has reached its expiry.  Each CPU's queue is kept sorted; the CPU's
 * one-shot hardware timer is armed for the earliest one.
 */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/list.h>
#include <keel/time.h>

struct timer {
    s_time_t expires;
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;
    bool active;                /* queued */
    struct list_head entry;
};

void timer_subsystem_init(void);        /* once, before any timer is used */
void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu);
/* (Re)arm t for expires (absolute, ns since boot); a past time fires at once. */
void set_timer(struct timer *t, s_time_t expires);
void stop_timer(struct timer *t);
/* stop_timer, and wait until its callback is not running (before freeing t). */
void kill_timer(struct timer *t);
/* Run expired timers of this CPU and re-arm its hardware timer (softirq). */
void timer_softirq_action(void);
/* Earliest expiry queued on cpu, or 0 if none (for debug output and tests). */
s_time_t timer_next_expiry(unsigned int cpu);
/* fn(t, arg) for each timer queued on cpu, earliest first, under the
 * queue's lock (debug key 't': fn must not touch timers). */
void timer_for_each(unsigned int cpu, void (*fn)(const struct timer *t, void *arg), void *arg);

#endif

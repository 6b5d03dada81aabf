/*
 * Softirqs: work that interrupt handlers defer to a safe point (the idle
 * loop, and later the path back into a guest).  Each CPU has its own
 * pending mask; raising one on another CPU sends that CPU an event IPI.
 */
#ifndef KEEL_SOFTIRQ_H
#define KEEL_SOFTIRQ_H

#include <keel/types.h>

enum softirq_nr {
    TIMER_SOFTIRQ,
    SCHEDULE_SOFTIRQ,
    NR_SOFTIRQS
};

void open_softirq(enum softirq_nr nr, void (*handler)(void));
void raise_softirq(enum softirq_nr nr);
void cpu_raise_softirq(unsigned int cpu, enum softirq_nr nr);
bool softirq_pending(unsigned int cpu);
void do_softirq(void);          /* run this CPU's pending handlers */

/* Arch: make cpu notice its pending softirqs (an IPI). */
void arch_send_event_check(unsigned int cpu);

#endif

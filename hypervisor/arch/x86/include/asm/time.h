#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <keel/time.h>

extern uint64_t tsc_hz;         /* TSC ticks per second */
extern uint64_t apic_timer_hz;  /* APIC timer ticks per second (after divide) */

void time_init(void);           /* boot CPU: find the TSC and APIC timer rates */
void time_init_cpu(void);       /* every CPU: timer interrupt handler */
void udelay(unsigned long us);
void mdelay(unsigned long ms);

#endif

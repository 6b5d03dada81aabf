/* System time: nanoseconds since boot. */
#ifndef KEEL_TIME_H
#define KEEL_TIME_H

#include <keel/types.h>

typedef int64_t s_time_t;

#define MILLISECS(ms) ((s_time_t)(ms) * 1000000)
#define MICROSECS(us) ((s_time_t)(us) * 1000)
#define SECONDS(s)    ((s_time_t)(s) * 1000000000)

/* Provided by the arch (asm/time.h or the host test stubs). */
s_time_t NOW(void);
/* Program this CPU's one-shot timer interrupt for deadline (0: disarm). */
void arch_timer_program(s_time_t deadline);

#endif

/* Host stand-in: unit tests run as CPU 0 unless a test sets host_cpu_id. */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

extern unsigned int host_cpu_id;
static inline unsigned int smp_processor_id(void) { return host_cpu_id; }

#endif

/* CPUs: identity of the running CPU, the online set, cross-CPU calls. */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <keel/types.h>

#define NR_CPUS 64

#include <asm/percpu.h>     /* smp_processor_id() */

extern unsigned int nr_cpus_online;
bool cpu_online(unsigned int cpu);

/*
 * Run fn(data) on another CPU (from its interrupt handler, interrupts off).
 * With wait, return only after fn has finished there.  Returns -EINVAL for
 * an offline CPU.  Must not be called with interrupts off while another CPU
 * may be calling us (would deadlock); the caller may be any online CPU.
 */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *data,
                             bool wait);

#endif

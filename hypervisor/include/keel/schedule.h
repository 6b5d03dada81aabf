/*
 * Running vCPUs on physical CPUs: the per-CPU run loop, the schedule
 * softirq, and the vCPU state changes that make a vCPU runnable or not.
 * The policy (who runs next) is the credit scheduler of keel/sched.h.
 */
#ifndef KEEL_SCHEDULE_H
#define KEEL_SCHEDULE_H

#include <keel/compiler.h>
#include <keel/time.h>

struct vcpu;

void scheduler_init(unsigned int nr_cpus);
void __noreturn cpu_run_loop(void);      /* every CPU ends here */

/* Re-evaluate whether v may run (after online/blocked/pause changes). */
void vcpu_update_runnable(struct vcpu *v);
void vcpu_block(struct vcpu *v);         /* until vcpu_unblock() */
void vcpu_unblock(struct vcpu *v);
void vcpu_yield(struct vcpu *v);
/* If v is in guest mode on another CPU, make it exit (to see new events). */
void vcpu_kick(struct vcpu *v);
/* Whether v is the current vCPU of some physical CPU. */
bool vcpu_is_current_anywhere(struct vcpu *v);

/* Debug key 'r': the run queues, vCPUs named dNvM. */
void schedule_dump(void);

/* Arch hooks. */
struct vcpu *arch_cpu_current(unsigned int cpu);
void arch_set_current(struct vcpu *v);
void arch_vcpu_run(struct vcpu *v);          /* interrupts off in, on out */
void arch_context_switch(struct vcpu *prev, struct vcpu *next);
/* Debug key '0': every CPU prints what it runs and its registers. */
void arch_dump_cpus(void);

#endif

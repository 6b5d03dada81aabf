/*
 * The run loop and the glue between vCPU state and the credit scheduler.
 *
 * Each physical CPU loops: run pending softirqs, else enter its current
 * vCPU once (one guest entry and exit), else halt.  Exits are handled to
 * completion on the hypervisor stack; nothing blocks there.  A vCPU that
 * blocks, yields, is paused or whose slice ended raises SCHEDULE_SOFTIRQ,
 * and schedule() asks the policy for the next vCPU and switches to it.
 */
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/schedule.h>
#include <keel/smp.h>
#include <keel/softirq.h>
#include <keel/timer.h>
#include <asm/system.h>

static unsigned int opt_slice_ms = 10;
integer_param(sched_slice_ms, opt_slice_ms, 1, 1000);

static struct timer slice_timer[NR_CPUS];
static s_time_t run_start[NR_CPUS];
/* Serialises runnable-state transitions with the scheduler calls they make. */
static DEFINE_SPINLOCK(vcpu_state_lock);

static bool vcpu_should_run(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return v->online && !v->blocked && !v->pause_count && !d->pause_count &&
           d->state == DOMAIN_RUNNING;
}

void vcpu_update_runnable(struct vcpu *v)
{
    unsigned long flags;
    int kick = -1;

    spin_lock_irqsave(&vcpu_state_lock, flags);
    bool runnable = vcpu_should_run(v);
    if (runnable != v->runnable) {
        v->runnable = runnable;
        if (runnable) {
            kick = sched_wake(&v->sched, NOW());
        } else {
            sched_sleep(&v->sched);
            if (sched_entity_running(&v->sched))
                kick = sched_entity_cpu(&v->sched);
        }
    }
    spin_unlock_irqrestore(&vcpu_state_lock, flags);
    if (kick >= 0)
        cpu_raise_softirq(kick, SCHEDULE_SOFTIRQ);
}

void vcpu_block(struct vcpu *v)
{
    v->blocked = true;
    vcpu_update_runnable(v);
}

void vcpu_unblock(struct vcpu *v)
{
    if (!v->blocked)
        return;
    /*
     * Whatever wakes a vCPU ends its SCHEDOP_poll, as Xen's vcpu_unblock
     * ends the polling period: a poll woken by something else (an upcall
     * for another port) must not be woken again later by its timer or
     * its port, when the vCPU may be blocked for another reason.
     */
    __atomic_store_n(&v->poll_port, POLL_NONE, __ATOMIC_SEQ_CST);
    v->blocked = false;
    vcpu_update_runnable(v);
}

void vcpu_yield(struct vcpu *v)
{
    raise_softirq(SCHEDULE_SOFTIRQ);
}

void vcpu_kick(struct vcpu *v)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online(cpu) && arch_cpu_current(cpu) == v && cpu != smp_processor_id())
            arch_send_event_check(cpu);
}

bool vcpu_is_current_anywhere(struct vcpu *v)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online(cpu) && arch_cpu_current(cpu) == v)
            return true;
    return false;
}

static void slice_expired(void *data)
{
    raise_softirq(SCHEDULE_SOFTIRQ);
}

static void schedule(void)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *prev = arch_cpu_current(cpu), *next;
    s_time_t now = NOW(), resched_at = 0;
    unsigned long flags;

    spin_lock_irqsave(&vcpu_state_lock, flags);
    struct sched_entity *se = sched_pick(cpu, prev ? &prev->sched : NULL, now, &resched_at);
    spin_unlock_irqrestore(&vcpu_state_lock, flags);
    next = se ? se->owner : NULL;

    if (prev)
        prev->run_time += now - run_start[cpu];
    if (prev && prev != next)
        vcpu_runstate_change(prev, prev->blocked ? RUNSTATE_blocked :
                             prev->online ? RUNSTATE_runnable : RUNSTATE_offline, now);
    if (next)
        vcpu_runstate_change(next, RUNSTATE_running, now);
    run_start[cpu] = now;
    if (next != prev) {
        arch_context_switch(prev, next);
        arch_set_current(next);
    }
    if (resched_at)
        set_timer(&slice_timer[cpu], resched_at);
    else
        stop_timer(&slice_timer[cpu]);
}

static void name_vcpu(const struct sched_entity *se, char *buf, size_t len)
{
    const struct vcpu *v = se->owner;
    snprintf(buf, len, "d%uv%u", v->domain->domain_id, v->vcpu_id);
}

void schedule_dump(void)
{
    sched_dump(NOW(), name_vcpu);
}

void scheduler_init(unsigned int nr_cpus)
{
    sched_init(nr_cpus, MILLISECS(opt_slice_ms));
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        init_timer(&slice_timer[cpu], slice_expired, NULL, cpu);
    open_softirq(SCHEDULE_SOFTIRQ, schedule);
}

void cpu_run_loop(void)
{
    unsigned int cpu = smp_processor_id();

    for (;;) {
        local_irq_disable();
        if (softirq_pending(cpu)) {
            local_irq_enable();
            do_softirq();
            continue;
        }
        struct vcpu *v = arch_cpu_current(cpu);
        if (!v) {
            safe_halt();            /* sti;hlt: no wake-up is lost */
            continue;
        }
        if (!v->runnable) {
            /* Blocked or paused meanwhile: let schedule() switch away. */
            local_irq_enable();
            raise_softirq(SCHEDULE_SOFTIRQ);
            continue;
        }
        arch_vcpu_run(v);
    }
}

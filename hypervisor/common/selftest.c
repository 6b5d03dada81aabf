/*
 * Boot-time self-checks of machinery that nothing else exercises yet:
 * every CPU must answer a cross-CPU call and take a one-shot timer
 * interrupt.  A CPU that does not is reported, not fatal.
 */
#include <keel/printk.h>
#include <keel/selftest.h>
#include <keel/smp.h>
#include <keel/softirq.h>
#include <keel/timer.h>
#include <asm/system.h>

static struct timer check_timers[NR_CPUS];
static unsigned int timers_fired;

static void timer_fired(void *data)
{
    __atomic_fetch_add(&timers_fired, 1, __ATOMIC_SEQ_CST);
}

/* Runs on the target CPU (cross-CPU call): arm its timer 1 ms ahead. */
static void arm_local_timer(void *data)
{
    set_timer(data, NOW() + MILLISECS(1));
}

void selftest_timers_all_cpus(void)
{
    unsigned int armed = 0;
    s_time_t start = NOW();

    timers_fired = 0;
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        if (!cpu_online(cpu))
            continue;
        init_timer(&check_timers[cpu], timer_fired, NULL, cpu);
        if (smp_call_function_single(cpu, arm_local_timer, &check_timers[cpu], true) == 0)
            armed++;
    }
    /* This CPU's own timer runs from softirq: run them while waiting. */
    while (__atomic_load_n(&timers_fired, __ATOMIC_SEQ_CST) < armed &&
           NOW() - start < MILLISECS(500)) {
        do_softirq();
        cpu_relax();
    }
    unsigned int fired = __atomic_load_n(&timers_fired, __ATOMIC_SEQ_CST);
    if (fired < armed) {
        pr_err("timer check: only %u of %u CPUs took their timer interrupt\n", fired, armed);
        for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
            stop_timer(&check_timers[cpu]);
        return;
    }
    pr_info("timer check: cross-CPU calls and one-shot timers work on %u CPUs (%lu us)\n",
            armed, (unsigned long)((NOW() - start) / 1000));
}

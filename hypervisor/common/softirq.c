/* Softirqs (see keel/softirq.h). */
#include <keel/smp.h>
#include <keel/softirq.h>

static void (*handlers[NR_SOFTIRQS])(void);
static unsigned long pending[NR_CPUS];

void open_softirq(enum softirq_nr nr, void (*handler)(void))
{
    handlers[nr] = handler;
}

void raise_softirq(enum softirq_nr nr)
{
    __atomic_fetch_or(&pending[smp_processor_id()], 1UL << nr, __ATOMIC_SEQ_CST);
}

void cpu_raise_softirq(unsigned int cpu, enum softirq_nr nr)
{
    unsigned long old = __atomic_fetch_or(&pending[cpu], 1UL << nr, __ATOMIC_SEQ_CST);
    if (cpu != smp_processor_id() && !(old & (1UL << nr)))
        arch_send_event_check(cpu);
}

bool softirq_pending(unsigned int cpu)
{
    return __atomic_load_n(&pending[cpu], __ATOMIC_RELAXED) != 0;
}

void do_softirq(void)
{
    unsigned int cpu = smp_processor_id();
    unsigned long mask;

    while ((mask = __atomic_exchange_n(&pending[cpu], 0, __ATOMIC_SEQ_CST))) {
        for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++)
            if ((mask & (1UL << nr)) && handlers[nr])
                handlers[nr]();
    }
}

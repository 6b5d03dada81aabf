/* The idle loop. */
#include <keel/idle.h>
#include <keel/smp.h>
#include <keel/softirq.h>
#include <asm/system.h>

void idle_loop(void)
{
    unsigned int cpu = smp_processor_id();

    for (;;) {
        local_irq_disable();
        if (softirq_pending(cpu)) {
            local_irq_enable();
            do_softirq();
            continue;
        }
        /* sti;hlt: an interrupt between the check and the halt still wakes us. */
        safe_halt();
    }
}

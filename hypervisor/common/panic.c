/*
 * panic(): the hypervisor cannot go on.  Print why, stop every other CPU
 * (so that nothing keeps running on broken state), and halt this one.  A
 * second CPU that panics meanwhile just stops.
 */
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/smp.h>
#include <asm/system.h>

volatile bool panic_in_progress;

void panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    local_irq_disable();
    if (__atomic_exchange_n(&panic_in_progress, true, __ATOMIC_SEQ_CST))
        arch_halt_forever();
    console_enter_panic_mode();

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    pr_err("****************************************\n");
    pr_err("Panic on CPU%u:\n", smp_processor_id());
    pr_err("%s\n", msg);
    pr_err("****************************************\n");
    arch_print_stack_trace((uintptr_t)__builtin_frame_address(0));
    unsigned int stopped = arch_stop_other_cpus();
    pr_err("Stopped %u other CPU%s. System halted.\n", stopped, stopped == 1 ? "" : "s");
    arch_halt_forever();
}

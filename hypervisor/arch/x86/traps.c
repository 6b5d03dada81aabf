/*
 * Exceptions and interrupt dispatch.  An exception in the hypervisor is
 * fatal: dump vector, error code, registers, control registers and a
 * stack trace, then panic (which stops every CPU).  An NMI sent by the
 * panic path stops the CPU that receives it.
 */
#include <keel/lib.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/smp.h>
#include <keel/symbols.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/percpu.h>
#include <asm/processor.h>

static irq_handler_t irq_handlers[256];

static const char *const exception_names[32] = {
    [0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI",
    [3] = "#BP breakpoint", [4] = "#OF overflow", [5] = "#BR bound range",
    [6] = "#UD invalid opcode", [7] = "#NM device not available",
    [8] = "#DF double fault", [9] = "coprocessor segment overrun",
    [10] = "#TS invalid TSS", [11] = "#NP segment not present",
    [12] = "#SS stack fault", [13] = "#GP general protection",
    [14] = "#PF page fault", [16] = "#MF x87 error", [17] = "#AC alignment check",
    [18] = "#MC machine check", [19] = "#XM SIMD error", [20] = "#VE virtualization",
    [21] = "#CP control protection", [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication", [30] = "#SX security",
};

void set_irq_handler(unsigned int vector, irq_handler_t fn)
{
    irq_handlers[vector] = fn;
}

static void print_symbol_line(const char *prefix, uintptr_t addr)
{
    uintptr_t off, size;
    const char *name = symbol_lookup(addr, &off, &size);

    if (name)
        pr_err("%s[<%016lx>] %s+0x%lx/0x%lx\n", prefix, addr, name, off, size);
    else
        pr_err("%s[<%016lx>] ?\n", prefix, addr);
}

/* Is [p, p+16) inside this CPU's normal stack? */
static bool frame_on_stack(uintptr_t p)
{
    struct cpu_info *c = this_cpu();
    if (!c || (p & 7))
        return false;
    return p >= c->stack_base && p + 16 <= c->stack_top;
}

void arch_print_stack_trace(uintptr_t rbp)
{
    pr_err("Stack trace:\n");
    for (int depth = 0; depth < 32 && frame_on_stack(rbp); depth++) {
        const uintptr_t *frame = (const uintptr_t *)rbp;
        if (!frame[1])
            break;
        print_symbol_line("  ", frame[1]);
        if (frame[0] <= rbp)        /* frames grow upwards; stop on a loop */
            break;
        rbp = frame[0];
    }
}

static void dump_exception(const struct cpu_regs *r)
{
    const char *name = r->vector < 32 ? exception_names[r->vector] : NULL;

    pr_err("*** EXCEPTION %s (vector %lu) on CPU%u, error code 0x%lx ***\n",
           name ? name : "reserved", r->vector, smp_processor_id(), r->error_code);
    print_symbol_line("RIP: ", r->rip);
    pr_err("CS: %04lx RFLAGS: %016lx SS: %04lx RSP: %016lx\n",
           r->cs, r->rflags, r->ss, r->rsp);
    pr_err("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    pr_err("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    pr_err("RBP: %016lx R8:  %016lx R9:  %016lx\n", r->rbp, r->r8, r->r9);
    pr_err("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
    pr_err("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
    pr_err("CR0: %016lx CR2: %016lx CR3: %016lx CR4: %016lx\n",
           read_cr0(), read_cr2(), read_cr3(), read_cr4());
    print_symbol_line("Fault in: ", r->rip);
    arch_print_stack_trace(r->rbp);
}

static void do_nmi(struct cpu_regs *r)
{
    if (panic_in_progress) {
        /* Another CPU panicked and is stopping us. */
        __atomic_store_n(&this_cpu()->online, false, __ATOMIC_RELEASE);
        arch_halt_forever();
    }
    pr_warn("NMI on CPU%u at %lx (unexpected; ignored)\n", smp_processor_id(), r->rip);
}

static void do_exception(struct cpu_regs *r)
{
    if (r->vector == 2) {
        do_nmi(r);
        return;
    }
    if (panic_in_progress)      /* faulting while dumping: don't recurse */
        arch_halt_forever();
    dump_exception(r);
    panic("fatal exception %s in the hypervisor",
          exception_names[r->vector] ? exception_names[r->vector] : "(reserved)");
}

void do_interrupt(struct cpu_regs *r)
{
    if (r->vector < 32) {
        do_exception(r);
        return;
    }
    if (r->vector == APIC_SPURIOUS_VECTOR)
        return;                 /* spurious: no EOI */
    if (irq_handlers[r->vector])
        irq_handlers[r->vector](r);
    else
        pr_warn("unexpected interrupt vector %lu on CPU%u\n", r->vector, smp_processor_id());
    apic_eoi();
}

void arch_halt_forever(void)
{
    for (;;) {
        local_irq_disable();
        halt();
    }
}

unsigned int arch_stop_other_cpus(void)
{
    unsigned int me = smp_processor_id(), n = 0;

    if (!apic_ready())
        return 0;
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        if (cpu != me && cpu_online(cpu)) {
            apic_send_nmi(cpu_info[cpu]->apic_id);
            n++;
        }
    }
    /* Wait (bounded) until each has stopped. */
    for (unsigned long spins = 0; spins < 50000000UL; spins++) {
        bool all = true;
        for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
            if (cpu != me && cpu_online(cpu))
                all = false;
        if (all)
            break;
        cpu_relax();
    }
    return n;
}

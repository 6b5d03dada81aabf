/*
 * Debug key '0': each physical CPU, in turn, prints what it runs and the
 * registers, from its own context (a cross-CPU call: a CPU in guest mode
 * takes the call's interrupt as a VM exit first, so the vCPU's registers
 * it prints are the ones the guest had a moment ago).
 */
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/smp.h>
#include <asm/hvm.h>
#include <asm/processor.h>
#include <asm/system.h>

static void dump_this_cpu(void *unused)
{
    unsigned int cpu = smp_processor_id();
    struct vcpu *v = arch_cpu_current(cpu);
    uintptr_t rsp;

    (void)unused;
    __asm__ __volatile__("mov %%rsp, %0" : "=r"(rsp));
    printk("CPU%u: %s, host rsp %lx cr3 %lx cr4 %lx\n", cpu, v ? "guest vCPU" : "idle",
           (unsigned long)rsp, (unsigned long)read_cr3(), (unsigned long)read_cr4());
    if (!v)
        return;
    const struct guest_regs *r = &v->arch.regs;
    printk("  d%u %s vCPU%u\n", v->domain->domain_id, v->domain->name, v->vcpu_id);
    printk("    rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", (unsigned long)r->rax,
           (unsigned long)r->rbx, (unsigned long)r->rcx, (unsigned long)r->rdx);
    printk("    rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", (unsigned long)r->rsi,
           (unsigned long)r->rdi, (unsigned long)r->rbp, (unsigned long)r->r8);
    printk("    r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", (unsigned long)r->r9,
           (unsigned long)r->r10, (unsigned long)r->r11, (unsigned long)r->r12);
    printk("    r13 %016lx r14 %016lx r15 %016lx\n", (unsigned long)r->r13,
           (unsigned long)r->r14, (unsigned long)r->r15);
    hvm->dump_vcpu(v);
}

void arch_dump_cpus(void)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu_online(cpu))
            smp_call_function_single(cpu, dump_this_cpu, NULL, true);
}

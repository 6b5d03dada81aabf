/*
 * The x86 side of domains and scheduling: vCPU creation through the HVM
 * backend, which vCPU each pCPU runs, and the switch between them.
 */
#include <keel/domain.h>
#include <keel/p2m.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/schedule.h>
#include <keel/smp.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/system.h>

bool arch_virt_enabled(void)
{
    return hvm_enabled();
}

int arch_domain_init(struct domain *d)
{
    pit_init(&d->arch.pit);
    return 0;
}

int arch_vcpu_create(struct vcpu *v)
{
    int rc = hvm->vcpu_create(v);
    if (rc == 0) {
        hvm_fpu_init(v);
        vlapic_init(v);
        /* Application processors wait for a STARTUP IPI, as on hardware. */
        v->arch.wait_sipi = v->vcpu_id != 0;
        v->arch.sipi_vector = -1;
        v->arch.npf_retry_gfn = ~0ULL;
    }
    return rc;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    hvm->vcpu_destroy(v);
}

void arch_vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t start_info)
{
    hvm->vcpu_set_pvh_entry(v, entry, start_info);
}

void arch_vcpu_dump(struct vcpu *v)
{
    printk("    rip %lx rsp %lx rflags %lx, event %lx, nmi %s, APIC vector %d\n",
           (unsigned long)v->arch.regs.rip, (unsigned long)v->arch.regs.rsp,
           (unsigned long)v->arch.regs.rflags, (unsigned long)v->arch.pending_event,
           v->arch.nmi_pending ? "pending" : "none", vlapic_pending_vector(v));
    hvm->dump_vcpu(v);
}

struct vcpu *current_vcpu(void)
{
    return this_cpu()->curr_vcpu;
}

struct vcpu *arch_cpu_current(unsigned int cpu)
{
    return cpu < NR_CPUS && cpu_info[cpu] ? __atomic_load_n(&cpu_info[cpu]->curr_vcpu, __ATOMIC_ACQUIRE) : NULL;
}

void arch_set_current(struct vcpu *v)
{
    __atomic_store_n(&this_cpu()->curr_vcpu, v, __ATOMIC_RELEASE);
}

void arch_context_switch(struct vcpu *prev, struct vcpu *next)
{
    hvm_context_switch(prev, next);
}

void arch_vcpu_run(struct vcpu *v)
{
    if (__atomic_load_n(&v->arch.init_pending, __ATOMIC_ACQUIRE) && !hvm_vcpu_take_init(v)) {
        local_irq_enable();     /* as after a guest exit */
        return;
    }
    hvm->vcpu_run(v);
}

void arch_guest_entry_begin(void)
{
    __atomic_fetch_add(&this_cpu()->guest_seq, 1, __ATOMIC_SEQ_CST);
}

void arch_guest_exit_done(void)
{
    __atomic_fetch_add(&this_cpu()->guest_seq, 1, __ATOMIC_SEQ_CST);
}

/*
 * After a change to d's P2M (the generation was bumped under its lock):
 * every pCPU running a vCPU of d stops using translations from before.
 * A CPU in guest mode (guest_seq odd) is sent an interrupt, which makes it
 * exit, and waited for: when this returns, frames unmapped before the call
 * may be freed.  A CPU not in guest mode reads the new generation before
 * it next enters and takes a fresh ASID; one that read the old generation
 * already has interrupts off until VMRUN, so our interrupt makes it exit
 * again before a single guest instruction.
 */
void p2m_flush_guest_tlbs(struct domain *d)
{
    uint64_t seq[NR_CPUS];
    unsigned int self = smp_processor_id();

    /* The generation bump (by the caller) before our reads of guest_seq;
     * the entry side increments guest_seq before it reads the generation. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        struct vcpu *v = arch_cpu_current(cpu);
        seq[cpu] = 0;
        if (!v || v->domain != d || cpu == self)
            continue;
        seq[cpu] = __atomic_load_n(&cpu_info[cpu]->guest_seq, __ATOMIC_SEQ_CST);
        if (seq[cpu] & 1)
            arch_send_event_check(cpu);
    }
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        while ((seq[cpu] & 1) &&
               __atomic_load_n(&cpu_info[cpu]->guest_seq, __ATOMIC_SEQ_CST) == seq[cpu])
            cpu_relax();
}

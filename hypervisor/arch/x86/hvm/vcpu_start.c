/*
 * How application processors start: the INIT / STARTUP IPI protocol of the
 * local APIC.  A PVH Linux brings up its secondary vCPUs the native way
 * (INIT assert, INIT de-assert, then two STARTUP IPIs at its real-mode
 * trampoline), so Keel behaves as the hardware does:
 *
 *   - every vCPU but the first is created waiting for a STARTUP IPI, offline;
 *   - INIT puts a vCPU back into that wait.  The sender cannot reset a vCPU
 *     that may be running on another CPU, so an online target only gets
 *     init_pending and applies it itself before its next entry;
 *   - STARTUP starts a waiting vCPU in real mode at vector:0000 and brings
 *     it online.  One that comes before the target applied its INIT is
 *     kept and applied with it.  A vCPU that is not waiting ignores it (so
 *     the customary second STARTUP IPI does nothing).
 */
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/vlapic.h>

/* Guards wait_sipi, init_pending, sipi_vector and online changes made here. */
static DEFINE_SPINLOCK(start_lock);

/* Start t at vector:0000; it is offline and on no CPU's way into the guest. */
static void start_at(struct vcpu *t, uint8_t vector)
{
    hvm->vcpu_set_sipi_entry(t, vector);
    t->arch.wait_sipi = false;
    t->online = true;
    pr_debug("d%u vCPU%u: started at %02x00:0000\n", t->domain->domain_id, t->vcpu_id,
             vector);
}

void hvm_init_ipi(struct vcpu *t)
{
    unsigned long flags;
    bool kick = false;

    spin_lock_irqsave(&start_lock, flags);
    if (!t->online) {
        t->arch.wait_sipi = true;
        t->arch.sipi_vector = -1;
    } else {
        __atomic_store_n(&t->arch.init_pending, true, __ATOMIC_RELEASE);
        kick = true;
    }
    spin_unlock_irqrestore(&start_lock, flags);
    if (kick) {
        vcpu_unblock(t);        /* a halted target must wake to apply it */
        vcpu_kick(t);
    }
}

void hvm_startup_ipi(struct vcpu *t, uint8_t vector)
{
    unsigned long flags;
    bool started = false;

    spin_lock_irqsave(&start_lock, flags);
    if (t->arch.init_pending) {
        t->arch.sipi_vector = vector;
    } else if (t->arch.wait_sipi && !t->online) {
        start_at(t, vector);
        started = true;
    }
    spin_unlock_irqrestore(&start_lock, flags);
    if (started)
        vcpu_update_runnable(t);
}

/* The reset INIT gives the parts of a vCPU outside the register file. */
static void reset_vcpu(struct vcpu *v)
{
    stop_timer(&v->singleshot_timer);
    v->arch.pending_event = 0;
    v->arch.nmi_pending = false;
    vlapic_init(v);
    hvm_fpu_init(v);
    /* Its FPU registers may still be live on this CPU: load the reset image. */
    if (this_cpu()->fpu_owner == v)
        __asm__ __volatile__("fxrstor64 %0" :: "m"(v->arch.fpu));
    hvm_debug_regs_reset(v);
}

bool hvm_vcpu_take_init(struct vcpu *v)
{
    unsigned long flags;
    bool enter;

    spin_lock_irqsave(&start_lock, flags);
    v->arch.init_pending = false;
    reset_vcpu(v);
    if (v->arch.sipi_vector >= 0) {
        start_at(v, (uint8_t)v->arch.sipi_vector);
        v->arch.sipi_vector = -1;
        enter = true;
    } else {
        v->arch.wait_sipi = true;
        v->online = false;
        enter = false;
        pr_debug("d%u vCPU%u: INIT, waiting for a STARTUP IPI\n", v->domain->domain_id,
                 v->vcpu_id);
    }
    spin_unlock_irqrestore(&start_lock, flags);
    if (!enter)
        vcpu_update_runnable(v);
    return enter;
}

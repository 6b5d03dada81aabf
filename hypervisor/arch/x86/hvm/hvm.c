/*
 * Vendor selection and the pieces of vCPU state every backend shares: the
 * FPU/SSE image (FXSAVE format; the hypervisor itself never uses the FPU,
 * so a vCPU's state stays in the registers until another vCPU needs them),
 * HLT and nested page faults.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/p2m.h>
#include <keel/event.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <asm/vlapic.h>
#include <asm/hvm.h>
#include <asm/boot.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include "../svm/svm.h"

#define CR4_OSXMMEXCPT (1u << 10)

const struct hvm_ops *hvm;

bool hvm_init(void)
{
    if (svm_probe())
        hvm = svm_backend();
    if (!hvm)
        pr_warn("no usable hardware virtualization (AMD SVM with NPT): "
                "guests cannot be started on this machine\n");
    return hvm != NULL;
}

bool hvm_enabled(void)
{
    return hvm != NULL;
}

/* Per-CPU: FXSAVE must cover SSE state, and the backend must be on. */
int hvm_cpu_up(void)
{
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP);
    return hvm ? hvm->cpu_up() : 0;
}

struct guest_regs *guest_regs(struct vcpu *v)
{
    return &v->arch.regs;
}

/* The state FNINIT and a reset MXCSR give. */
void hvm_fpu_init(struct vcpu *v)
{
    memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
    v->arch.fpu[0] = 0x7f;          /* FCW = 0x037f */
    v->arch.fpu[1] = 0x03;
    v->arch.fpu[24] = 0x80;         /* MXCSR = 0x1f80 */
    v->arch.fpu[25] = 0x1f;
}

/*
 * The breakpoint addresses DR0-DR3 are guest state VMRUN leaves alone
 * (it switches DR6 and DR7) and that guests read and write without an
 * exit: without this, the next vCPU on the pCPU would find the last one's
 * values there.  Keel itself never uses them (its DR7 disables them all),
 * so they stay loaded while the pCPU is idle.
 */
static void save_debug_regs(struct vcpu *v)
{
    uint64_t *d = v->arch.dr;

    __asm__ __volatile__("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
                         : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3]));
}

static void load_debug_regs(const struct vcpu *v)
{
    const uint64_t *d = v->arch.dr;

    __asm__ __volatile__("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
                         :: "r"(d[0]), "r"(d[1]), "r"(d[2]), "r"(d[3]));
}

/* INIT clears DR0-DR3; v is the vCPU this CPU runs, so its are live. */
void hvm_debug_regs_reset(struct vcpu *v)
{
    memset(v->arch.dr, 0, sizeof(v->arch.dr));
    load_debug_regs(v);
}

/* Called on a pCPU when it switches from prev to next (either may be NULL). */
void hvm_context_switch(struct vcpu *prev, struct vcpu *next)
{
    struct cpu_info *c = this_cpu();

    if (prev && c->fpu_owner == prev) {
        __asm__ __volatile__("fxsave64 %0" : "=m"(prev->arch.fpu));
        c->fpu_owner = NULL;
    }
    if (prev)
        save_debug_regs(prev);
    if (next) {
        __asm__ __volatile__("fxrstor64 %0" :: "m"(next->arch.fpu));
        c->fpu_owner = next;
        load_debug_regs(next);
    }
}

static bool interrupt_waiting(struct vcpu *v)
{
    return vlapic_pending_vector(v) >= 0 || v->arch.nmi_pending ||
           (v->domain->callback_vector && evtchn_upcall_pending(v));
}

void hvm_hlt(struct vcpu *v)
{
    /* An interrupt already waiting ends the halt at once. */
    if (interrupt_waiting(v))
        return;
    vcpu_block(v);
    /* Raised meanwhile (on another CPU): do not sleep through it. */
    if (interrupt_waiting(v))
        vcpu_unblock(v);
}

/* An event channel made an upcall pending for v (common/event_channel.c). */
void evtchn_notify_vcpu(struct vcpu *v)
{
    vcpu_unblock(v);
    vcpu_kick(v);
}

void hvm_inject_nmi(struct vcpu *v)
{
    v->arch.nmi_pending = true;
    vcpu_unblock(v);
    vcpu_kick(v);
}

void hvm_nested_page_fault(struct vcpu *v, uint64_t gpa, uint64_t error_code)
{
    uint64_t gfn = gpa >> PAGE_SHIFT;
    int rc = p2m_fault_in(v->domain, gfn);

    /* The first touch of memory that waited to be zeroed: it is now. */
    if (rc == 0) {
        v->arch.npf_retry_gfn = ~0ULL;
        return;
    }
    /* Present already: another vCPU's first touch zeroed it meanwhile.
     * Retried once; a second fault there has some other cause. */
    if (rc == -EEXIST && v->arch.npf_retry_gfn != gfn) {
        v->arch.npf_retry_gfn = gfn;
        return;
    }
    domain_crash(v->domain, "vCPU%u touched guest-physical %lx, which is not its memory "
                 "(%s at rip %lx)", v->vcpu_id, (unsigned long)gpa,
                 (error_code & 2) ? "write" : "read", (unsigned long)v->arch.regs.rip);
}

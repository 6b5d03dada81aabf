/*
 * AMD SVM backend: per-CPU enablement, one VMCB per vCPU, ASIDs, entering
 * the guest.  Exit decoding is in exit.c.
 *
 * What QEMU's TCG SVM lacks (NRIP save, decode assists, flush-by-ASID,
 * clean bits) is used only when CPUID says it exists.  TLBs: a vCPU gets a
 * fresh ASID whenever it comes to a pCPU where its ASID is stale; when a
 * pCPU runs out of ASIDs it starts a new generation and flushes everything
 * once.
 */
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/p2m.h>
#include <keel/page_alloc.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <asm/boot.h>
#include <asm/desc.h>
#include <asm/hvm.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <asm/vlapic.h>
#include "svm.h"
#include "vmcb.h"

#define MSR_VM_CR        0xc0010114
#define  VM_CR_SVMDIS    (1u << 4)
#define MSR_VM_HSAVE_PA  0xc0010117
#define EFER_SVME        (1ULL << 12)
#define DEFAULT_PAT      0x0007040600070406ULL

STATIC_ASSERT(__builtin_offsetof(struct guest_regs, rbx) == GREGS_RBX);
STATIC_ASSERT(__builtin_offsetof(struct guest_regs, rdi) == GREGS_RDI);
STATIC_ASSERT(__builtin_offsetof(struct guest_regs, rbp) == GREGS_RBP);
STATIC_ASSERT(__builtin_offsetof(struct guest_regs, r8) == GREGS_R8);
STATIC_ASSERT(__builtin_offsetof(struct guest_regs, r15) == GREGS_R15);

void svm_vmrun(struct guest_regs *regs, paddr_t vmcb_pa, paddr_t host_vmcb_pa);

struct svm_features svm_features;
static paddr_t iopm_pa, msrpm_pa;

/* ---- detection and per-CPU setup ------------------------------------------ */

bool svm_probe(void)
{
    if (cpuid(0x80000000).eax < 0x8000000a) {
        pr_warn("SVM: CPU has no extended leaf 0x8000000a\n");
        return false;
    }
    if (!(cpuid(0x80000001).ecx & (1u << 2))) {
        pr_warn("SVM: this CPU has no AMD-V (SVM)\n");
        return false;
    }
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        pr_warn("SVM: disabled by the firmware (VM_CR.SVMDIS)\n");
        return false;
    }
    struct cpuid_regs r = cpuid(0x8000000a);
    if (!(r.edx & (1u << 0))) {
        pr_warn("SVM: no nested paging (NPT); Keel needs it\n");
        return false;
    }
    svm_features.nr_asids = r.ebx;
    svm_features.nrips = r.edx & (1u << 3);
    svm_features.flush_by_asid = r.edx & (1u << 6);
    if (svm_features.nr_asids < 2) {
        pr_warn("SVM: too few ASIDs (%u)\n", svm_features.nr_asids);
        return false;
    }
    pr_info("SVM: nested paging, %u ASIDs%s%s\n", svm_features.nr_asids,
            svm_features.nrips ? ", NRIP save" : "",
            svm_features.flush_by_asid ? ", flush by ASID" : "");
    return true;
}

/* I/O and MSR permission maps shared by every vCPU. */
static int svm_global_init(void)
{
    void *iopm = alloc_xenheap_pages(2);      /* 12 KiB used */
    void *msrpm = alloc_xenheap_pages(1);     /* 8 KiB */

    if (!iopm || !msrpm)
        return -ENOMEM;
    memset(iopm, 0xff, 4 * PAGE_SIZE);        /* intercept every port */
    memset(msrpm, 0xff, 2 * PAGE_SIZE);       /* intercept every MSR ... */
    /* ... except those VMLOAD/VMSAVE and VMRUN switch for us. */
    static const uint32_t passthrough[] = {
        MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
        0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,   /* STAR LSTAR CSTAR SFMASK */
        0x174, 0x175, 0x176,                              /* SYSENTER_CS/ESP/EIP */
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(passthrough); i++) {
        uint32_t msr = passthrough[i], base;
        if (msr < 0x2000)
            base = 0;
        else if (msr >= 0xc0000000 && msr < 0xc0002000)
            base = 0x800 * 8, msr -= 0xc0000000;
        else
            continue;
        uint32_t bit = base + msr * 2;
        ((uint8_t *)msrpm)[bit / 8] &= ~(3u << (bit % 8));
    }
    iopm_pa = virt_to_maddr(iopm);
    msrpm_pa = virt_to_maddr(msrpm);
    return 0;
}

static int svm_cpu_up(void)
{
    struct cpu_info *c = this_cpu();
    void *hsave, *host_vmcb;

    if (!iopm_pa && smp_processor_id() == 0 && svm_global_init() < 0)
        return -ENOMEM;
    hsave = alloc_xenheap_pages(0);
    host_vmcb = alloc_xenheap_pages(0);
    if (!hsave || !host_vmcb)
        return -ENOMEM;
    memset(hsave, 0, PAGE_SIZE);
    memset(host_vmcb, 0, PAGE_SIZE);
    c->svm_hsave_pa = virt_to_maddr(hsave);
    c->svm_host_vmcb_pa = virt_to_maddr(host_vmcb);
    c->next_asid = 1;
    c->asid_generation = 1;

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, c->svm_hsave_pa);
    /* The host's FS/GS/TR/... state, restored by VMLOAD after each exit. */
    __asm__ __volatile__("vmsave %%rax" :: "a"(c->svm_host_vmcb_pa) : "memory");
    return 0;
}

/* ---- vCPUs ------------------------------------------------------------------ */

static int svm_vcpu_create(struct vcpu *v)
{
    struct vmcb *vmcb = alloc_xenheap_pages(0);

    if (!vmcb)
        return -ENOMEM;
    memset(vmcb, 0, sizeof(*vmcb));
    v->arch.vmcb = vmcb;
    v->arch.vmcb_pa = virt_to_maddr(vmcb);
    v->arch.asid_cpu = -1;

    vmcb->intercept_misc1 = MISC1_INTR | MISC1_NMI | MISC1_SMI | MISC1_INIT |
                            MISC1_CPUID | MISC1_INVD | MISC1_HLT | MISC1_INVLPGA |
                            MISC1_IOIO | MISC1_MSR | MISC1_TASK_SWITCH |
                            MISC1_SHUTDOWN;
    vmcb->intercept_misc2 = MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD |
                            MISC2_VMSAVE | MISC2_STGI | MISC2_CLGI | MISC2_SKINIT |
                            MISC2_MONITOR | MISC2_MWAIT | MISC2_MWAIT_COND |
                            MISC2_XSETBV;
    vmcb->iopm_base_pa = iopm_pa;
    vmcb->msrpm_base_pa = msrpm_pa;
    vmcb->vintr = VINTR_MASKING;
    vmcb->np_enable = 1;
    vmcb->n_cr3 = v->domain->arch.p2m.root;
    vmcb->g_pat = DEFAULT_PAT;
    vmcb->efer = EFER_SVME;
    vmcb->cr0 = CR0_ET_BIT;
    vmcb->dr6 = 0xffff0ff0;
    vmcb->dr7 = 0x400;
    vmcb->rflags = 0x2;
    return 0;
}

static void svm_vcpu_destroy(struct vcpu *v)
{
    char stats[200];

    svm_format_exit_stats(v, stats, sizeof(stats));
    pr_debug("d%u %s: vCPU%u: %s\n", v->domain->domain_id, v->domain->name, v->vcpu_id, stats);
    if (v->arch.vmcb)
        free_xenheap_pages(v->arch.vmcb, 0);
    v->arch.vmcb = NULL;
}

static void set_seg(struct vmcb_seg *s, uint16_t sel, uint16_t attr, uint32_t limit)
{
    s->sel = sel;
    s->attr = attr;
    s->limit = limit;
    s->base = 0;
}

/* The PVH entry state: flat 32-bit protected mode, paging off. */
static void svm_vcpu_set_pvh_entry(struct vcpu *v, uint32_t eip, uint32_t ebx)
{
    struct vmcb *vmcb = v->arch.vmcb;

    set_seg(&vmcb->cs, 0x08, SEG_CODE32, 0xffffffff);
    set_seg(&vmcb->ds, 0x10, SEG_DATA32, 0xffffffff);
    set_seg(&vmcb->es, 0x10, SEG_DATA32, 0xffffffff);
    set_seg(&vmcb->ss, 0x10, SEG_DATA32, 0xffffffff);
    set_seg(&vmcb->fs, 0x10, SEG_DATA32, 0xffffffff);
    set_seg(&vmcb->gs, 0x10, SEG_DATA32, 0xffffffff);
    set_seg(&vmcb->tr, 0x18, SEG_TSS32B, 0x67);
    set_seg(&vmcb->ldtr, 0, SEG_LDT, 0);
    set_seg(&vmcb->gdtr, 0, 0, 0);
    set_seg(&vmcb->idtr, 0, 0, 0);
    vmcb->cpl = 0;
    vmcb->cr0 = CR0_PE | CR0_ET_BIT;
    vmcb->cr3 = 0;
    vmcb->cr4 = 0;
    vmcb->efer = EFER_SVME;
    vmcb->rflags = 0x2;

    memset(&v->arch.regs, 0, sizeof(v->arch.regs));
    v->arch.regs.rip = eip;
    v->arch.regs.rbx = ebx;
    v->arch.regs.rflags = 0x2;
    v->arch.pending_event = 0;
}

/*
 * The state a STARTUP IPI gives a processor waiting for it: real mode at
 * vector:0000 (CS base vector << 12), every other segment flat 64 KiB, the
 * registers of a reset.  SVM runs real mode directly under nested paging.
 */
static void svm_vcpu_set_sipi_entry(struct vcpu *v, uint8_t vector)
{
    struct vmcb *vmcb = v->arch.vmcb;

    set_seg(&vmcb->cs, (uint16_t)vector << 8, SEG_CODE16, 0xffff);
    vmcb->cs.base = (uint64_t)vector << 12;
    set_seg(&vmcb->ds, 0, SEG_DATA16, 0xffff);
    set_seg(&vmcb->es, 0, SEG_DATA16, 0xffff);
    set_seg(&vmcb->ss, 0, SEG_DATA16, 0xffff);
    set_seg(&vmcb->fs, 0, SEG_DATA16, 0xffff);
    set_seg(&vmcb->gs, 0, SEG_DATA16, 0xffff);
    set_seg(&vmcb->tr, 0, SEG_TSS16B, 0xffff);
    set_seg(&vmcb->ldtr, 0, SEG_LDT, 0xffff);
    set_seg(&vmcb->gdtr, 0, 0, 0xffff);
    set_seg(&vmcb->idtr, 0, 0, 0xffff);
    vmcb->cpl = 0;
    vmcb->cr0 = CR0_ET_BIT;
    vmcb->cr2 = 0;
    vmcb->cr3 = 0;
    vmcb->cr4 = 0;
    vmcb->efer = EFER_SVME;
    vmcb->dr6 = 0xffff0ff0;
    vmcb->dr7 = 0x400;
    vmcb->g_pat = DEFAULT_PAT;
    vmcb->rflags = 0x2;
    vmcb->eventinj = 0;

    memset(&v->arch.regs, 0, sizeof(v->arch.regs));
    v->arch.regs.rflags = 0x2;
    v->arch.pending_event = 0;
}

static void svm_inject_exception(struct vcpu *v, unsigned int vector, int error_code)
{
    uint64_t ev = EVENT_VALID | EVENT_TYPE_EXC | vector;
    if (error_code >= 0)
        ev |= EVENT_ERR_VALID | ((uint64_t)(uint32_t)error_code << 32);
    v->arch.pending_event = ev;
}

static void svm_get_paging(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
                           uint64_t *cr4, uint64_t *efer)
{
    struct vmcb *vmcb = v->arch.vmcb;
    *cr0 = vmcb->cr0;
    *cr3 = vmcb->cr3;
    *cr4 = vmcb->cr4;
    *efer = vmcb->efer;
}

static bool svm_in_64bit_mode(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    return (vmcb->efer & (1u << 10)) && (vmcb->cs.attr & SEG_ATTR_L);
}

static unsigned int svm_get_cpl(struct vcpu *v)
{
    return v->arch.vmcb->cpl;
}

static uint64_t svm_get_efer(struct vcpu *v)
{
    return v->arch.vmcb->efer & ~EFER_SVME;
}

/* The guest may set SCE, LME, NXE (and keep LMA, which the CPU manages). */
static int svm_set_efer(struct vcpu *v, uint64_t efer)
{
    const uint64_t allowed = EFER_SCE | EFER_LME | EFER_NXE | (1u << 10);
    struct vmcb *vmcb = v->arch.vmcb;

    if (efer & ~allowed)
        return -1;
    /* LMA follows the hardware: changing LME while paging is on is #GP. */
    if ((vmcb->cr0 & CR0_PG) && ((efer ^ vmcb->efer) & EFER_LME))
        return -1;
    vmcb->efer = (efer & ~(1ULL << 10)) | (vmcb->efer & (1ULL << 10)) | EFER_SVME;
    return 0;
}

static uint64_t svm_get_pat(struct vcpu *v) { return v->arch.vmcb->g_pat; }
static void svm_set_pat(struct vcpu *v, uint64_t pat) { v->arch.vmcb->g_pat = pat; }
static uint64_t svm_get_tsc_offset(struct vcpu *v) { return v->arch.vmcb->tsc_offset; }
static void svm_set_tsc_offset(struct vcpu *v, uint64_t o) { v->arch.vmcb->tsc_offset = o; }

/* ---- running ------------------------------------------------------------------ */

/* A fresh ASID for v on this pCPU if its own is stale; flush on wrap. */
static void svm_assign_asid(struct vcpu *v, struct vmcb *vmcb)
{
    struct cpu_info *c = this_cpu();
    uint64_t p2m_gen = __atomic_load_n(&v->domain->arch.p2m.generation, __ATOMIC_ACQUIRE);

    /* A fresh ASID also drops translations of a P2M that has changed since. */
    if (v->arch.asid_cpu == (int)c->id && v->arch.asid_generation == c->asid_generation &&
        v->arch.p2m_generation == p2m_gen)
        return;
    v->arch.p2m_generation = p2m_gen;
    if (c->next_asid >= svm_features.nr_asids) {
        c->asid_generation++;
        c->next_asid = 1;
        vmcb->tlb_control = 1;      /* flush all ASIDs once */
    }
    v->arch.asid = c->next_asid++;
    v->arch.asid_cpu = c->id;
    v->arch.asid_generation = c->asid_generation;
    vmcb->asid = v->arch.asid;
}

/*
 * QEMU's nested SVM sometimes leaves the host's own state in the guest
 * save area (see DESIGN.md): RIP just after our VMRUN and our code
 * segment (and a hypervisor stack, of whichever CPU ran it).  Entering would run
 * hypervisor code as the guest: refuse, and say which exit came before.
 */
extern const char svm_vmrun_exit[];

/* The one line the boot tests recognise (and may retry once). */
void svm_crash_host_state(struct vcpu *v, const struct vmcb *vmcb)
{
    domain_crash(v->domain, "vCPU%u: VMCB holds host state (rip %lx) after exit 0x%lx; "
                 "not entering (QEMU nested-SVM defect signature)",
                 v->vcpu_id, (unsigned long)vmcb->rip, (unsigned long)vmcb->exitcode);
}

bool vmcb_holds_host_state(const struct vmcb *vmcb)
{
    return vmcb->rip == (uintptr_t)svm_vmrun_exit && vmcb->cs.sel == HV_CS;
}

static void sync_to_vmcb(struct vcpu *v, struct vmcb *vmcb)
{
    vmcb->rax = v->arch.regs.rax;
    vmcb->rsp = v->arch.regs.rsp;
    vmcb->rip = v->arch.regs.rip;
    vmcb->rflags = v->arch.regs.rflags;
}

static void sync_from_vmcb(struct vcpu *v, const struct vmcb *vmcb)
{
    v->arch.regs.rax = vmcb->rax;
    v->arch.regs.rsp = vmcb->rsp;
    v->arch.regs.rip = vmcb->rip;
    v->arch.regs.rflags = vmcb->rflags;
}

static void interrupt_window(struct vmcb *vmcb, bool want)
{
    if (want) {
        vmcb->vintr |= VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR;
        vmcb->intercept_misc1 |= MISC1_VINTR;
    } else {
        vmcb->vintr &= ~(VINTR_V_IRQ | VINTR_PRIO_MAX | VINTR_IGN_TPR);
        vmcb->intercept_misc1 &= ~MISC1_VINTR;
    }
}

/*
 * What to deliver on this entry: an event being re-delivered or an
 * exception first, then an NMI, then the virtual APIC's highest interrupt
 * if the guest can take it now; if it cannot (IF clear, interrupt
 * shadow), ask for an exit as soon as it can.
 */
static void svm_pick_event(struct vcpu *v, struct vmcb *vmcb)
{
    bool shadow = vmcb->interrupt_shadow & 1;

    if (v->arch.pending_event)
        return;
    if (v->arch.nmi_pending && !shadow) {
        v->arch.nmi_pending = false;
        v->arch.pending_event = EVENT_VALID | EVENT_TYPE_NMI | 2;
        return;
    }
    /* Event-channel upcall through the callback vector: level-triggered on
     * upcall_pending, no APIC involved (Linux clears the flag itself). */
    if (v->domain->callback_vector && evtchn_upcall_pending(v)) {
        if ((v->arch.regs.rflags & X86_RFLAGS_IF) && !shadow) {
            v->arch.pending_event = EVENT_VALID | EVENT_TYPE_INTR | v->domain->callback_vector;
            interrupt_window(vmcb, false);
        } else {
            interrupt_window(vmcb, true);
        }
        return;
    }
    int vec = vlapic_pending_vector(v);
    if (vec < 0) {
        interrupt_window(vmcb, false);
        return;
    }
    if ((v->arch.regs.rflags & X86_RFLAGS_IF) && !shadow) {
        vlapic_accept(v, vec);
        v->arch.pending_event = EVENT_VALID | EVENT_TYPE_INTR | (uint64_t)vec;
        interrupt_window(vmcb, false);
    } else {
        interrupt_window(vmcb, true);
    }
}

/* The guest can take interrupts again: the next entry injects. */
void svm_exit_vintr(struct vcpu *v, struct vmcb *vmcb)
{
    interrupt_window(vmcb, false);
}

static void svm_vcpu_run(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;

    arch_guest_entry_begin();
    svm_assign_asid(v, vmcb);
    sync_to_vmcb(v, vmcb);
    if (vmcb_holds_host_state(vmcb)) {
        arch_guest_exit_done();
        local_irq_enable();
        svm_crash_host_state(v, vmcb);
        return;
    }
    svm_pick_event(v, vmcb);
    /* Written last: QEMU delivers an injected event inside VMRUN. */
    vmcb->eventinj = v->arch.pending_event;
    v->arch.pending_event = 0;

    svm_vmrun(&v->arch.regs, v->arch.vmcb_pa, this_cpu()->svm_host_vmcb_pa);
    arch_guest_exit_done();

    vmcb->tlb_control = 0;
    sync_from_vmcb(v, vmcb);
    /* An event cut short by the exit must be delivered again. */
    if (vmcb->exitintinfo & EVENT_VALID)
        v->arch.pending_event = vmcb->exitintinfo;
    svm_exit_dispatch(v, vmcb);
}

static void svm_dump_vcpu(struct vcpu *v)
{
    const struct vmcb *vmcb = v->arch.vmcb;
    char stats[200];

    /* The save area is current while the vCPU is in an exit (a '0' dump
     * interrupts the exit path before the registers are copied out). */
    printk("    VMCB rip %lx rsp %lx rflags %lx rax %lx cs %x/%x cpl %u\n",
           (unsigned long)vmcb->rip, (unsigned long)vmcb->rsp, (unsigned long)vmcb->rflags,
           (unsigned long)vmcb->rax, vmcb->cs.sel, vmcb->cs.attr, vmcb->cpl);
    printk("    VMCB: exit %lx (%lx, %lx), intinfo %lx, inj %lx, vintr %lx, shadow %lx, "
           "cr0 %lx cr3 %lx cr4 %lx efer %lx, asid %u\n",
           (unsigned long)vmcb->exitcode, (unsigned long)vmcb->exitinfo1,
           (unsigned long)vmcb->exitinfo2, (unsigned long)vmcb->exitintinfo,
           (unsigned long)vmcb->eventinj, (unsigned long)vmcb->vintr,
           (unsigned long)vmcb->interrupt_shadow, (unsigned long)vmcb->cr0,
           (unsigned long)vmcb->cr3, (unsigned long)vmcb->cr4, (unsigned long)vmcb->efer,
           vmcb->asid);
    svm_format_exit_stats(v, stats, sizeof(stats));
    printk("    %s\n", stats);
}

static const struct hvm_ops svm_ops = {
    .name = "SVM",
    .cpu_up = svm_cpu_up,
    .vcpu_create = svm_vcpu_create,
    .vcpu_destroy = svm_vcpu_destroy,
    .vcpu_set_pvh_entry = svm_vcpu_set_pvh_entry,
    .vcpu_set_sipi_entry = svm_vcpu_set_sipi_entry,
    .vcpu_run = svm_vcpu_run,
    .inject_exception = svm_inject_exception,
    .get_paging = svm_get_paging,
    .in_64bit_mode = svm_in_64bit_mode,
    .get_cpl = svm_get_cpl,
    .get_efer = svm_get_efer,
    .set_efer = svm_set_efer,
    .get_pat = svm_get_pat,
    .set_pat = svm_set_pat,
    .get_tsc_offset = svm_get_tsc_offset,
    .set_tsc_offset = svm_set_tsc_offset,
    .dump_vcpu = svm_dump_vcpu,
};

const struct hvm_ops *svm_backend(void)
{
    return &svm_ops;
}

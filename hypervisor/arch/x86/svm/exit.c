/*
 * SVM exit decoding: turn each exit into the vendor-neutral operation of
 * hvm/ (or into an exception for the guest, or a crash of its domain), and
 * move RIP past the instruction when it completed.  QEMU's SVM has no NRIP
 * save, so instruction lengths are known per exit (IOIO gives the next RIP
 * in EXITINFO2).  Nothing a guest does here may stop the hypervisor: an
 * exit Keel does not handle crashes that guest's domain.
 */
#include <keel/domain.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/printk.h>
#include <asm/hvm.h>
#include "svm.h"
#include "vmcb.h"

#define X86_EXC_UD 6
#define X86_EXC_GP 13

typedef void (*exit_handler_t)(struct vcpu *v, struct vmcb *vmcb);

static void advance(struct vcpu *v, struct vmcb *vmcb, unsigned int len)
{
    if (svm_features.nrips && vmcb->nrip)
        v->arch.regs.rip = vmcb->nrip;
    else
        v->arch.regs.rip += len;
    /* The instruction completed: no interrupt shadow left from it. */
    vmcb->interrupt_shadow = 0;
}

static void exit_nothing(struct vcpu *v, struct vmcb *vmcb)
{
    /* INTR/NMI/SMI/INIT: the host took the event when GIF was set again. */
}

static void exit_cpuid(struct vcpu *v, struct vmcb *vmcb)
{
    struct guest_regs *r = &v->arch.regs;
    uint32_t a, b, c, d;

    hvm_cpuid(v, (uint32_t)r->rax, (uint32_t)r->rcx, &a, &b, &c, &d);
    r->rax = a, r->rbx = b, r->rcx = c, r->rdx = d;
    advance(v, vmcb, 2);
}

static void exit_hlt(struct vcpu *v, struct vmcb *vmcb)
{
    advance(v, vmcb, 1);
    hvm_hlt(v);
}

static void exit_msr(struct vcpu *v, struct vmcb *vmcb)
{
    struct guest_regs *r = &v->arch.regs;
    uint32_t msr = (uint32_t)r->rcx;

    if (vmcb->exitinfo1 == 0) {
        uint64_t val;
        if (hvm_msr_read(v, msr, &val) < 0) {
            hvm->inject_exception(v, X86_EXC_GP, 0);
            return;
        }
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
    } else {
        uint64_t val = ((r->rdx & 0xffffffff) << 32) | (r->rax & 0xffffffff);
        if (hvm_msr_write(v, msr, val) < 0) {
            hvm->inject_exception(v, X86_EXC_GP, 0);
            return;
        }
    }
    advance(v, vmcb, 2);
}

/*
 * Port I/O.  EXITINFO1: bit 0 IN, bit 2 string, bit 3 REP, bits 4-6 size,
 * bits 7-9 address size, bits 31:16 port; EXITINFO2: the next RIP.
 */
static void exit_ioio(struct vcpu *v, struct vmcb *vmcb)
{
    struct guest_regs *r = &v->arch.regs;
    uint64_t info = vmcb->exitinfo1;
    uint16_t port = info >> 16;
    unsigned int size = (info & (1u << 4)) ? 1 : (info & (1u << 5)) ? 2 : 4;
    bool in = info & 1;

    if (info & (1u << 2)) {
        /* INS/OUTS: one element per exit; REP repeats the instruction. */
        uint64_t mask = (info & (1u << 9)) ? ~0ULL : (info & (1u << 8)) ? 0xffffffff : 0xffff;
        bool rep = info & (1u << 3);
        int step = (r->rflags & (1u << 10)) ? -(int)size : (int)size;
        uint32_t val = 0;

        if (rep && !(r->rcx & mask)) {
            r->rip = vmcb->exitinfo2;
            return;
        }
        if (in) {
            /* ES:RDI; flat segments are assumed (PVH guests use them). */
            val = hvm_io_in(v, port, size);
            if (copy_to_guest(r->rdi & mask, &val, size) < 0) {
                hvm->inject_exception(v, X86_EXC_GP, 0);
                return;
            }
            r->rdi = (r->rdi & ~mask) | ((r->rdi + step) & mask);
        } else {
            if (copy_from_guest(&val, r->rsi & mask, size) < 0) {
                hvm->inject_exception(v, X86_EXC_GP, 0);
                return;
            }
            hvm_io_out(v, port, size, val);
            r->rsi = (r->rsi & ~mask) | ((r->rsi + step) & mask);
        }
        if (rep) {
            r->rcx = (r->rcx & ~mask) | ((r->rcx - 1) & mask);
            if (r->rcx & mask)
                return;             /* same instruction again */
        }
        r->rip = vmcb->exitinfo2;
        return;
    }
    if (in) {
        uint64_t keep = size == 4 ? 0 : r->rax & ~((1ULL << (size * 8)) - 1);
        r->rax = keep | hvm_io_in(v, port, size);
    } else {
        hvm_io_out(v, port, size, (uint32_t)r->rax);
    }
    r->rip = vmcb->exitinfo2;
}

static void exit_vmmcall(struct vcpu *v, struct vmcb *vmcb)
{
    if (!hvm_hypercall(v))
        advance(v, vmcb, 3);
}

/* SVM instructions and others a guest may not use: #UD, as on a CPU without them. */
static void exit_undefined(struct vcpu *v, struct vmcb *vmcb)
{
    hvm->inject_exception(v, X86_EXC_UD, -1);
}

static void exit_npf(struct vcpu *v, struct vmcb *vmcb)
{
    hvm_nested_page_fault(v, vmcb->exitinfo2, vmcb->exitinfo1);
}

static void exit_shutdown(struct vcpu *v, struct vmcb *vmcb)
{
    /* QEMU's defect shows up as a triple fault on the host's own state. */
    if (vmcb_holds_host_state(vmcb)) {
        svm_crash_host_state(v, vmcb);
        return;
    }
    domain_crash(v->domain, "vCPU%u triple fault at rip %lx", v->vcpu_id,
                 (unsigned long)v->arch.regs.rip);
}

static void exit_invalid(struct vcpu *v, struct vmcb *vmcb)
{
    domain_crash(v->domain, "vCPU%u: VMRUN refused the guest state (cr0 %lx cr4 %lx efer %lx cs %x/%x)",
                 v->vcpu_id, (unsigned long)vmcb->cr0, (unsigned long)vmcb->cr4,
                 (unsigned long)vmcb->efer, vmcb->cs.sel, vmcb->cs.attr);
}

static const exit_handler_t exit_handlers[] = {
    [VMEXIT_INTR] = exit_nothing,
    [VMEXIT_VINTR] = svm_exit_vintr,
    [VMEXIT_NMI] = exit_nothing,
    [VMEXIT_SMI] = exit_nothing,
    [VMEXIT_INIT] = exit_nothing,
    [VMEXIT_CPUID] = exit_cpuid,
    [VMEXIT_INVD] = exit_undefined,
    [VMEXIT_HLT] = exit_hlt,
    [VMEXIT_INVLPGA] = exit_undefined,
    [VMEXIT_IOIO] = exit_ioio,
    [VMEXIT_MSR] = exit_msr,
    [VMEXIT_SHUTDOWN] = exit_shutdown,
    [VMEXIT_VMRUN] = exit_undefined,
    [VMEXIT_VMMCALL] = exit_vmmcall,
    [VMEXIT_VMLOAD] = exit_undefined,
    [VMEXIT_VMSAVE] = exit_undefined,
    [VMEXIT_STGI] = exit_undefined,
    [VMEXIT_CLGI] = exit_undefined,
    [VMEXIT_SKINIT] = exit_undefined,
    [VMEXIT_MONITOR] = exit_undefined,
    [VMEXIT_MWAIT] = exit_undefined,
    [VMEXIT_MWAIT_COND] = exit_undefined,
    [VMEXIT_XSETBV] = exit_undefined,
    [VMEXIT_NPF] = exit_npf,
};

#define OPCODE_HLT 0xf4

/*
 * The guest stopped (an interrupt, a nested page fault...) in an interrupt
 * shadow right before a HLT: the `sti; hlt` idle idiom, which relies on
 * nothing being delivered between the two.  QEMU's VMRUN ignores the
 * VMCB's interrupt shadow, so an upcall injected now would run before the
 * HLT, and the HLT would then sleep through the wake-up it had already
 * consumed.  Execute the HLT here, as its intercept would: that is what the
 * guest does next on any CPU, shadow honoured or not.
 */
static void complete_shadowed_hlt(struct vcpu *v, struct vmcb *vmcb)
{
    uint64_t rip = v->arch.regs.rip;
    uint8_t opcode;

    if (!(vmcb->interrupt_shadow & 1) || v->arch.pending_event || vmcb->cpl != 0 ||
        v->domain->state != DOMAIN_RUNNING)
        return;
    if (!hvm->in_64bit_mode(v))
        rip = (uint32_t)(rip + vmcb->cs.base);
    if (copy_from_guest(&opcode, rip, 1) == 0 && opcode == OPCODE_HLT)
        exit_hlt(v, vmcb);
}

/*
 * Exit statistics: codes 0x60-0x9f (interrupts and intercepted
 * instructions) keep their own slot, exceptions one slot (0x40-0x5f), NPF
 * one, anything else one.
 */
#define STAT_EXCEPTION 0x3d
#define STAT_NPF       0x3e
#define STAT_OTHER     0x3f

static unsigned int stat_slot(uint64_t code)
{
    if (code >= 0x60 && code < 0x60 + STAT_EXCEPTION)
        return (unsigned int)(code - 0x60);
    if (code >= VMEXIT_EXCP_BASE && code < VMEXIT_EXCP_BASE + 32)
        return STAT_EXCEPTION;
    return code == VMEXIT_NPF ? STAT_NPF : STAT_OTHER;
}

static const char *const stat_names[EXIT_STATS] = {
    [VMEXIT_INTR - 0x60] = "INTR", [VMEXIT_NMI - 0x60] = "NMI",
    [VMEXIT_VINTR - 0x60] = "VINTR", [VMEXIT_CPUID - 0x60] = "CPUID",
    [VMEXIT_HLT - 0x60] = "HLT", [VMEXIT_IOIO - 0x60] = "IOIO",
    [VMEXIT_MSR - 0x60] = "MSR", [VMEXIT_SHUTDOWN - 0x60] = "SHUTDOWN",
    [VMEXIT_VMMCALL - 0x60] = "VMMCALL", [STAT_EXCEPTION] = "exception",
    [STAT_NPF] = "NPF", [STAT_OTHER] = "other",
};

/* One line: the exits v took, by reason, most frequent first (up to 8). */
void svm_format_exit_stats(const struct vcpu *v, char *buf, size_t size)
{
    bool shown[EXIT_STATS] = { false };
    uint64_t total = 0;
    size_t n = 0;

    for (unsigned int i = 0; i < EXIT_STATS; i++)
        total += v->arch.exit_stats[i];
    n += snprintf(buf + n, size - n, "%lu exits", (unsigned long)total);
    for (unsigned int k = 0; k < 8 && n < size; k++) {
        unsigned int best = EXIT_STATS;
        for (unsigned int i = 0; i < EXIT_STATS; i++)
            if (!shown[i] && v->arch.exit_stats[i] &&
                (best == EXIT_STATS || v->arch.exit_stats[i] > v->arch.exit_stats[best]))
                best = i;
        if (best == EXIT_STATS)
            break;
        shown[best] = true;
        if (stat_names[best])
            n += snprintf(buf + n, size - n, ", %s %u", stat_names[best], v->arch.exit_stats[best]);
        else
            n += snprintf(buf + n, size - n, ", 0x%x %u", best + 0x60, v->arch.exit_stats[best]);
    }
}

void svm_exit_dispatch(struct vcpu *v, struct vmcb *vmcb)
{
    uint64_t code = vmcb->exitcode;

    v->arch.exit_stats[stat_slot(code)]++;

    if ((uint32_t)code == VMEXIT_INVALID) {
        exit_invalid(v, vmcb);
        return;
    }
    if (code < ARRAY_SIZE(exit_handlers) && exit_handlers[code]) {
        exit_handlers[code](v, vmcb);
        complete_shadowed_hlt(v, vmcb);
        return;
    }
    domain_crash(v->domain, "vCPU%u: unhandled exit 0x%lx (info1 %lx info2 %lx) at rip %lx",
                 v->vcpu_id, (unsigned long)code, (unsigned long)vmcb->exitinfo1,
                 (unsigned long)vmcb->exitinfo2, (unsigned long)v->arch.regs.rip);
}

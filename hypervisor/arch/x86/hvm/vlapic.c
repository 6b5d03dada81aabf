/*
 * Virtual local APIC, x2APIC mode (see asm/vlapic.h).  Register numbers
 * are the x2APIC MSR offsets (MSR - 0x800).  IRR bits are set from any CPU
 * with atomics; the rest belongs to the vCPU's own exit handling.
 */
#include <keel/domain.h>
#include <keel/printk.h>
#include <keel/schedule.h>
#include <asm/msr.h>
#include <asm/hvm.h>
#include <asm/vlapic.h>

#define REG_ID      0x02
#define REG_LVR     0x03
#define REG_TPR     0x08
#define REG_PPR     0x0a
#define REG_EOI     0x0b
#define REG_LDR     0x0d
#define REG_SVR     0x0f
#define REG_ISR0    0x10
#define REG_TMR0    0x18
#define REG_IRR0    0x20
#define REG_ESR     0x28
#define REG_LVT_CMCI 0x2f
#define REG_ICR     0x30
#define REG_LVT0    0x32    /* timer .. error: 0x32 - 0x37 */
#define REG_TMICT   0x38
#define REG_TMCCT   0x39
#define REG_TDCR    0x3e
#define REG_SELF_IPI 0x3f

#define APIC_VERSION  0x00050014    /* version 0x14, 6 LVT entries, as Xen */
#define LVT_MASKED    (1u << 16)
#define ICR_DM(icr)   (((icr) >> 8) & 7)
#define ICR_SHORTHAND(icr) (((icr) >> 18) & 3)
#define ICR_DM_FIXED    0
#define ICR_DM_NMI      4
#define ICR_DM_INIT     5
#define ICR_DM_STARTUP  6
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)

static struct vlapic *vl(struct vcpu *v) { return &v->arch.vlapic; }

void vlapic_init(struct vcpu *v)
{
    struct vlapic *l = vl(v);

    *l = (struct vlapic){ 0 };
    l->apic_base = 0xfee00000ULL | APIC_BASE_ENABLE | APIC_BASE_X2APIC |
                   (v->vcpu_id == 0 ? APIC_BASE_BSP : 0);
    l->svr = 0xff;
    for (int i = 0; i < 7; i++)
        l->lvt[i] = LVT_MASKED;
}

static int highest_bit(const uint64_t *bits)
{
    for (int w = 3; w >= 0; w--) {
        uint64_t x = __atomic_load_n(&bits[w], __ATOMIC_ACQUIRE);
        if (x)
            return w * 64 + 63 - __builtin_clzll(x);
    }
    return -1;
}

static uint32_t ppr(struct vlapic *l)
{
    int isr = highest_bit(l->isr);
    uint32_t isr_class = isr < 0 ? 0 : (uint32_t)isr & 0xf0;
    return (l->tpr & 0xf0) > isr_class ? l->tpr & 0xff : isr_class;
}

int vlapic_pending_vector(struct vcpu *v)
{
    struct vlapic *l = vl(v);
    int irr = highest_bit(l->irr);

    if (irr < 0 || !(l->svr & 0x100))          /* APIC software-disabled */
        return -1;
    if (((uint32_t)irr & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return irr;
}

void vlapic_accept(struct vcpu *v, int vector)
{
    struct vlapic *l = vl(v);
    __atomic_fetch_and(&l->irr[vector / 64], ~(1ULL << (vector % 64)), __ATOMIC_SEQ_CST);
    l->isr[vector / 64] |= 1ULL << (vector % 64);
}

void vlapic_set_irq(struct vcpu *v, uint8_t vector)
{
    if (vector < 16)
        return;                 /* illegal vectors: dropped (ESR not modelled) */
    __atomic_fetch_or(&vl(v)->irr[vector / 64], 1ULL << (vector % 64), __ATOMIC_SEQ_CST);
    vcpu_unblock(v);
    vcpu_kick(v);
}

static void eoi(struct vlapic *l)
{
    int isr = highest_bit(l->isr);
    if (isr >= 0)
        l->isr[isr / 64] &= ~(1ULL << (isr % 64));
}

static void send_ipi(struct vcpu *v, uint64_t icr)
{
    struct domain *d = v->domain;
    uint32_t dest = icr >> 32;
    uint8_t vector = icr & 0xff;
    unsigned int mode = ICR_DM(icr), shorthand = ICR_SHORTHAND(icr);

    switch (mode) {
    case ICR_DM_FIXED:
    case ICR_DM_NMI:
    case ICR_DM_STARTUP:
        break;
    case ICR_DM_INIT:
        /* INIT de-assert (level-triggered, level 0): no effect on a modern APIC. */
        if ((icr & (ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL)) == ICR_TRIGGER_LEVEL)
            return;
        break;
    default:
        /* Lowest priority, SMI, ExtINT: nothing a PVH guest needs. */
        pr_debug("d%u vCPU%u: x2APIC ICR mode %u ignored\n", d->domain_id, v->vcpu_id, mode);
        return;
    }
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *t = d->vcpu[i];
        if (!t)
            continue;
        bool hit = shorthand == 1 ? t == v :
                   shorthand == 2 ? true :
                   shorthand == 3 ? t != v : (dest == 0xffffffff || dest == t->vcpu_id);
        if (!hit)
            continue;
        switch (mode) {
        case ICR_DM_NMI:     hvm_inject_nmi(t); break;
        case ICR_DM_INIT:    hvm_init_ipi(t); break;
        case ICR_DM_STARTUP: hvm_startup_ipi(t, vector); break;
        default:             vlapic_set_irq(t, vector); break;
        }
    }
}

int vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct vlapic *l = vl(v);
    uint32_t reg = msr - 0x800;

    if (!(l->apic_base & APIC_BASE_X2APIC))
        return -1;
    switch (reg) {
    case REG_ID:    *val = v->vcpu_id; return 0;
    case REG_LVR:   *val = APIC_VERSION; return 0;
    case REG_TPR:   *val = l->tpr; return 0;
    case REG_PPR:   *val = ppr(l); return 0;
    case REG_LDR:   *val = ((v->vcpu_id >> 4) << 16) | (1u << (v->vcpu_id & 15)); return 0;
    case REG_SVR:   *val = l->svr; return 0;
    case REG_ESR:   *val = l->esr; return 0;
    case REG_ICR:   *val = l->icr; return 0;
    case REG_LVT_CMCI: *val = l->lvt[0]; return 0;
    case REG_TMICT: *val = l->timer_initial; return 0;
    case REG_TMCCT: *val = 0; return 0;
    case REG_TDCR:  *val = l->timer_divide; return 0;
    }
    if (reg >= REG_LVT0 && reg <= REG_LVT0 + 5) {
        *val = l->lvt[1 + reg - REG_LVT0];
        return 0;
    }
    if (reg >= REG_ISR0 && reg < REG_ISR0 + 8) {
        *val = (uint32_t)(l->isr[(reg - REG_ISR0) / 2] >> (32 * ((reg - REG_ISR0) & 1)));
        return 0;
    }
    if (reg >= REG_TMR0 && reg < REG_TMR0 + 8) {
        *val = 0;
        return 0;
    }
    if (reg >= REG_IRR0 && reg < REG_IRR0 + 8) {
        uint64_t w = __atomic_load_n(&l->irr[(reg - REG_IRR0) / 2], __ATOMIC_ACQUIRE);
        *val = (uint32_t)(w >> (32 * ((reg - REG_IRR0) & 1)));
        return 0;
    }
    return -1;                  /* reserved or write-only (EOI, SELF_IPI) */
}

int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct vlapic *l = vl(v);
    uint32_t reg = msr - 0x800;

    if (!(l->apic_base & APIC_BASE_X2APIC))
        return -1;
    if (reg != REG_ICR && (val >> 32))
        return -1;              /* reserved bits: #GP, as hardware */
    switch (reg) {
    case REG_TPR:   l->tpr = val & 0xff; return 0;
    case REG_EOI:   if (val) return -1; eoi(l); return 0;
    case REG_SVR:   l->svr = val & 0x11ff; return 0;
    case REG_ESR:   l->esr = 0; return 0;
    case REG_LVT_CMCI: l->lvt[0] = (uint32_t)val; return 0;
    case REG_ICR:   l->icr = val; send_ipi(v, val); return 0;
    case REG_TMICT: l->timer_initial = (uint32_t)val; return 0;
    case REG_TDCR:  l->timer_divide = val & 0xb; return 0;
    case REG_SELF_IPI: vlapic_set_irq(v, val & 0xff); return 0;
    }
    if (reg >= REG_LVT0 && reg <= REG_LVT0 + 5) {
        l->lvt[1 + reg - REG_LVT0] = (uint32_t)val;
        return 0;
    }
    return -1;                  /* read-only or reserved */
}

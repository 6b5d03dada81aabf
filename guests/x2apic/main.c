/*
 * x2apic: the virtual local APIC as a guest sees it.  CPUID and the APIC
 * base MSR say x2APIC, enabled; ID/version registers; self-IPIs through
 * SELF_IPI and the ICR arrive (IRR while interrupts are off, delivered once
 * they are on, in-service until EOI); TPR holds back lower classes; and
 * bad accesses #GP.  Reports TEST PASS/FAIL.
 */
#include "guest.h"
#include "traps.h"

#define MSR_APIC_BASE   0x1b
#define X2(reg)         (0x800 + (reg))
#define REG_ID          0x02
#define REG_LVR         0x03
#define REG_TPR         0x08
#define REG_EOI         0x0b
#define REG_SVR         0x0f
#define REG_ISR0        0x10
#define REG_IRR0        0x20
#define REG_ICR         0x30
#define REG_SELF_IPI    0x3f

static volatile unsigned int got[256];

static void on_irq(uint64_t vector)
{
    got[vector & 0xff]++;
    wrmsr(X2(REG_EOI), 0);
}

static bool bit_set(unsigned int reg0, unsigned int vector)
{
    return (rdmsr(X2(reg0 + vector / 32)) >> (vector % 32)) & 1;
}


void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    uint64_t v;

    if (!xen.present)
        test_fail("no hypervisor");
    check((cpuid(1).ecx >> 21) & 1, "CPUID.1:ECX reports x2APIC");
    v = rdmsr(MSR_APIC_BASE);
    check((v & 0xfffff000) == 0xfee00000 && (v & (1 << 11)) && (v & (1 << 10)) && (v & (1 << 8)),
          "APIC base %#lx: 0xfee00000, enabled, x2APIC, BSP", (unsigned long)v);
    check_ret((long)rdmsr(X2(REG_ID)), 0, "x2APIC ID of vCPU 0");
    check_ret((long)rdmsr(X2(REG_LVR)), 0x50014, "APIC version");

    guest_irq_handler = on_irq;
    wrmsr(X2(REG_SVR), 0x1ff);                  /* software-enable, spurious 0xff */

    irq_off();
    wrmsr(X2(REG_SELF_IPI), 0x40);
    check(bit_set(REG_IRR0, 0x40), "SELF_IPI 0x40 waits in IRR while interrupts are off");
    check_ret(got[0x40], 0, "not delivered with interrupts off");
    irq_on();
    check_ret(got[0x40], 1, "delivered once interrupts are on");
    check(!bit_set(REG_IRR0, 0x40) && !bit_set(REG_ISR0, 0x40), "IRR and ISR clear after EOI");

    irq_off();
    wrmsr(X2(REG_TPR), 0x50);                   /* holds back classes <= 5 */
    wrmsr(X2(REG_SELF_IPI), 0x45);
    irq_on();
    check_ret(got[0x45], 0, "vector 0x45 held back by TPR 0x50");
    wrmsr(X2(REG_TPR), 0);
    asm volatile("nop; nop" ::: "memory");
    check_ret(got[0x45], 1, "vector 0x45 delivered once TPR is lowered");

    wrmsr(X2(REG_ICR), 0x61);                   /* fixed, to itself by ID 0 */
    asm volatile("nop; nop" ::: "memory");
    check_ret(got[0x61], 1, "fixed IPI through the ICR to itself");
    wrmsr(X2(REG_ICR), (1u << 18) | 0x62);      /* shorthand: self */
    asm volatile("nop; nop" ::: "memory");
    check_ret(got[0x62], 1, "fixed IPI through the ICR, self shorthand");

    uint64_t dummy;
    check(rdmsr_safe(X2(REG_EOI), &dummy) != 0, "reading EOI (write-only) is #GP");
    check(wrmsr_safe(X2(REG_EOI), 1) != 0, "a non-zero EOI write is #GP");
    check(wrmsr_safe(X2(REG_TPR), 1ULL << 32) != 0, "reserved TPR bits are #GP");
    check(wrmsr_safe(X2(0x01), 0) != 0, "a reserved register is #GP");
    check(wrmsr_safe(MSR_APIC_BASE, 0xfee00000 | (1 << 11)) != 0,
          "leaving x2APIC mode is #GP (there is no xAPIC here)");
    irq_off();
    test_finish();
}

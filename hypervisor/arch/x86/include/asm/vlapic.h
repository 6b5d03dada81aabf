/*
 * The guest's local APIC, in x2APIC mode only (MSRs 0x800-0x8ff; no MMIO
 * to decode).  vCPUs start with it enabled in x2APIC mode.  It delivers
 * fixed interrupts a vCPU sends itself or another vCPU of its domain; its
 * timer is not emulated (Xen guests use the PV timer).
 */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <keel/types.h>

struct vlapic {
    uint64_t apic_base;
    uint32_t tpr, svr, esr;
    uint32_t lvt[7];            /* CMCI, timer, thermal, PMC, LINT0, LINT1, error */
    uint32_t timer_initial, timer_divide;
    uint64_t icr;
    uint64_t irr[4], isr[4];    /* 256 vectors each */
};

struct vcpu;

void vlapic_init(struct vcpu *v);
/* 0 handled, -1 #GP; for MSRs 0x800-0x8ff. */
int vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Highest vector that may be delivered now (TPR and in-service), or -1. */
int vlapic_pending_vector(struct vcpu *v);
/* The vector is being injected: IRR -> ISR. */
void vlapic_accept(struct vcpu *v, int vector);
/* Raise a fixed interrupt on v (any CPU may call). */
void vlapic_set_irq(struct vcpu *v, uint8_t vector);

#endif

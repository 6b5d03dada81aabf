/*
 * Hardware virtualization, vendor-neutral.  A vendor backend (svm/, later
 * vmx/) fills struct hvm_ops; the instruction semantics it decodes exits
 * into (CPUID, MSRs, port I/O, HLT, hypercalls, nested page faults) are
 * shared and live in hvm/.
 */
#ifndef ASM_HVM_H
#define ASM_HVM_H

#include <keel/types.h>

struct domain;
struct vcpu;

struct hvm_ops {
    const char *name;
    int (*cpu_up)(void);                    /* enable on this pCPU */
    int (*vcpu_create)(struct vcpu *v);
    void (*vcpu_destroy)(struct vcpu *v);
    /* PVH start state: 32-bit protected mode, paging off, %ebx = ebx. */
    void (*vcpu_set_pvh_entry)(struct vcpu *v, uint32_t eip, uint32_t ebx);
    /* STARTUP IPI state: real mode at vector:0000, everything else reset. */
    void (*vcpu_set_sipi_entry)(struct vcpu *v, uint8_t vector);
    /* Enter the guest once and handle the exit.  Interrupts off on entry, on on return. */
    void (*vcpu_run)(struct vcpu *v);
    void (*inject_exception)(struct vcpu *v, unsigned int vector, int error_code);
    /* Guest paging state for address translation. */
    void (*get_paging)(struct vcpu *v, uint64_t *cr0, uint64_t *cr3,
                       uint64_t *cr4, uint64_t *efer);
    bool (*in_64bit_mode)(struct vcpu *v);
    unsigned int (*get_cpl)(struct vcpu *v);
    /* MSR state the vendor keeps in its own structure. */
    uint64_t (*get_efer)(struct vcpu *v);       /* as the guest sees it */
    int (*set_efer)(struct vcpu *v, uint64_t efer);  /* -1: invalid */
    uint64_t (*get_pat)(struct vcpu *v);
    void (*set_pat)(struct vcpu *v, uint64_t pat);
    uint64_t (*get_tsc_offset)(struct vcpu *v);
    void (*set_tsc_offset)(struct vcpu *v, uint64_t offset);
    /* Debug keys: the vendor's view of v (registers, event injection). */
    void (*dump_vcpu)(struct vcpu *v);
};

extern const struct hvm_ops *hvm;

/* A backend's vcpu_run brackets each guest entry with these, the first
 * before it checks the vCPU's ASID, the second once the VM exit is over
 * (p2m_flush_guest_tlbs in domain.c waits on them). */
void arch_guest_entry_begin(void);
void arch_guest_exit_done(void);

/* Probe the CPU and pick a backend; false (with the reason logged) if none. */
bool hvm_init(void);
bool hvm_enabled(void);
int hvm_cpu_up(void);                       /* every pCPU */
void pvclock_init(void);                    /* guest time scale and wallclock */
void hvm_fpu_init(struct vcpu *v);
void hvm_context_switch(struct vcpu *prev, struct vcpu *next);
/* INIT: DR0-DR3 of v (the vCPU this CPU runs) back to 0. */
void hvm_debug_regs_reset(struct vcpu *v);

/* The vCPU's guest registers in struct arch_vcpu.regs (valid during exit handling). */
struct guest_regs *guest_regs(struct vcpu *v);

/* Instruction semantics, called by the vendor exit handlers. */
void hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
               uint32_t *eax, uint32_t *ebx, uint32_t *ecx, uint32_t *edx);
/* 0, or -1 when the guest gets #GP. */
int hvm_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Port I/O of size 1, 2 or 4: IN returns the value read. */
uint32_t hvm_io_in(struct vcpu *v, uint16_t port, unsigned int size);
void hvm_io_out(struct vcpu *v, uint16_t port, unsigned int size, uint32_t val);
/* Returns true when the call instruction must be re-executed (continuation). */
bool hvm_hypercall(struct vcpu *v);
void hvm_hlt(struct vcpu *v);
void hvm_inject_nmi(struct vcpu *v);
/* The INIT / STARTUP IPI protocol (hvm/vcpu_start.c). */
void hvm_init_ipi(struct vcpu *target);
void hvm_startup_ipi(struct vcpu *target, uint8_t vector);
/* Before entering v: an INIT sent to it is applied.  False: do not enter. */
bool hvm_vcpu_take_init(struct vcpu *v);
void hvm_nested_page_fault(struct vcpu *v, uint64_t gpa, uint64_t error_code);

#endif

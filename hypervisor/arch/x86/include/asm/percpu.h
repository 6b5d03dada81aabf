/*
 * Per-CPU data on x86-64: each CPU's GS base points at its struct cpu_info,
 * whose first field points at itself, so this_cpu() is one load.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <keel/types.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

#define GDT_ENTRIES 8   /* null, code, data, (unused), TSS (2 slots), spare */

struct cpu_info {
    struct cpu_info *self;          /* %gs:0 */
    unsigned int id;                /* %gs:8: logical CPU number */
    uint32_t apic_id;
    uintptr_t stack_base, stack_top;
    uintptr_t ist_base[3], ist_top[3];
    struct tss tss __attribute__((aligned(16)));
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
    volatile bool online;

    /* Cross-CPU function call slot (smp.c). */
    void (*volatile call_fn)(void *);
    void *volatile call_data;
    volatile bool call_done;

    /* Virtualization (schedule.c, hvm/, svm/). */
    struct vcpu *curr_vcpu;         /* vCPU this CPU runs; NULL: idle */
    struct vcpu *fpu_owner;         /* whose FPU state is in the registers */
    paddr_t svm_hsave_pa;           /* VM_HSAVE_PA page */
    paddr_t svm_host_vmcb_pa;       /* host state for VMLOAD after an exit */
    uint32_t next_asid;             /* next free ASID in this generation */
    uint64_t asid_generation;
    /* Odd from before the entry's ASID check until its VM exit is over:
     * p2m_flush_guest_tlbs() waits for it to move (domain.c). */
    uint64_t guest_seq;
};

extern struct cpu_info *cpu_info[];

static inline struct cpu_info *this_cpu(void)
{
    struct cpu_info *c;
    __asm__ __volatile__("mov %%gs:0, %0" : "=r"(c));
    return c;
}

static inline unsigned int smp_processor_id(void)
{
    unsigned int id;
    __asm__ __volatile__("movl %%gs:8, %0" : "=r"(id));
    return id;
}

#endif

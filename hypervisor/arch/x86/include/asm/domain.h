/* x86 parts of struct domain and struct vcpu. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

/* Offsets for the VMRUN assembly (checked in svm.c). */
#define GREGS_RBX 0x08
#define GREGS_RCX 0x10
#define GREGS_RDX 0x18
#define GREGS_RSI 0x20
#define GREGS_RDI 0x28
#define GREGS_RBP 0x30
#define GREGS_R8  0x40
#define GREGS_R9  0x48
#define GREGS_R10 0x50
#define GREGS_R11 0x58
#define GREGS_R12 0x60
#define GREGS_R13 0x68
#define GREGS_R14 0x70
#define GREGS_R15 0x78

#ifndef __ASSEMBLER__
#include <keel/spinlock.h>
#include <asm/pit.h>
#include <asm/vlapic.h>
#include <keel/types.h>

/* Guest-physical to host mapping: a 4-level table in the NPT format. */
struct p2m {
    spinlock_t lock;
    paddr_t root;               /* PML4 of the nested page table */
    uint64_t table_pages;       /* page-table pages held */
    uint64_t max_table_pages;   /* what the domain may make it hold (p2m.c) */
    uint64_t generation;        /* bumped when a mapping changes or goes */
};

struct arch_domain {
    struct p2m p2m;
    uint64_t guest_ram_top;     /* highest guest-physical RAM byte + 1 */
    uint32_t msr_logged[16];    /* MSRs already reported as unknown */
    unsigned int nr_msr_logged;
    struct pit pit;             /* i8254 counters and port 0x61 (hvm/pit.c) */
};

/* Guest general-purpose registers while the vCPU is in the hypervisor. */
struct guest_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct vmcb;

struct arch_vcpu {
    struct guest_regs regs;     /* rax/rsp/rip/rflags synced with the VMCB */
    struct vmcb *vmcb;
    paddr_t vmcb_pa;
    uint32_t asid;
    uint64_t asid_generation;
    int asid_cpu;               /* pCPU the ASID belongs to (-1: none) */
    uint64_t p2m_generation;    /* of the P2M its TLB entries came from */
    uint64_t pending_event;     /* EVENTINJ-format event for the next entry */
    bool nmi_pending;           /* an NMI to deliver when nothing else is */
    uint64_t npf_retry_gfn;     /* last nested page fault found present (hvm.c) */
    /* Exits by reason, for the debug dump (the vendor's numbering, folded
     * into EXIT_STATS slots by the backend). */
#define EXIT_STATS 64
    uint32_t exit_stats[EXIT_STATS];
    /* INIT / STARTUP IPIs (hvm/vcpu_start.c), under its lock. */
    bool wait_sipi;             /* offline until a STARTUP IPI */
    bool init_pending;          /* an INIT the (online) vCPU has yet to apply */
    int sipi_vector;            /* a STARTUP IPI that came meanwhile; -1: none */
    struct vlapic vlapic;
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE image */
    /* DR0-DR3: VMRUN switches DR6 and DR7 only, and guests use the others
     * without an exit, so they are switched with the vCPU (hvm.c). */
    uint64_t dr[4];
};

#endif /* !__ASSEMBLER__ */

#endif

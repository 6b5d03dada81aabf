/*
 * The VMCB (AMD APM vol. 2, appendix B): a 4 KiB page per vCPU with the
 * control area (what to intercept, event injection, exit information) and
 * the guest state save area.  Private to svm/.
 */
#ifndef SVM_VMCB_H
#define SVM_VMCB_H

#include <keel/compiler.h>
#include <keel/types.h>

struct vmcb_seg {
    uint16_t sel;
    uint16_t attr;      /* type:4 S:1 DPL:2 P:1 AVL:1 L:1 DB:1 G:1 */
    uint32_t limit;
    uint64_t base;
} __packed;

struct vmcb {
    /* Control area, 0x000 - 0x3ff. */
    uint32_t intercept_cr;          /* 0x000: low 16 reads, high 16 writes */
    uint32_t intercept_dr;          /* 0x004 */
    uint32_t intercept_exceptions;  /* 0x008 */
    uint32_t intercept_misc1;       /* 0x00c */
    uint32_t intercept_misc2;       /* 0x010 */
    uint32_t intercept_misc3;       /* 0x014 */
    uint8_t  res0[0x03c - 0x018];
    uint16_t pause_filter_thresh;   /* 0x03c */
    uint16_t pause_filter_count;    /* 0x03e */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t  tlb_control;           /* 0x05c */
    uint8_t  res1[3];
    uint64_t vintr;                 /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING ... */
    uint64_t interrupt_shadow;      /* 0x068 */
    uint64_t exitcode;              /* 0x070 */
    uint64_t exitinfo1;             /* 0x078 */
    uint64_t exitinfo2;             /* 0x080 */
    uint64_t exitintinfo;           /* 0x088 */
    uint64_t np_enable;             /* 0x090 */
    uint8_t  res2[0x0a8 - 0x098];
    uint64_t eventinj;              /* 0x0a8 */
    uint64_t n_cr3;                 /* 0x0b0 */
    uint64_t virt_ext;              /* 0x0b8: LBR virtualization, ... */
    uint32_t clean_bits;            /* 0x0c0 */
    uint32_t res3;
    uint64_t nrip;                  /* 0x0c8 */
    uint8_t  insn_len;              /* 0x0d0 */
    uint8_t  insn_bytes[15];
    uint8_t  res4[0x400 - 0x0e0];

    /* State save area, 0x400 - . */
    struct vmcb_seg es, cs, ss, ds, fs, gs;     /* 0x400 */
    struct vmcb_seg gdtr, ldtr, idtr, tr;       /* 0x460 */
    uint8_t  res5[0x4cb - 0x4a0];
    uint8_t  cpl;                   /* 0x4cb */
    uint32_t res6;
    uint64_t efer;                  /* 0x4d0 */
    uint8_t  res7[0x548 - 0x4d8];
    uint64_t cr4;                   /* 0x548 */
    uint64_t cr3;                   /* 0x550 */
    uint64_t cr0;                   /* 0x558 */
    uint64_t dr7;                   /* 0x560 */
    uint64_t dr6;                   /* 0x568 */
    uint64_t rflags;                /* 0x570 */
    uint64_t rip;                   /* 0x578 */
    uint8_t  res8[0x5d8 - 0x580];
    uint64_t rsp;                   /* 0x5d8 */
    uint8_t  res9[0x5f8 - 0x5e0];
    uint64_t rax;                   /* 0x5f8 */
    uint64_t star;                  /* 0x600 */
    uint64_t lstar;                 /* 0x608 */
    uint64_t cstar;                 /* 0x610 */
    uint64_t sfmask;                /* 0x618 */
    uint64_t kernel_gs_base;        /* 0x620 */
    uint64_t sysenter_cs;           /* 0x628 */
    uint64_t sysenter_esp;          /* 0x630 */
    uint64_t sysenter_eip;          /* 0x638 */
    uint64_t cr2;                   /* 0x640 */
    uint8_t  res10[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668 */
    uint64_t dbgctl;                /* 0x670 */
    uint8_t  res11[0x1000 - 0x678];
} __packed;

STATIC_ASSERT(sizeof(struct vmcb) == 0x1000);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, iopm_base_pa) == 0x040);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, asid) == 0x058);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, exitcode) == 0x070);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, eventinj) == 0x0a8);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, nrip) == 0x0c8);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, es) == 0x400);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, tr) == 0x490);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, cpl) == 0x4cb);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, efer) == 0x4d0);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, cr4) == 0x548);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, rip) == 0x578);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, rsp) == 0x5d8);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, rax) == 0x5f8);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, cr2) == 0x640);
STATIC_ASSERT(__builtin_offsetof(struct vmcb, g_pat) == 0x668);

/* intercept_misc1 */
#define MISC1_INTR        (1u << 0)
#define MISC1_NMI         (1u << 1)
#define MISC1_SMI         (1u << 2)
#define MISC1_INIT        (1u << 3)
#define MISC1_CPUID       (1u << 18)
#define MISC1_INVD        (1u << 22)
#define MISC1_HLT         (1u << 24)
#define MISC1_INVLPGA     (1u << 26)
#define MISC1_IOIO        (1u << 27)
#define MISC1_MSR         (1u << 28)
#define MISC1_TASK_SWITCH (1u << 29)
#define MISC1_SHUTDOWN    (1u << 31)
/* intercept_misc2 */
#define MISC2_VMRUN       (1u << 0)
#define MISC2_VMMCALL     (1u << 1)
#define MISC2_VMLOAD      (1u << 2)
#define MISC2_VMSAVE      (1u << 3)
#define MISC2_STGI        (1u << 4)
#define MISC2_CLGI        (1u << 5)
#define MISC2_SKINIT      (1u << 6)
#define MISC2_ICEBP       (1u << 8)
#define MISC2_MONITOR     (1u << 10)
#define MISC2_MWAIT       (1u << 11)
#define MISC2_MWAIT_COND  (1u << 12)
#define MISC2_XSETBV      (1u << 13)

#define VINTR_MASKING     (1ULL << 24)
#define VINTR_V_IRQ       (1ULL << 8)
#define VINTR_PRIO_MAX    (0xfULL << 16)
#define VINTR_IGN_TPR     (1ULL << 20)
#define MISC1_VINTR       (1u << 4)
#define VMEXIT_VINTR      0x064

/* EVENTINJ / EXITINTINFO */
#define EVENT_VALID       (1ULL << 31)
#define EVENT_ERR_VALID   (1ULL << 11)
#define EVENT_TYPE_INTR   (0ULL << 8)
#define EVENT_TYPE_NMI    (2ULL << 8)
#define EVENT_TYPE_EXC    (3ULL << 8)
#define EVENT_TYPE_SOFT   (4ULL << 8)

/* Exit codes. */
#define VMEXIT_EXCP_BASE  0x040
#define VMEXIT_INTR       0x060
#define VMEXIT_NMI        0x061
#define VMEXIT_SMI        0x062
#define VMEXIT_INIT       0x063
#define VMEXIT_CPUID      0x072
#define VMEXIT_INVD       0x076
#define VMEXIT_HLT        0x078
#define VMEXIT_INVLPGA    0x07a
#define VMEXIT_IOIO       0x07b
#define VMEXIT_MSR        0x07c
#define VMEXIT_TASK_SWITCH 0x07d
#define VMEXIT_SHUTDOWN   0x07f
#define VMEXIT_VMRUN      0x080
#define VMEXIT_VMMCALL    0x081
#define VMEXIT_VMLOAD     0x082
#define VMEXIT_VMSAVE     0x083
#define VMEXIT_STGI       0x084
#define VMEXIT_CLGI       0x085
#define VMEXIT_SKINIT     0x086
#define VMEXIT_ICEBP      0x088
#define VMEXIT_MONITOR    0x08a
#define VMEXIT_MWAIT      0x08b
#define VMEXIT_MWAIT_COND 0x08c
#define VMEXIT_XSETBV     0x08d
#define VMEXIT_NPF        0x400
#define VMEXIT_INVALID    0xffffffffu

/* Segment attributes in the VMCB's compressed form. */
#define SEG_CODE32  0xc9b   /* present, DPL 0, exec/read accessed, D, G */
#define SEG_DATA32  0xc93
#define SEG_CODE64  0xa9b   /* L instead of D */
#define SEG_TSS32B  0x08b   /* busy 32-bit TSS */
#define SEG_CODE16  0x09b   /* real mode: present, exec/read accessed */
#define SEG_DATA16  0x093
#define SEG_TSS16B  0x083   /* busy 16-bit TSS, as after reset */
#define SEG_LDT     0x082
#define SEG_ATTR_L  (1u << 9)

#endif

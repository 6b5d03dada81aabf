/* Descriptor tables (GDT, TSS, IDT) and the saved register frame. */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#define HV_CS   0x08
#define HV_DS   0x10
#define HV_TSS  0x20

/* IST slots (1-based, as the IDT encodes them). */
#define IST_NMI 1
#define IST_DF  2
#define IST_MC  3
#define IST_STACK_SIZE 8192

#ifndef __ASSEMBLER__
#include <keel/types.h>

/* Saved by entry.S; the order is the reverse of its pushes. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  /* pushed by the CPU */
};

struct cpu_info;
void idt_init(void);                    /* once, on the boot CPU */
void cpu_tables_load(struct cpu_info *c); /* GDT, TSS, IDT for this CPU */

typedef void (*irq_handler_t)(struct cpu_regs *regs);
void set_irq_handler(unsigned int vector, irq_handler_t fn);
#endif

#endif

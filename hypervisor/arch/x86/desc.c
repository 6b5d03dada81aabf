/*
 * Per-CPU GDT and TSS (with IST stacks for NMI, #DF and #MC, so that those
 * run on a known-good stack even when the current one is broken) and the
 * IDT shared by all CPUs.
 */
#include <keel/lib.h>
#include <asm/desc.h>
#include <asm/percpu.h>

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const char interrupt_stubs[];    /* entry.S: 16 bytes per vector */

static void idt_set_gate(unsigned int vec, unsigned int ist)
{
    uint64_t addr = (uint64_t)(interrupt_stubs + 16 * vec);
    idt[vec] = (struct idt_gate){
        .offset_lo = addr & 0xffff,
        .selector = HV_CS,
        .ist = ist,
        .type_attr = 0x8e,          /* present, DPL 0, interrupt gate */
        .offset_mid = (addr >> 16) & 0xffff,
        .offset_hi = addr >> 32,
    };
}

void idt_init(void)
{
    for (unsigned int v = 0; v < 256; v++)
        idt_set_gate(v, 0);
    idt_set_gate(2, IST_NMI);
    idt_set_gate(8, IST_DF);
    idt_set_gate(18, IST_MC);
}

static void gdt_fill(struct cpu_info *c)
{
    uint64_t tss = (uint64_t)&c->tss;
    uint64_t limit = sizeof(c->tss) - 1;

    memset(c->gdt, 0, sizeof(c->gdt));
    c->gdt[HV_CS / 8] = 0x00af9a000000ffffULL;  /* 64-bit code, DPL 0 */
    c->gdt[HV_DS / 8] = 0x00cf92000000ffffULL;  /* data */
    /* 64-bit available TSS: a 16-byte descriptor. */
    c->gdt[HV_TSS / 8] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
                         (0x89ULL << 40) | (((limit >> 16) & 0xf) << 48) |
                         (((tss >> 24) & 0xff) << 56);
    c->gdt[HV_TSS / 8 + 1] = tss >> 32;
}

void cpu_tables_load(struct cpu_info *c)
{
    struct desc_ptr gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

    memset(&c->tss, 0, sizeof(c->tss));
    for (int i = 0; i < 3; i++)
        c->tss.ist[i] = c->ist_top[i];
    c->tss.iomap_base = sizeof(c->tss);     /* no I/O bitmap */
    gdt_fill(c);

    __asm__ __volatile__(
        "lgdt %0\n\t"
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %[ds], %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%ss\n\t"
        "ltr %w[tss]\n\t"
        "lidt %1"
        :: "m"(gdtr), "m"(idtr), [cs] "i"(HV_CS), [ds] "i"(HV_DS),
           [tss] "r"(HV_TSS)
        : "rax", "memory");
}

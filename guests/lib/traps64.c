/*
 * Exceptions in 64-bit guests.  An exception at an instruction listed in
 * .ex_table (the *_safe helpers) resumes at its fixup with EAX = 0x100 |
 * vector; any other one is reported through the console with its vector
 * and RIP, then "TEST FAIL" and a crash shutdown.  Interrupts stay disabled
 * in the test guests, so every vector arriving here is unexpected.
 */
#include "guest.h"
#include "traps.h"

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;     /* pushed by the CPU */
};

struct ex_entry {
    uint64_t insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const char trap_stubs[];      /* 256 stubs, 16 bytes apart */

#define SEL_CODE64     0x08
#define GATE_INTR      0x8e          /* present, DPL 0, 64-bit interrupt gate */
#define STUB_SIZE      16

void traps_init(void)
{
    for (unsigned int v = 0; v < 256; v++) {
        uint64_t a = (uintptr_t)trap_stubs + v * STUB_SIZE;

        idt[v] = (struct idt_gate){
            .offset_lo = a & 0xffff, .selector = SEL_CODE64, .type = GATE_INTR,
            .offset_mid = (a >> 16) & 0xffff, .offset_hi = a >> 32,
        };
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };
    asm volatile("lidt %0" :: "m"(idtr));
}

static const char *vector_name(uint64_t v)
{
    static const char *const names[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
        "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
        "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
        "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
    };

    return v < 32 ? names[v] : "interrupt";
}

void (*guest_irq_handler)(uint64_t vector);
bool (*guest_exception_handler)(uint64_t vector, uint64_t error, uint64_t *rip);

void trap_handler(struct trap_frame *f);
void trap_handler(struct trap_frame *f)
{
    static int depth;

    /* An external interrupt a test asked for (vectors 32-255). */
    if (f->vector >= 32 && guest_irq_handler) {
        guest_irq_handler(f->vector);
        return;
    }
    if (f->vector < 32 && guest_exception_handler &&
        guest_exception_handler(f->vector, f->error, &f->rip))
        return;

    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->insn == f->rip) {
            f->rip = e->fixup;
            f->rax = 0x100 | f->vector;
            return;
        }
    }

    /* A fault while reporting one: no more printing through the path that
     * may be what is broken. */
    if (depth++) {
        e9_printf("nested exception vector %lu at rip %#lx\n",
                  (unsigned long)f->vector, (unsigned long)f->rip);
        guest_shutdown(3 /* SHUTDOWN_crash */);
    }

    /* Lower case on purpose: the boot tests treat an upper-case
     * "EXCEPTION" as a hypervisor crash. */
    printf("unexpected exception vector %lu (%s) at rip %#lx, error %#lx, cr2 %#lx\n",
           (unsigned long)f->vector, vector_name(f->vector), (unsigned long)f->rip,
           (unsigned long)f->error, read_cr2());
    printf("  rax %#lx rbx %#lx rcx %#lx rdx %#lx\n", (unsigned long)f->rax,
           (unsigned long)f->rbx, (unsigned long)f->rcx, (unsigned long)f->rdx);
    printf("  rsi %#lx rdi %#lx rbp %#lx rsp %#lx rflags %#lx\n", (unsigned long)f->rsi,
           (unsigned long)f->rdi, (unsigned long)f->rbp, (unsigned long)f->rsp,
           (unsigned long)f->rflags);
    guest_crash("unexpected exception %s (vector %lu) at rip %#lx",
                vector_name(f->vector), (unsigned long)f->vector, (unsigned long)f->rip);
}

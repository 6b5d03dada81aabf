/* Interrupt flag and CPU-relax primitives for x86-64. */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

#include <stdint.h>

static inline void cpu_relax(void) { __asm__ __volatile__("pause" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ __volatile__("cli" ::: "memory"); }
static inline void local_irq_enable(void) { __asm__ __volatile__("sti" ::: "memory"); }

static inline unsigned long read_rflags(void)
{
    unsigned long f;
    __asm__ __volatile__("pushfq; popq %0" : "=r"(f) :: "memory");
    return f;
}

#define X86_RFLAGS_IF (1UL << 9)
static inline int local_irq_is_enabled(void) { return !!(read_rflags() & X86_RFLAGS_IF); }

#define local_irq_save(flags) \
    do { (flags) = read_rflags(); local_irq_disable(); } while (0)
#define local_irq_restore(flags) \
    do { if ((flags) & X86_RFLAGS_IF) local_irq_enable(); } while (0)

static inline void halt(void) { __asm__ __volatile__("hlt" ::: "memory"); }
/* Enable interrupts and halt with no window for a wake-up to slip in. */
static inline void safe_halt(void) { __asm__ __volatile__("sti; hlt" ::: "memory"); }

#endif

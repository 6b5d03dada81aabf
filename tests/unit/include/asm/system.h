/* Host stand-ins for the arch interrupt primitives (unit tests only). */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

static inline void cpu_relax(void) { }
static inline void local_irq_disable(void) { }
static inline void local_irq_enable(void) { }
static inline int local_irq_is_enabled(void) { return 1; }
#define local_irq_save(flags) do { (flags) = 0; } while (0)
#define local_irq_restore(flags) do { (void)(flags); } while (0)

#endif

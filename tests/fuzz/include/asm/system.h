/*
 * Host stand-ins for the arch interrupt primitives, for the fuzz targets.
 * They run on one thread, so a lock that is found taken, or a wait for
 * another CPU (cpu_relax in a spin loop), can never end: it is a
 * deadlock (a lock taken twice, or never released), reported at once
 * instead of hanging until libFuzzer's timeout.
 */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

void fz_deadlock(void) __attribute__((noreturn));

static inline void cpu_relax(void) { fz_deadlock(); }
static inline void local_irq_disable(void) { }
static inline void local_irq_enable(void) { }
static inline int local_irq_is_enabled(void) { return 1; }
#define local_irq_save(flags) do { (flags) = 0; } while (0)
#define local_irq_restore(flags) do { (void)(flags); } while (0)

#endif

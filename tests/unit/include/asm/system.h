/* Host stand-ins for the arch interrupt primitives (unit tests only). */
#ifndef ASM_SYSTEM_H
#define ASM_SYSTEM_H

#ifdef HOST_SINGLE_THREAD
/*
 * The fuzz targets run on one thread: a spin loop (a lock found taken, a
 * wait for another CPU) can never end there, so it is reported as the
 * deadlock it is instead of hanging until libFuzzer's timeout.
 */
void host_deadlock(void) __attribute__((noreturn));
static inline void cpu_relax(void) { host_deadlock(); }
#else
static inline void cpu_relax(void) { }
#endif
static inline void local_irq_disable(void) { }
static inline void safe_halt(void) { }
static inline void local_irq_enable(void) { }
static inline int local_irq_is_enabled(void) { return 1; }
#define local_irq_save(flags) do { (flags) = 0; } while (0)
#define local_irq_restore(flags) do { (void)(flags); } while (0)

#endif

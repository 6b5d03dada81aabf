/* Exception handling of 64-bit guests (traps64.c); nothing on 32-bit. */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#ifdef __x86_64__
void traps_init(void);
/* Set by a test that enables interrupts: called for vectors 32-255. */
extern void (*guest_irq_handler)(uint64_t vector);
/*
 * Set by a test that provokes exceptions on purpose (vectors 0-31, NMI
 * included): returns true if it handled the one at *rip, which it may move
 * past the faulting instruction; false lets the usual report run.
 */
extern bool (*guest_exception_handler)(uint64_t vector, uint64_t error, uint64_t *rip);
#else
static inline void traps_init(void) {}
#endif

#endif

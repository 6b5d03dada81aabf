/* Exception handling of 64-bit guests (traps64.c); nothing on 32-bit. */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#ifdef __x86_64__
void traps_init(void);
/* Set by a test that enables interrupts: called for vectors 32-255. */
extern void (*guest_irq_handler)(uint64_t vector);
#else
static inline void traps_init(void) {}
#endif

#endif

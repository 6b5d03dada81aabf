/* Exception handling of 64-bit guests (traps64.c); nothing on 32-bit. */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#ifdef __x86_64__
void traps_init(void);
#else
static inline void traps_init(void) {}
#endif

#endif

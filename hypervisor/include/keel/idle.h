#ifndef KEEL_IDLE_H
#define KEEL_IDLE_H

#include <keel/compiler.h>

/* Each CPU ends up here: run softirqs, otherwise halt until an interrupt. */
void __noreturn idle_loop(void);

/* Arch: power the machine off; returns only if it could not. */
void machine_poweroff(void);

#endif

#ifndef KEEL_IDLE_H
#define KEEL_IDLE_H

#include <keel/compiler.h>

/* Arch: power the machine off; returns only if it could not. */
void machine_poweroff(void);

#endif

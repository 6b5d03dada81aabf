/* The panic path: report, stop every CPU, halt. */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

#include <keel/bug.h>
#include <keel/types.h>

extern volatile bool panic_in_progress;

/* Arch hooks used by panic(). */
void arch_print_stack_trace(uintptr_t rbp);      /* from a frame pointer */
unsigned int arch_stop_other_cpus(void);         /* returns how many stopped */
void __noreturn arch_halt_forever(void);         /* interrupts off, halted */

#endif

#ifndef ASM_SMPBOOT_H
#define ASM_SMPBOOT_H

#include <keel/types.h>

struct cpu_info;

/* The boot CPU's cpu_info, set up before anything else (GS base). */
void smp_init_boot_cpu(void);
/* Start the other CPUs of the MADT, at most max_cpus in all (0: no limit). */
void smp_boot_secondary_cpus(unsigned int max_cpus, paddr_t trampoline_pa);

#endif

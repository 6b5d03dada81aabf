/*
 * How to build (and rebuild) a boot domain: what its module string said
 * (common/boot_domain.c parses it) plus where its boot modules are.  Kept
 * apart from keel/domain.h so that the parser and its host tests need
 * nothing arch-specific; keel/domain.h includes this file.
 */
#ifndef KEEL_DOMAIN_CONFIG_H
#define KEEL_DOMAIN_CONFIG_H

#include <keel/types.h>

#define MAX_VIRT_CPUS       64
#define DOMAIN_NAME_MAX     32      /* with the NUL */
#define DOMAIN_CMDLINE_MAX  512     /* guest command line, with the NUL */

enum domain_action {
    ACTION_DESTROY,     /* free everything */
    ACTION_RESTART,     /* rebuild from the same boot modules and run again */
    ACTION_PRESERVE,    /* keep it (memory and state) for inspection */
};

struct domain_config {
    char name[DOMAIN_NAME_MAX];
    uint64_t memory_mib;
    unsigned int vcpus;
    bool is_privileged;             /* dom0 */
    unsigned int weight, cap;       /* scheduler: weight (default 256), cap % (0: none) */
    enum domain_action on_poweroff, on_reboot, on_crash;
    unsigned int restart_limit;     /* restarts allowed (0: unlimited) */
    paddr_t kernel_start, kernel_end;     /* the boot module */
    paddr_t ramdisk_start, ramdisk_end;   /* 0 when none */
    char cmdline[DOMAIN_CMDLINE_MAX];     /* guest command line (after "--") */
};

#endif

/* Host stand-in for the arch parts of struct domain / struct vcpu. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <keel/types.h>

struct arch_domain {
    uint64_t guest_ram_top;
};

struct arch_vcpu {
    uint64_t unused;
};

#endif

/* Host stand-in for the arch parts of struct domain / struct vcpu. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <keel/types.h>

struct fake_p2m;

struct arch_domain {
    uint64_t guest_ram_top;
    struct fake_p2m *p2m;           /* tests/unit/fake_p2m.c, for tests that use it */
};

struct arch_vcpu {
    uint64_t unused;
};

#endif

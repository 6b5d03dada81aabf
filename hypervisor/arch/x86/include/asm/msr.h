/* Model-specific registers. */
#ifndef ASM_MSR_H
#define ASM_MSR_H

#include <keel/types.h>

#define MSR_APIC_BASE      0x0000001b
#define  APIC_BASE_BSP     (1ULL << 8)
#define  APIC_BASE_X2APIC  (1ULL << 10)
#define  APIC_BASE_ENABLE  (1ULL << 11)
#define MSR_X2APIC_BASE    0x00000800
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

#endif

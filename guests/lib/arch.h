/*
 * x86 instructions the guests use, for both -m64 and -m32 builds.
 */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;

    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
    return cpuid_count(leaf, 0);
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    /* volatile: two reads must not be merged or moved across a loop. */
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    asm volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val),
                 "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t val)
{
    asm volatile("outb %0, %1" :: "a"(val), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t val)
{
    asm volatile("outl %0, %1" :: "a"(val), "Nd"(port));
}

static inline void cpu_relax(void)
{
    asm volatile("pause" ::: "memory");
}

/* Interrupts on for a moment (two instructions: the STI shadow ends), or off. */
static inline void irq_on(void) { asm volatile("sti; nop; nop" ::: "memory"); }
static inline void irq_off(void) { asm volatile("cli" ::: "memory"); }

/* Interrupts stay off in every test guest, so this sleeps for good. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
    for (;;)
        asm volatile("cli; hlt" ::: "memory");
}

static inline unsigned long read_cr2(void)
{
    unsigned long v;

    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline unsigned long read_cr3(void)
{
    unsigned long v;

    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void invlpg(unsigned long va)
{
    asm volatile("invlpg (%0)" :: "r"(va) : "memory");
}

#endif

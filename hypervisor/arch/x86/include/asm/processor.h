/* CPU instructions wrapped for C: CPUID, control registers, TSC, TLB. */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <keel/types.h>
#include <asm/system.h>

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r;
    __asm__ __volatile__("cpuid"
                         : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                         : "a"(leaf), "c"(sub));
    return r;
}
static inline struct cpuid_regs cpuid(uint32_t leaf) { return cpuid_count(leaf, 0); }

#define DEFINE_CR_ACCESS(n) \
    static inline uint64_t read_cr##n(void) \
    { uint64_t v; __asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
    static inline void write_cr##n(uint64_t v) \
    { __asm__ __volatile__("mov %0, %%cr" #n :: "r"(v) : "memory"); }
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void invlpg(const void *va)
{
    __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
}

/* Flush the whole TLB, global entries included (toggle CR4.PGE). */
static inline void flush_tlb_all(void)
{
    uint64_t cr4 = read_cr4();
    if (cr4 & (1 << 7)) {
        write_cr4(cr4 & ~(1ULL << 7));
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}

static inline uint64_t read_rbp(void)
{
    uint64_t v;
    __asm__ __volatile__("mov %%rbp, %0" : "=r"(v));
    return v;
}

#endif

/*
 * mode=storm: interrupt and exception storms.  Each storm is counted: the
 * guest must see exactly the events it caused (nothing lost, nothing
 * extra), and the hypervisor must go on serving everyone else meanwhile.
 *   - self-IPIs through the virtual x2APIC (SELF_IPI and the ICR, every
 *     shorthand), handled and EOI'd, some re-entrant (a handler sending the
 *     next, higher vector before its EOI);
 *   - NMIs to itself; STARTUP IPIs to itself (ignored: it is running);
 *     IPIs to vCPUs that do not exist; delivery modes the APIC ignores;
 *   - software interrupts (INT n, INT3);
 *   - exception loops the guest handles: #UD (UD2, and the SVM/XSETBV
 *     instructions Keel answers with #UD), #GP (RDMSR/WRMSR of MSRs no one
 *     has: each an exit; Keel logs each MSR once and must not flood its
 *     log), #PF (unmapped addresses), #DE;
 *   - port I/O and string port I/O with buffers outside the P2M (#GP);
 *   - DR0-DR3, MXCSR and the x87 control word scribbled with patterns: no
 *     other domain may see them (the victim keeps its own and checks them).
 * Left out: INIT to itself (it would wait for a STARTUP IPI nobody sends
 * and never finish) and HLT with interrupts off (sleeps for good).
 */
#include "attack.h"
#include "traps.h"

#ifdef __x86_64__     /* the 32-bit build (attack32) has the random mode only */

#define X2APIC_MSR(reg)  (0x800u + (reg))
#define REG_EOI          0x0b
#define REG_SVR          0x0f
#define REG_ICR          0x30
#define REG_SELF_IPI     0x3f
#define ICR_SELF         (1u << 18)
#define ICR_ALL_INCL     (2u << 18)
#define ICR_ALL_EXCL     (3u << 18)
#define ICR_NMI          (4u << 8)
#define ICR_STARTUP      (6u << 8)
#define ICR_INIT         (5u << 8)
#define ICR_LOWEST       (1u << 8)
#define ICR_SMI          (2u << 8)

#define VEC_BASE         0x40
#define VEC_SOFT         0x29        /* INT n only: no APIC interrupt uses it */
#define VEC_CHAIN        8           /* re-entrant chain: VEC_BASE .. +8*16 */

static volatile uint32_t irqs[256];
static volatile uint32_t exceptions[32];
/* Where a provoked fault resumes (just past the faulting instruction); 0: none. */
uint64_t storm_resume;
static volatile unsigned int chain_left;

static void eoi(void)
{
    wrmsr(X2APIC_MSR(REG_EOI), 0);
}

static void on_irq(uint64_t vector)
{
    irqs[vector & 0xff]++;
    /* A chain: the next class up, sent before our EOI, preempts us. */
    if (vector >= VEC_BASE + 0x10 && chain_left) {
        chain_left--;
        if (vector + 0x10 < 0x100)
            wrmsr(X2APIC_MSR(REG_SELF_IPI), vector + 0x10);
    }
    if (vector != VEC_SOFT)          /* INT n is not an APIC interrupt: no EOI */
        eoi();
}

static bool on_exception(uint64_t vector, uint64_t error, uint64_t *rip)
{
    (void)error;
    exceptions[vector]++;
    if (vector == 2 || vector == 3)  /* NMI, INT3: RIP is already past it */
        return true;
    if (!storm_resume)
        return false;
    *rip = storm_resume;
    return true;
}

/*
 * Run insn n times (interrupts off); each must fault with `vector`, and
 * the handler resumes right after it (the label's address, taken first).
 */
#define FAULT_LOOP(what, vector, n, insn, ...)                                   \
    do {                                                                         \
        uint32_t before_ = exceptions[vector];                                   \
        for (uint32_t i_ = 0; i_ < (n); i_++)                                    \
            asm volatile("lea 2f(%%rip), %%r11\n\t"                              \
                         "mov %%r11, storm_resume(%%rip)\n\t"                    \
                         insn "\n2:" :: __VA_ARGS__ : "r11", "memory");          \
        storm_resume = 0;                                                        \
        check_ret(exceptions[vector] - before_, (n), "%s: %u faults", what, (n)); \
    } while (0)

static void self_ipis(void)
{
    const uint32_t n = 20000;

    wrmsr(X2APIC_MSR(REG_SVR), 0x1ff);
    irq_on();
    for (uint32_t i = 0; i < n; i++)
        wrmsr(X2APIC_MSR(REG_SELF_IPI), VEC_BASE + (i & 7));
    irq_off();
    uint32_t got = 0;
    for (unsigned int v = VEC_BASE; v < VEC_BASE + 8; v++)
        got += irqs[v];
    check_ret(got, n, "SELF_IPI storm: %u interrupts delivered", n);

    /* ICR: to ourselves by shorthand, by ID, to all including us. */
    static const struct {
        const char *what;
        uint64_t icr;
    } to_self[] = {
        { "ICR self shorthand", ICR_SELF | 0x51 },
        { "ICR to vCPU 0 by ID", 0x52 },
        { "ICR all including self", ICR_ALL_INCL | 0x53 },
        { "ICR broadcast ID", (0xffffffffull << 32) | 0x54 },
    };
    for (unsigned int k = 0; k < ARRAY_SIZE(to_self); k++) {
        uint32_t before = irqs[to_self[k].icr & 0xff];
        irq_on();
        for (uint32_t i = 0; i < 2000; i++)
            wrmsr(X2APIC_MSR(REG_ICR), to_self[k].icr);
        irq_off();
        check_ret(irqs[to_self[k].icr & 0xff] - before, 2000, "%s: 2000 interrupts",
                  to_self[k].what);
    }

    /* Nobody to receive, or modes the APIC ignores: nothing arrives. */
    static const uint64_t to_none[] = {
        ICR_ALL_EXCL | 0x55, (5ull << 32) | 0x55, (1000ull << 32) | 0x55,
        ICR_LOWEST | ICR_SELF | 0x55, ICR_SMI | ICR_SELF, (7u << 8) | ICR_SELF | 0x55,
        (3u << 8) | ICR_SELF | 0x55, ICR_INIT | (5ull << 32), ICR_STARTUP | (5ull << 32) | 0x10,
        ICR_STARTUP | ICR_SELF | 0x10, ICR_SELF | 0x05, /* an illegal vector: dropped */
    };
    uint32_t all_before = 0, all_after = 0;
    for (unsigned int v = 0; v < 256; v++)
        all_before += irqs[v];
    irq_on();
    for (uint32_t i = 0; i < 2000; i++)
        wrmsr(X2APIC_MSR(REG_ICR), to_none[i % ARRAY_SIZE(to_none)]);
    irq_off();
    for (unsigned int v = 0; v < 256; v++)
        all_after += irqs[v];
    check_ret(all_after - all_before, 0, "IPIs to nobody, ignored modes, illegal vectors");

    /* Re-entrant: each handler raises the next class before its EOI. */
    uint32_t nested_before = 0, nested_after = 0;
    for (unsigned int v = VEC_BASE + 0x10; v < 0x100; v += 0x10)
        nested_before += irqs[v];
    irq_on();
    for (uint32_t i = 0; i < 500; i++) {
        chain_left = VEC_CHAIN;
        wrmsr(X2APIC_MSR(REG_SELF_IPI), VEC_BASE + 0x10);
    }
    irq_off();
    for (unsigned int v = VEC_BASE + 0x10; v < 0x100; v += 0x10)
        nested_after += irqs[v];
    /* 0x50 .. 0xf0: the chain stops at the top class. */
    uint32_t per_chain = MIN(VEC_CHAIN, (0x100 - (VEC_BASE + 0x10)) / 0x10 - 1) + 1;
    check_ret(nested_after - nested_before, 500 * per_chain,
              "re-entrant self-IPI chains: %u interrupts", 500 * per_chain);
}

static void nmis(void)
{
    uint32_t before = exceptions[2];

    for (uint32_t i = 0; i < 2000; i++) {
        wrmsr(X2APIC_MSR(REG_ICR), ICR_NMI | ICR_SELF);
        /* One at a time: NMIs sent while one is pending merge into it. */
        while (exceptions[2] == before + i)
            cpu_relax();
    }
    check_ret(exceptions[2] - before, 2000, "NMI to self: 2000 NMIs");
}

static void software_interrupts(void)
{
    uint32_t before = irqs[VEC_SOFT];

    for (uint32_t i = 0; i < 20000; i++)
        asm volatile("int %0" :: "i"(VEC_SOFT) : "memory");
    check_ret(irqs[VEC_SOFT] - before, 20000, "INT 0x%x: 20000 interrupts", VEC_SOFT);
    before = exceptions[3];
    for (uint32_t i = 0; i < 20000; i++)
        asm volatile("int3" ::: "memory");
    check_ret(exceptions[3] - before, 20000, "INT3: 20000 breakpoints");
}

static void exception_loops(void)
{
    const uint32_t n = 20000;
    volatile uint32_t zero = 0;

    FAULT_LOOP("UD2", 6, n, "ud2", "i"(0));
    /* Instructions Keel intercepts and answers with #UD: each an exit. */
    FAULT_LOOP("VMRUN", 6, 2000, "vmrun", "a"(0));
    FAULT_LOOP("VMLOAD", 6, 2000, "vmload", "a"(0));
    FAULT_LOOP("STGI", 6, 2000, "stgi", "i"(0));
    FAULT_LOOP("CLGI", 6, 2000, "clgi", "i"(0));
    FAULT_LOOP("SKINIT", 6, 2000, "skinit", "a"(0));
    FAULT_LOOP("INVLPGA", 6, 2000, "invlpga %%rax, %%ecx", "a"(0), "c"(0));
    FAULT_LOOP("XSETBV", 6, 2000, "xsetbv", "a"(1), "c"(0), "d"(0));
    FAULT_LOOP("MONITOR", 6, 2000, "monitor", "a"(0), "c"(0), "d"(0));
    FAULT_LOOP("MWAIT", 6, 2000, "mwait", "a"(0), "c"(0));
    /* #PF: unmapped (8 GiB) and non-present (page 0). */
    FAULT_LOOP("load from 8 GiB", 14, n, "movb (%%rax), %%al", "a"(0x200000000ul));
    FAULT_LOOP("store to page 0", 14, n, "movb %%al, (%%rdx)", "d"(0x40ul), "a"(0));
    /* #GP: a non-canonical address. */
    FAULT_LOOP("non-canonical load", 13, n, "movb (%%rax), %%al", "a"(0x0000800000000000ul));
    /* #DE (F7 F1: div %ecx). */
    FAULT_LOOP("divide by zero", 0, n, "div %%ecx", "a"(1), "d"(0), "c"(zero));
}

/*
 * RDMSR/WRMSR of MSRs no one has: a #GP each, through an exit.  Keel logs
 * an unknown MSR once per domain; far more distinct ones than it keeps
 * track of must not make it log each access.
 */
static void msr_storm(void)
{
    uint32_t wrong = 0;
    uint64_t val;

    for (uint32_t i = 0; i < 4000; i++) {
        uint32_t msr = 0xc0011000u + (i % 200);         /* 200 distinct unknown MSRs */
        int rc = (i & 1) ? wrmsr_safe(msr, i) : rdmsr_safe(msr, &val);
        wrong += rc != (0x100 | 13);
    }
    check_ret(wrong, 0, "4000 accesses to 200 unknown MSRs: each #GP");
}

/* Port I/O: OUTS from / INS into memory outside the P2M: #GP, the port untouched. */
static void port_io(void)
{
    uint64_t hole = env.hole;
    const uint32_t n = 2000;

    /* F3 6E: rep outsb; F3 6C: rep insb (ES:RDI).  2 bytes each. */
    FAULT_LOOP("rep outsb from the P2M hole", 13, n, "rep outsb", "S"(hole), "c"(16ul),
               "d"(0x80));
    FAULT_LOOP("rep insb into the P2M hole", 13, n, "rep insb", "D"(hole), "c"(16ul),
               "d"(0x80));
    /* Ports that exist for no one: reads are all ones, writes ignored. */
    uint32_t bad = 0;
    for (uint32_t port = 0; port < 0x10000; port += 0x101) {
        if (port == 0xe9 || port == 0xf4 || port == 0xb000 || port == 0xb002 ||
            (port >= 0x40 && port <= 0x43) || port == 0x61)
            continue;               /* console, debug exit, ACPI sleep/reset, PIT */
        uint8_t v;
        asm volatile("inb %%dx, %%al" : "=a"(v) : "d"(port));
        bad += v != 0xff;
        asm volatile("outb %%al, %%dx" :: "a"(0x5a), "d"(port));
    }
    check_ret(bad, 0, "reads of ports nobody emulates are all ones");
}

/* Patterns in DR0-DR3 (breakpoints stay disabled: DR7 untouched), MXCSR
 * and the x87 control word, changed all the time: no other domain may see
 * them (the victim keeps values of its own there and checks them). */
static void cpu_state(void)
{
    uint64_t cr4;

    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    asm volatile("mov %0, %%cr4" :: "r"(cr4 | (1ul << 9)));     /* OSFXSR */
    /* For scribble_ms= (default 3 s): long enough to share a CPU with the
     * victim, whose every round checks its own values. */
    uint64_t end = attack_now() + cmdline_u64("scribble_ms", 3000) * 1000000ull;
    uint32_t i = 0;
    for (; i < 20000 || attack_now() < end; i++) {
        uint64_t v = 0xa77ac0de00000000ull | i;
        uint32_t mxcsr = 0x1f80 ^ (i & 0x603f);     /* rounding, flags: all legal */
        uint16_t fcw = (uint16_t)(0x037f ^ (i & 0x0c3f));
        asm volatile("mov %0, %%db0; mov %0, %%db1; mov %0, %%db2; mov %0, %%db3" :: "r"(v));
        asm volatile("ldmxcsr %0; fldcw %1" :: "m"(mxcsr), "m"(fcw));
    }
    uint64_t d0;
    asm volatile("mov %%db0, %0" : "=r"(d0));
    check_ret((long)(d0 & 0xffffffff), i - 1, "DR0 holds our last pattern");
}

void attack_storm(void)
{
    guest_irq_handler = on_irq;
    guest_exception_handler = on_exception;

    self_ipis();
    nmis();
    software_interrupts();
    exception_loops();
    msr_storm();
    port_io();
    cpu_state();
    printf("attack: storms done\n");
    guest_exception_handler = NULL;
}

#endif

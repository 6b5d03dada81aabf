/*
 * Time on x86: the TSC is the clock (its rate from CPUID leaf 0x15/0x16
 * where the CPU states it, else measured against the PIT), and each CPU's
 * local APIC timer, measured in the same window, raises one-shot timer
 * interrupts.
 */
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/softirq.h>
#include <keel/time.h>
#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/time.h>

#define PIT_HZ        1193182
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61      /* bit 0: ch2 gate, bit 1: speaker, bit 5: ch2 out */
#define CALIBRATE_MS  10

uint64_t tsc_hz;
uint64_t apic_timer_hz;
static uint64_t tsc_at_boot;
static uint64_t ns_per_tick_q32;    /* ns per TSC tick, 32.32 fixed point */
static uint64_t apic_ticks_per_ns_q32;  /* APIC timer ticks per ns, 32.32 */

s_time_t NOW(void)
{
    uint64_t ticks = rdtsc() - tsc_at_boot;
    return (s_time_t)(((unsigned __int128)ticks * ns_per_tick_q32) >> 32);
}

void udelay(unsigned long us)
{
    uint64_t end = rdtsc() + us * (tsc_hz / 1000000);
    while ((int64_t)(rdtsc() - end) < 0)
        cpu_relax();
}

void mdelay(unsigned long ms)
{
    udelay(ms * 1000);
}

/* TSC rate as the CPU states it (Intel leaves 0x15 and 0x16), or 0. */
static uint64_t tsc_hz_from_cpuid(void)
{
    uint32_t max = cpuid(0).eax;

    if (max >= 0x15) {
        struct cpuid_regs r = cpuid(0x15);
        if (r.eax && r.ebx && r.ecx)
            return (uint64_t)r.ecx * r.ebx / r.eax;
    }
    if (max >= 0x16) {
        uint32_t mhz = cpuid(0x16).eax & 0xffff;
        if (mhz)
            return (uint64_t)mhz * 1000000;
    }
    return 0;
}

/*
 * Count TSC and APIC timer ticks across CALIBRATE_MS of PIT channel 2 in
 * mode 0 (its output goes high when the count reaches zero).  Returns
 * false when the PIT does not behave like one.
 */
static bool calibrate_with_pit(uint64_t *tsc_out, uint64_t *apic_out)
{
    const uint16_t latch = PIT_HZ * CALIBRATE_MS / 1000;
    unsigned long polls = 0;

    outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
    outb(PIT_CMD, 0xb0);            /* channel 2, lo/hi byte, mode 0 */
    outb(PIT_CH2, latch & 0xff);
    apic_timer_start_free_running();
    uint64_t t0 = rdtsc();
    uint32_t a0 = apic_timer_current();
    outb(PIT_CH2, latch >> 8);      /* counting starts now */
    while (!(inb(PORT_B) & 0x20)) {
        if (++polls > 100000000UL)
            return false;
    }
    uint64_t t1 = rdtsc();
    uint32_t a1 = apic_timer_current();
    apic_timer_stop();

    if (polls < 10)                 /* output was high at once: no PIT */
        return false;
    *tsc_out = (t1 - t0) * (1000 / CALIBRATE_MS);
    *apic_out = (uint64_t)(a0 - a1) * (1000 / CALIBRATE_MS);
    return true;
}

static void timer_interrupt(struct cpu_regs *regs)
{
    raise_softirq(TIMER_SOFTIRQ);
}

void time_init(void)
{
    uint64_t pit_tsc = 0, pit_apic = 0;
    bool have_pit = calibrate_with_pit(&pit_tsc, &pit_apic);
    uint64_t stated = tsc_hz_from_cpuid();

    if (!have_pit)
        panic("no usable PIT to measure the TSC and APIC timer rates; "
              "Keel cannot keep time on this machine");
    tsc_hz = stated ? stated : pit_tsc;
    apic_timer_hz = pit_apic;
    if (tsc_hz < 1000000 || apic_timer_hz < 10000 || apic_timer_hz >> 32)
        panic("implausible clock rates: TSC %lu Hz, APIC timer %lu Hz",
              tsc_hz, apic_timer_hz);
    tsc_at_boot = rdtsc();
    /* Both fit: 10^9 << 32 < 2^63, and the rates are below 2^32 Hz. */
    ns_per_tick_q32 = (1000000000ULL << 32) / tsc_hz;
    apic_ticks_per_ns_q32 = (apic_timer_hz << 32) / 1000000000ULL;

    bool invariant = cpuid(0x80000000).eax >= 0x80000007 &&
                     (cpuid(0x80000007).edx & (1u << 8));
    pr_info("TSC: %lu.%03lu MHz (%s%s), APIC timer: %lu kHz\n",
            tsc_hz / 1000000, (tsc_hz / 1000) % 1000,
            stated ? "stated by CPUID" : "measured against the PIT",
            invariant ? ", invariant" : "", apic_timer_hz / 1000);
    set_irq_handler(APIC_TIMER_VECTOR, timer_interrupt);
}

void time_init_cpu(void)
{
    apic_timer_stop();
}

void arch_timer_program(s_time_t deadline)
{
    if (!deadline) {
        apic_timer_stop();
        return;
    }
    s_time_t delta = deadline - NOW();
    uint64_t ticks = 1;
    if (delta > 0)
        ticks = (uint64_t)(((unsigned __int128)delta * apic_ticks_per_ns_q32) >> 32) + 1;
    if (ticks > 0xffffffffULL)
        ticks = 0xffffffffULL;      /* fires early; the queue re-arms */
    apic_timer_oneshot((uint32_t)ticks);
}

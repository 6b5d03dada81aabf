/*
 * Local APIC access.  x2APIC (MSRs) is used when CPUID offers it; else the
 * xAPIC page is mapped uncached into the vmap area.  Register offsets are
 * the xAPIC ones; in x2APIC mode register R is MSR 0x800 + R/16.
 */
#include <keel/panic.h>
#include <keel/printk.h>
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/msr.h>
#include <asm/paging.h>
#include <asm/processor.h>
#include <asm/system.h>

#define APIC_ID        0x020
#define APIC_EOI       0x0b0
#define APIC_SVR       0x0f0
#define APIC_ICR_LO    0x300
#define APIC_ICR_HI    0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMR_INIT  0x380
#define APIC_TMR_CUR   0x390
#define APIC_TMR_DIV   0x3e0

#define ICR_FIXED      (0 << 8)
#define ICR_NMI        (4 << 8)
#define ICR_INIT       (5 << 8)
#define ICR_STARTUP    (6 << 8)
#define ICR_BUSY       (1 << 12)
#define ICR_ASSERT     (1 << 14)
#define ICR_LEVEL      (1 << 15)
#define LVT_MASKED     (1 << 16)

static bool x2apic;
static volatile uint32_t *xapic_mmio;
static bool ready;

bool apic_ready(void) { return ready; }
bool apic_is_x2apic(void) { return x2apic; }

static uint32_t apic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(MSR_X2APIC_BASE + (reg >> 4));
    return xapic_mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
    if (x2apic)
        wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
    else
        xapic_mmio[reg / 4] = v;
}

/*
 * The legacy 8259 PICs deliver to vectors 8-15 after the BIOS, which are
 * exception vectors: move them to 0x20-0x2f and mask every line.  Keel
 * takes interrupts only through the local APIC.
 */
static void pic_disable(void)
{
    outb(0x20, 0x11);   /* ICW1: init, ICW4 follows */
    outb(0xa0, 0x11);
    outb(0x21, 0x20);   /* ICW2: vector bases */
    outb(0xa1, 0x28);
    outb(0x21, 0x04);   /* ICW3: slave on IRQ2 */
    outb(0xa1, 0x02);
    outb(0x21, 0x01);   /* ICW4: 8086 mode */
    outb(0xa1, 0x01);
    outb(0x21, 0xff);   /* mask all */
    outb(0xa1, 0xff);
}

void apic_init_bsp(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    pic_disable();
    x2apic = cpuid(1).ecx & (1u << 21);
    if (!x2apic) {
        xapic_mmio = ioremap(base & ~0xfffUL, 4096);
        if (!xapic_mmio)
            panic("cannot map the local APIC at %lx", (unsigned long)(base & ~0xfffUL));
    }
    pr_info("local APIC: %s mode\n", x2apic ? "x2APIC" : "xAPIC (MMIO)");
}

void apic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

    if (x2apic)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);
    apic_write(APIC_SVR, 0x100 | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_write(APIC_LVT_ERROR, LVT_MASKED);
    apic_write(APIC_TMR_DIV, 0x3);          /* divide by 16 */
    apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
    apic_eoi();
    ready = true;
}

uint32_t apic_read_id(void)
{
    uint32_t id = apic_read(APIC_ID);
    return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

static void apic_icr(uint32_t apic_id, uint32_t low)
{
    if (x2apic) {
        wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> 4), ((uint64_t)apic_id << 32) | low);
        return;
    }
    /* xAPIC: the high half must not change between the two writes. */
    unsigned long flags;
    local_irq_save(flags);
    for (unsigned int spins = 0; (apic_read(APIC_ICR_LO) & ICR_BUSY) && spins < 1000000; spins++)
        cpu_relax();
    apic_write(APIC_ICR_HI, apic_id << 24);
    apic_write(APIC_ICR_LO, low);
    local_irq_restore(flags);
}

void apic_send_ipi(uint32_t apic_id, uint8_t vector) { apic_icr(apic_id, ICR_FIXED | ICR_ASSERT | vector); }
void apic_send_nmi(uint32_t apic_id) { apic_icr(apic_id, ICR_NMI | ICR_ASSERT); }
void apic_send_init(uint32_t apic_id) { apic_icr(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL); }
void apic_send_sipi(uint32_t apic_id, uint8_t page) { apic_icr(apic_id, ICR_STARTUP | page); }

void apic_timer_oneshot(uint32_t ticks)
{
    apic_write(APIC_LVT_TIMER, APIC_TIMER_VECTOR);
    apic_write(APIC_TMR_INIT, ticks ? ticks : 1);
}

void apic_timer_stop(void)
{
    apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_TMR_INIT, 0);
}

/* For calibration: count down from the maximum with the interrupt masked. */
void apic_timer_start_free_running(void)
{
    apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_TMR_INIT, 0xffffffff);
}

uint32_t apic_timer_current(void)
{
    return apic_read(APIC_TMR_CUR);
}

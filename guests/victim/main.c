/*
 * victim: the domain the attack scenarios must leave alone.  It fills all
 * of its free RAM with a pattern and sets state only it should ever see
 * (DR0-DR3, the x87 control word, MXCSR), then, for rounds= rounds:
 *   - checks every word of the pattern, and that state;
 *   - sends itself an event on an IPI port and takes it as an upcall;
 *   - arms a one-shot timer interval_ms= ahead, waits for its VIRQ_TIMER
 *     upcall, and notes how late it came;
 *   - rewrites the pattern with the round's salt and prints a progress line.
 * It passes if all of that held in every round and no timer came more than
 * late_ms= (default 5000) after its deadline: another domain may slow it
 * down, never stop it.  Timings are printed, and bounded only that far.
 */
#include "guest.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/shared_info.h>
#include <public/vcpu.h>

#define CALLBACK_VECTOR 0xf3
#define CR4_OSFXSR      (1ul << 9)
#define MXCSR_VICTIM    0x7f80u         /* masks, round toward zero ... */
#define FCW_VICTIM      0x0e7fu         /* ... and x87 round toward zero, 53-bit */

static struct shared_info *shinfo;
static evtchn_port_t timer_port, ipi_port;
static volatile uint32_t timer_events, ipi_events;
static uint64_t salt;

static void on_port(unsigned int port)
{
    if (port == timer_port)
        timer_events++;
    else if (port == ipi_port)
        ipi_events++;
}

static void on_irq(uint64_t vector)
{
    if (vector == CALLBACK_VECTOR)
        evtchn_upcall_scan(shinfo, 0, on_port);
}

static long evtchn(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static uint64_t now(void)
{
    return pvclock_now(&shinfo->vcpu_info[0].time);
}

/* ---- the pattern ------------------------------------------------------------ */

/* What the word at address a holds in the round with salt s. */
static uint64_t pattern(uint64_t a, uint64_t s)
{
    return (a * 0x9e3779b97f4a7c15ull) ^ s;
}

/* Free RAM: memmap RAM from 1 MiB up, minus our image and shared_info. */
typedef void (*range_fn)(uint64_t *from, uint64_t *to, uint64_t *bad);

static void for_free_ram(range_fn fn, uint64_t *bad)
{
    uint64_t img0 = (uintptr_t)__image_start, img1 = (uintptr_t)__image_end;
    uint64_t shared = (uintptr_t)shinfo;

    for (unsigned int i = 0; i < boot.nr_memmap; i++) {
        const struct hvm_memmap_table_entry *e = &boot.memmap[i];
        if (e->type != XEN_HVM_MEMMAP_TYPE_RAM)
            continue;
        uint64_t lo = e->addr < 0x100000 ? 0x100000 : e->addr, hi = e->addr + e->size;
        if (hi > shared)
            hi = shared;
        /* [lo, hi) minus the image. */
        if (lo < img0)
            fn((uint64_t *)(uintptr_t)lo, (uint64_t *)(uintptr_t)MIN(hi, img0), bad);
        if (hi > img1)
            fn((uint64_t *)(uintptr_t)(lo > img1 ? lo : img1), (uint64_t *)(uintptr_t)hi, bad);
    }
}

static void fill_range(uint64_t *from, uint64_t *to, uint64_t *bad)
{
    (void)bad;
    for (uint64_t *p = from; p < to; p++)
        *p = pattern((uintptr_t)p, salt);
}

static void check_range(uint64_t *from, uint64_t *to, uint64_t *bad)
{
    for (uint64_t *p = from; p < to; p++)
        if (*p != pattern((uintptr_t)p, salt) && !*bad)
            *bad = (uintptr_t)p;
}

/* ---- state only we should see ---------------------------------------------------- */

static void set_cpu_state(void)
{
    uint64_t cr4;
    uint32_t mxcsr = MXCSR_VICTIM;
    uint16_t fcw = FCW_VICTIM;

    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    asm volatile("mov %0, %%cr4" :: "r"(cr4 | CR4_OSFXSR));
    asm volatile("ldmxcsr %0; fldcw %1" :: "m"(mxcsr), "m"(fcw));
}

static uint64_t dr_value(int i)
{
    return 0x71c71c0000000000ull | (uint64_t)i << 32 | xen_domid();
}

static void set_debug_registers(void)
{
    uint64_t d0 = dr_value(0), d1 = dr_value(1), d2 = dr_value(2), d3 = dr_value(3);

    /* Breakpoints stay disabled (DR7 untouched): only the values matter. */
    asm volatile("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
                 :: "r"(d0), "r"(d1), "r"(d2), "r"(d3));
}

/* Empty if all is as we left it, else what is not. */
static const char *cpu_state_changed(void)
{
    uint64_t d[4];
    uint32_t mxcsr;
    uint16_t fcw;
    static char why[96];

    asm volatile("mov %%db0, %0; mov %%db1, %1; mov %%db2, %2; mov %%db3, %3"
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3]));
    for (int i = 0; i < 4; i++)
        if (d[i] != dr_value(i)) {
            snprintf(why, sizeof(why), "DR%d is %#llx, we left %#llx", i,
                     (unsigned long long)d[i], (unsigned long long)dr_value(i));
            return why;
        }
    asm volatile("stmxcsr %0; fnstcw %1" : "=m"(mxcsr), "=m"(fcw));
    if (mxcsr != MXCSR_VICTIM || fcw != FCW_VICTIM) {
        snprintf(why, sizeof(why), "MXCSR %#x / FCW %#x, we left %#x / %#x", mxcsr, fcw,
                 MXCSR_VICTIM, FCW_VICTIM);
        return why;
    }
    return "";
}

/* ---- events and time ----------------------------------------------------------- */

static void setup_events(void)
{
    shinfo = map_shared_info();
    guest_irq_handler = on_irq;
    if (set_callback_vector(CALLBACK_VECTOR))
        test_fail("victim: cannot set the upcall vector");
    struct evtchn_bind_virq v = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    if (evtchn(EVTCHNOP_bind_virq, &v) || evtchn(EVTCHNOP_bind_ipi, &ipi))
        test_fail("victim: cannot bind VIRQ_TIMER and an IPI port");
    timer_port = v.port;
    ipi_port = ipi.port;
}

/* Wait, interrupts on, until *counter passes `before` or the deadline (ns). */
static bool wait_event(volatile uint32_t *counter, uint32_t before, uint64_t deadline)
{
    while (*counter == before && now() < deadline)
        asm volatile("sti; hlt; cli" ::: "memory");
    return *counter != before;
}

void guest_main(const struct hvm_start_info *si)
{
    (void)si;
    uint32_t rounds = (uint32_t)cmdline_u64("rounds", 20);
    uint64_t interval = cmdline_u64("interval_ms", 250) * 1000000ull;
    uint64_t late_limit = cmdline_u64("late_ms", 5000) * 1000000ull;
    uint64_t max_late = 0, bad = 0;

    if (!xen.present)
        test_fail("victim: no hypervisor");
    setup_events();
    set_cpu_state();
    set_debug_registers();
    salt = 1;
    for_free_ram(fill_range, &bad);
    printf("victim: d%u, pattern written, %u rounds of %llu ms\n", xen_domid(), rounds,
           (unsigned long long)(interval / 1000000));

    for (uint32_t r = 1; r <= rounds; r++) {
        for_free_ram(check_range, &bad);
        if (bad)
            test_fail("victim: round %u: memory at %#llx changed under us", r,
                      (unsigned long long)bad);
        const char *why = cpu_state_changed();
        if (*why)
            test_fail("victim: round %u: %s", r, why);

        uint32_t before = ipi_events;
        struct evtchn_send send = { .port = ipi_port };
        if (evtchn(EVTCHNOP_send, &send))
            test_fail("victim: round %u: send on our IPI port failed", r);
        if (!wait_event(&ipi_events, before, now() + late_limit))
            test_fail("victim: round %u: our own event never arrived", r);

        uint64_t deadline = now() + interval;
        struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };
        before = timer_events;
        if (HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t))
            test_fail("victim: round %u: cannot arm the timer", r);
        if (!wait_event(&timer_events, before, deadline + late_limit))
            test_fail("victim: round %u: timer not there %llu ms after its deadline", r,
                      (unsigned long long)(late_limit / 1000000));
        uint64_t late = now() - deadline;
        if (late > max_late)
            max_late = late;

        salt = r + 1;
        for_free_ram(fill_range, &bad);
        printf("victim: round %u/%u intact (timer %llu us late)\n", r, rounds,
               (unsigned long long)(late / 1000));
    }
    printf("victim: intact after %u rounds, %u timer and %u own events, at most %llu ms late\n",
           rounds, timer_events, ipi_events, (unsigned long long)(max_late / 1000000));
}

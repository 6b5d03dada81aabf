/*
 * CPUs: the boot CPU's per-CPU data, bringing up the others with
 * INIT-SIPI-SIPI through the real-mode trampoline, and cross-CPU calls.
 */
#include <keel/errno.h>
#include <keel/schedule.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/smp.h>
#include <keel/softirq.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/boot.h>
#include <asm/desc.h>
#include <asm/hvm.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <asm/smpboot.h>
#include <asm/time.h>

#define AP_STACK_ORDER   2      /* 16 KiB */
#define IST_STACK_ORDER  1      /* 8 KiB each */
#define AP_START_TIMEOUT_MS 2000

struct cpu_info *cpu_info[NR_CPUS];
unsigned int nr_cpus_online;

/* Read by ap_entry64 (trampoline.S); one CPU starts at a time. */
uintptr_t ap_boot_stack;
static volatile unsigned int ap_boot_cpu;

extern const char trampoline_start[], trampoline_end[];
extern const char tramp_gdt_desc[], tramp_pm_jump[], tramp_lm_jump[], tramp_cr3[], tramp_efer[];
extern char boot_stack[], boot_stack_top[];

/* Trampoline page tables: must be below 4 GiB (loaded from 32-bit code). */
static uint64_t tramp_pml4[512] __attribute__((aligned(4096), section(".bss.page_aligned")));
static uint64_t tramp_pdpt[512] __attribute__((aligned(4096), section(".bss.page_aligned")));
static uint64_t tramp_pd[512] __attribute__((aligned(4096), section(".bss.page_aligned")));

static struct cpu_info boot_cpu_info;
static uint8_t boot_ist[3][IST_STACK_SIZE] __attribute__((aligned(16)));
static spinlock_t call_lock[NR_CPUS];

bool cpu_online(unsigned int cpu)
{
    return cpu < NR_CPUS && cpu_info[cpu] &&
           __atomic_load_n(&cpu_info[cpu]->online, __ATOMIC_ACQUIRE);
}

static void cpu_info_setup(struct cpu_info *c, unsigned int id)
{
    c->self = c;
    c->id = id;
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    cpu_tables_load(c);
}

void smp_init_boot_cpu(void)
{
    struct cpu_info *c = &boot_cpu_info;

    c->stack_base = (uintptr_t)boot_stack;
    c->stack_top = (uintptr_t)boot_stack_top;
    for (int i = 0; i < 3; i++) {
        c->ist_base[i] = (uintptr_t)boot_ist[i];
        c->ist_top[i] = (uintptr_t)boot_ist[i] + IST_STACK_SIZE;
    }
    cpu_info[0] = c;
    idt_init();
    cpu_info_setup(c, 0);
}

/* Interrupt handlers for the IPIs. */
static void call_function_interrupt(struct cpu_regs *regs)
{
    struct cpu_info *c = this_cpu();
    void (*fn)(void *) = c->call_fn;
    void *data = c->call_data;

    if (!fn)
        return;
    __atomic_store_n(&c->call_fn, NULL, __ATOMIC_RELEASE);
    fn(data);
    __atomic_store_n(&c->call_done, true, __ATOMIC_RELEASE);
}

static void event_check_interrupt(struct cpu_regs *regs)
{
    /* Nothing: the interrupted idle loop looks at its softirqs. */
}

void arch_send_event_check(unsigned int cpu)
{
    if (cpu_online(cpu))
        apic_send_ipi(cpu_info[cpu]->apic_id, APIC_EVENT_VECTOR);
}

int smp_call_function_single(unsigned int cpu, void (*fn)(void *), void *data, bool wait)
{
    unsigned long flags;

    if (!cpu_online(cpu))
        return -EINVAL;
    if (cpu == smp_processor_id()) {
        local_irq_save(flags);
        fn(data);
        local_irq_restore(flags);
        return 0;
    }
    struct cpu_info *c = cpu_info[cpu];
    spin_lock(&call_lock[cpu]);
    c->call_done = false;
    c->call_data = data;
    __atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
    apic_send_ipi(c->apic_id, APIC_CALL_VECTOR);
    while (__atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE))
        cpu_relax();                /* the target took the request */
    while (wait && !__atomic_load_n(&c->call_done, __ATOMIC_ACQUIRE))
        cpu_relax();
    spin_unlock(&call_lock[cpu]);
    return 0;
}

/* C entry of a secondary CPU, on its own stack, trampoline page tables. */
void start_secondary(void)
{
    struct cpu_info *c = cpu_info[ap_boot_cpu];

    cpu_info_setup(c, c->id);
    paging_load_idle_tables();
    apic_init_cpu();
    time_init_cpu();
    c->apic_id = apic_read_id();
    if (hvm_cpu_up() < 0) {
        pr_err("CPU%u: cannot enable virtualization (out of memory); halting it\n", c->id);
        arch_halt_forever();
    }
    __atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    pr_info("CPU%u: APIC ID %u up\n", c->id, c->apic_id);
    local_irq_enable();
    cpu_run_loop();
}

static void trampoline_install(paddr_t pa)
{
    uint8_t *blob = maddr_to_virt(pa);
    size_t len = trampoline_end - trampoline_start;
    uint64_t efer_bits = EFER_LME;

    if (cpuid(0x80000001).edx & (1u << 20))
        efer_bits |= EFER_NXE;
    memcpy(blob, trampoline_start, len);
#define FIELD(sym, at) ((uint32_t *)(blob + ((sym) - trampoline_start) + (at)))
    *FIELD(tramp_gdt_desc, 2) += pa;
    *FIELD(tramp_pm_jump, 0) += pa;
    *FIELD(tramp_lm_jump, 0) += pa;
    *FIELD(tramp_cr3, 0) = (uint32_t)virt_to_maddr(tramp_pml4);
    *FIELD(tramp_efer, 0) = efer_bits;
#undef FIELD

    /* 1:1 map of the first 2 MiB (the trampoline page), plus Keel's half. */
    tramp_pd[0] = 0 | PTE_P | PTE_W | PTE_PS;
    tramp_pdpt[0] = virt_to_maddr(tramp_pd) | PTE_P | PTE_W;
    tramp_pml4[0] = virt_to_maddr(tramp_pdpt) | PTE_P | PTE_W;
}

/* Refresh the upper half from the idle tables (new top-level entries). */
static void trampoline_sync_tables(void)
{
    const uint64_t *idle = maddr_to_virt(paging_idle_pml4());
    for (int i = 256; i < 512; i++)
        tramp_pml4[i] = idle[i];
}

static struct cpu_info *cpu_info_alloc(unsigned int id, uint32_t apic_id)
{
    struct cpu_info *c = xzalloc(struct cpu_info);
    void *stack = alloc_xenheap_pages(AP_STACK_ORDER);

    if (!c || !stack)
        return NULL;
    c->id = id;
    c->apic_id = apic_id;
    c->stack_base = (uintptr_t)stack;
    c->stack_top = (uintptr_t)stack + (PAGE_SIZE << AP_STACK_ORDER);
    for (int i = 0; i < 3; i++) {
        void *ist = alloc_xenheap_pages(IST_STACK_ORDER);
        if (!ist)
            return NULL;
        c->ist_base[i] = (uintptr_t)ist;
        c->ist_top[i] = (uintptr_t)ist + (PAGE_SIZE << IST_STACK_ORDER);
    }
    return c;
}

static bool wait_online(struct cpu_info *c, unsigned long ms)
{
    s_time_t end = NOW() + MILLISECS(ms);
    while (NOW() < end) {
        if (__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
            return true;
        cpu_relax();
    }
    return false;
}

static bool boot_one_cpu(unsigned int id, uint32_t apic_id, paddr_t tramp)
{
    struct cpu_info *c = cpu_info_alloc(id, apic_id);

    if (!c) {
        pr_err("CPU%u (APIC ID %u): out of memory for its stacks; not started\n", id, apic_id);
        return false;
    }
    cpu_info[id] = c;
    ap_boot_cpu = id;
    ap_boot_stack = c->stack_top;
    trampoline_sync_tables();

    apic_send_sipi(apic_id, tramp >> PAGE_SHIFT);
    if (!wait_online(c, 1)) {
        apic_send_sipi(apic_id, tramp >> PAGE_SHIFT);
        if (!wait_online(c, AP_START_TIMEOUT_MS)) {
            /* Its memory stays allocated: a late start must not land on freed stacks. */
            pr_err("CPU%u (APIC ID %u) did not start; going on without it\n", id, apic_id);
            cpu_info[id] = NULL;
            return false;
        }
    }
    return true;
}

void smp_boot_secondary_cpus(unsigned int max_cpus, paddr_t trampoline_pa)
{
    uint32_t my_apic = apic_read_id();
    unsigned int want = acpi.nr_cpus ? acpi.nr_cpus : 1;

    boot_cpu_info.apic_id = my_apic;
    boot_cpu_info.online = true;
    nr_cpus_online = 1;
    set_irq_handler(APIC_CALL_VECTOR, call_function_interrupt);
    set_irq_handler(APIC_EVENT_VECTOR, event_check_interrupt);
    for (unsigned int i = 0; i < NR_CPUS; i++)
        spin_lock_init(&call_lock[i]);
    pr_info("CPU0: APIC ID %u up (boot CPU)\n", my_apic);

    if (max_cpus && want > max_cpus) {
        pr_info("maxcpus=%u: starting %u of %u CPUs\n", max_cpus, max_cpus, want);
        want = max_cpus;
    }
    if (want <= 1)
        return;
    if (!trampoline_pa) {
        pr_err("no low page for the CPU start-up code: running on the boot CPU only\n");
        return;
    }
    trampoline_install(trampoline_pa);

    /* INIT every CPU that will be started, then one settle time for all. */
    unsigned int started = 1;
    for (unsigned int i = 0; i < acpi.nr_cpus && started < want; i++) {
        if (acpi.apic_ids[i] != my_apic) {
            apic_send_init(acpi.apic_ids[i]);
            started++;
        }
    }
    mdelay(10);

    unsigned int id = 1;
    for (unsigned int i = 0; i < acpi.nr_cpus && id < want; i++) {
        if (acpi.apic_ids[i] == my_apic)
            continue;
        if (boot_one_cpu(id, acpi.apic_ids[i], trampoline_pa))
            id++;
    }
}
